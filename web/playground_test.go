package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestPlayground runs a program through the engines' playground pane: the
// languages come from the runners, standard input and arguments reach the
// program, standard output and error are shown apart, the run's exit
// status and statistics are shown after it, and Kill stops a run.
func TestPlayground(t *testing.T) {
	webtest.NeedBuilt(t)
	eng := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	p := webtest.StartPid1(t, nil, server.Options{Engine: eng})
	b := webtest.StartBrowser(t)
	u := b.NewUser(t, p, "alice", true)

	u.Wait(`!document.querySelector('#playground-tab').hidden`, 10*time.Second)
	u.Click(`#playground-tab`)
	u.Do(chromedp.WaitVisible(chromedp.CSS(`#pg-run`)))
	// Every language the runners found is offered, Python first.
	want := map[string]bool{}
	for _, l := range eng.Languages() {
		want[l.ID] = true
	}
	offered := webtest.Eval[[]string](u, `[...document.querySelectorAll('#pg-lang option')].map(o => o.value)`)
	if len(offered) != len(want) || len(offered) == 0 {
		t.Fatalf("the pane offers %q; the engine runs %d languages", offered, len(want))
	}
	for _, id := range offered {
		if !want[id] {
			t.Errorf("the pane offers %q, which the engine does not run", id)
		}
	}
	if v := webtest.Eval[string](u, `document.querySelector('#pg-lang').value`); v != "python" {
		t.Fatalf("the pane starts on %q, want python", v)
	}
	// Python's hello world is filled in; run it as it is first.
	u.Wait(`document.querySelector('#pg-code').value.includes('Hello')`, 5*time.Second)
	u.Click(`#pg-run`)
	u.Wait(`__ide.playground().includes('Hello, World!') && document.querySelector('#pg-stats').dataset.status === 'exited'`, 60*time.Second)

	// Without the asy service Asymptote is one more of ato's languages:
	// text only, no picture format to choose.
	if want["asymptote"] {
		pickLanguage(t, u, "asymptote")
		if !webtest.Eval[bool](u, `document.querySelector('#pg-format').hidden && !document.querySelector('.pg-io').hidden`) {
			t.Error("without the asy service the pane draws Asymptote")
		}
		pickLanguage(t, u, "python")
	}

	const code = "import sys\n" +
		"print(sys.stdin.read().upper(), sys.argv[1:])\n" +
		"print('to stderr', file=sys.stderr)\n" +
		"sys.exit(3)\n"
	u.Do(chromedp.SetValue(chromedp.CSS(`#pg-code`), code),
		chromedp.SetValue(chromedp.CSS(`#pg-stdin`), "abc"),
		chromedp.SetValue(chromedp.CSS(`#pg-args`), "x\ny z"))
	u.Click(`#pg-run`)
	u.Wait(`__ide.playground().includes("ABC ['x', 'y z']") && document.querySelector('#pg-stats').textContent.includes('exited 3')`, 60*time.Second)
	u.Wait(`[...document.querySelectorAll('#pg-out .stderr')].some(e => e.textContent.includes('to stderr'))`, 5*time.Second)
	stats := webtest.Eval[string](u, `document.querySelector('#pg-stats').textContent`)
	for _, w := range []string{"exited 3", "real ", "user ", "max memory ", "KiB"} {
		if !strings.Contains(stats, w) {
			t.Errorf("the run's statistics %q lack %q", stats, w)
		}
	}
	t.Logf("statistics shown: %s", stats)
	if out := webtest.Eval[string](u, `__ide.playground()`); strings.Contains(out, "Hello, World!") {
		t.Errorf("the second run's output still shows the first's: %q", out)
	}
	u.Screenshot(t.ArtifactDir(), "playground")

	// Kill stops a run that would go on for minutes.
	u.Do(chromedp.SetValue(chromedp.CSS(`#pg-code`), "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n"))
	u.Click(`#pg-run`)
	u.Wait(`__ide.playground().includes('sleeping') && document.querySelector('#pg-run').textContent === 'Kill'`, 60*time.Second)
	u.Click(`#pg-run`)
	u.Wait(`document.querySelector('#pg-stats').textContent.includes('stopped by Kill') && document.querySelector('#pg-run').textContent === 'Run'`, 30*time.Second)
	t.Logf("after Kill: %s", webtest.Eval[string](u, `document.querySelector('#pg-stats').textContent`))
	if pr := u.Problems(); len(pr) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(pr, "\n"))
	}
	if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
		t.Errorf("the page showed errors: %q", errs)
	}
}
