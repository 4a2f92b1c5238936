package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestAsymptoteInThePlayground draws through the asy service from the
// playground: an SVG and a PNG are shown as images from blob: URLs (never
// as markup in the page), a PDF is offered for download and downloads as
// out.pdf, asy's error is shown with its message, Kill aborts a task, and
// a read-only user's task is refused with the reason shown.
func TestAsymptoteInThePlayground(t *testing.T) {
	webtest.NeedBuilt(t)
	eng := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	if !hasLanguage(eng, "asymptote") {
		t.Fatal("the engine does not run Asymptote: `make test` installs it (scripts/test-deps.sh)")
	}
	p := webtest.StartPid1(t, nil, server.Options{Engine: eng, Asy: asy.New(asy.Config{Engine: eng})})
	b := webtest.StartBrowser(t)
	u := b.NewUser(t, p, "alice", true)
	openAsymptote(t, u)
	// The pane starts on a picture; Asymptote takes no stdin or arguments
	// here, and offers a format instead.
	u.Wait(`document.querySelector('#pg-code').value.includes('draw(unitcircle)')`, 5*time.Second)
	if !webtest.Eval[bool](u, `!document.querySelector('#pg-format').hidden && document.querySelector('.pg-io').hidden`) {
		t.Fatal("in Asymptote the pane shows standard input and arguments, or no format")
	}

	draw := func(code, format string) {
		t.Helper()
		u.Do(chromedp.SetValue(chromedp.CSS(`#pg-code`), code), chromedp.SetValue(chromedp.CSS(`#pg-format`), format))
		u.Click(`#pg-run`)
		u.Wait(`document.querySelector('#pg-run').textContent === 'Kill'`, 5*time.Second)
		u.Wait(`document.querySelector('#pg-run').textContent === 'Run'`, 60*time.Second)
	}
	const circle = "size(100); draw(unitcircle); write(\"drawn\");"
	picture := func(format string) {
		t.Helper()
		u.Wait(`document.querySelector('#pg-stats').dataset.status === 'done'`, 5*time.Second)
		u.Wait(`document.querySelector('#pg-image')?.complete && document.querySelector('#pg-image').naturalWidth > 0`, 10*time.Second)
		src := webtest.Eval[string](u, `document.querySelector('#pg-image').src`)
		w := webtest.Eval[int](u, `document.querySelector('#pg-image').naturalWidth`)
		if !strings.HasPrefix(src, "blob:") {
			t.Errorf("%s: the picture's src is %.60q, want a blob: URL", format, src)
		}
		// The picture is an image and a link, nothing else: no SVG markup
		// in the page.
		if kids := webtest.Eval[[]string](u, `[...document.querySelectorAll('#pg-picture *')].map(e => e.tagName)`); strings.Join(kids, ",") != "IMG,A" {
			t.Errorf("%s: the picture is shown as %q, want an IMG and its link", format, kids)
		}
		if n := webtest.Eval[int](u, `document.querySelectorAll('#playground-pane svg, #playground-pane object, #playground-pane iframe').length`); n != 0 {
			t.Errorf("%s: the pane holds %d svg, object or iframe elements", format, n)
		}
		if name := webtest.Eval[string](u, `document.querySelector('#pg-download').download`); name != "out."+format {
			t.Errorf("%s: the download is named %q", format, name)
		}
		if out := webtest.Eval[string](u, `__ide.playground()`); out != "drawn\n" {
			t.Errorf("%s: the output is %q, want asy's write", format, out)
		}
		t.Logf("%s: an image %d px wide from %s", format, w, src)
	}

	draw(circle, "svg")
	picture("svg")
	u.Screenshot(t.ArtifactDir(), "asymptote-svg")
	draw(circle, "png")
	picture("png")
	u.Screenshot(t.ArtifactDir(), "asymptote-png")

	// A PDF is a download, not an image.
	draw(circle, "pdf")
	u.Wait(`document.querySelector('#pg-stats').dataset.status === 'done' && document.querySelector('#pg-download')?.download === 'out.pdf'`, 5*time.Second)
	if n := webtest.Eval[int](u, `document.querySelectorAll('#pg-picture img').length`); n != 0 {
		t.Errorf("a PDF is shown as %d images", n)
	}
	if href := webtest.Eval[string](u, `document.querySelector('#pg-download').href`); !strings.HasPrefix(href, "blob:") {
		t.Errorf("the PDF's link is %.60q, want a blob: URL", href)
	}
	dir := t.TempDir()
	u.AllowDownloads(dir)
	u.Click(`#pg-download`)
	pdf := waitDownload(t, filepath.Join(dir, "out.pdf"), 20*time.Second)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Errorf("out.pdf is not a PDF: %.40q…", pdf)
	}
	t.Logf("out.pdf: %d bytes", len(pdf))
	u.Screenshot(t.ArtifactDir(), "asymptote-pdf")

	// An error: asyComplete's error, and asy's message in the output. The
	// picture before is gone.
	draw("draw((0,0)--(1,1);", "svg")
	u.Wait(`document.querySelector('#pg-stats').dataset.status === 'failed'`, 5*time.Second)
	if s := webtest.Eval[string](u, `document.querySelector('#pg-stats').textContent`); s != "Execution failed" {
		t.Errorf("the error shown is %q, want asy's Execution failed", s)
	}
	u.Wait(`[...document.querySelectorAll('#pg-out .stderr')].some(e => e.textContent.includes('syntax error'))`, 5*time.Second)
	if n := webtest.Eval[int](u, `document.querySelectorAll('#pg-picture *').length`); n != 0 {
		t.Errorf("after a failed task the pane still shows %d picture elements", n)
	}
	t.Logf("a program with an error: %q, output %q", webtest.Eval[string](u, `document.querySelector('#pg-stats').textContent`), webtest.Eval[string](u, `__ide.playground()`))
	u.Screenshot(t.ArtifactDir(), "asymptote-error")

	// Kill aborts a task that would go on until its time limit.
	u.Do(chromedp.SetValue(chromedp.CSS(`#pg-code`), "write(\"looping\");\nwhile(true) {}\n"))
	u.Click(`#pg-run`)
	u.Wait(`__ide.playground().includes('looping') && document.querySelector('#pg-run').textContent === 'Kill'`, 60*time.Second)
	u.Click(`#pg-run`)
	u.Wait(`document.querySelector('#pg-run').textContent === 'Run'`, 30*time.Second)
	if s := webtest.Eval[string](u, `document.querySelector('#pg-stats').textContent`); s != "Execution aborted by asyKill" {
		t.Errorf("after Kill the pane says %q", s)
	}

	// A read-only user may press Run: pid1 refuses, and the pane says why.
	r := b.NewUser(t, p, "rita", false)
	openAsymptote(t, r)
	r.Wait(`document.querySelector('#pg-code').value.includes('draw(unitcircle)')`, 5*time.Second)
	r.Click(`#pg-run`)
	r.Wait(`document.querySelector('#pg-stats').dataset.status === 'failed' && document.querySelector('#pg-run').textContent === 'Run'`, 30*time.Second)
	if s := webtest.Eval[string](r, `document.querySelector('#pg-stats').textContent`); !strings.HasPrefix(s, "read-only: ") {
		t.Errorf("the read-only user's task ended with %q, want pid1's refusal", s)
	}
	r.Screenshot(t.ArtifactDir(), "asymptote-read-only")

	for _, u := range []*webtest.User{u, r} {
		if pr := u.Problems(); len(pr) > 0 {
			t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
		}
		if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
			t.Errorf("%s's page showed errors: %q", u.Name, errs)
		}
	}
}

// openAsymptote opens the playground and picks Asymptote.
func openAsymptote(t *testing.T, u *webtest.User) {
	t.Helper()
	u.Wait(`!document.querySelector('#playground-tab').hidden`, 10*time.Second)
	u.Click(`#playground-tab`)
	u.Do(chromedp.WaitVisible(chromedp.CSS(`#pg-run`)))
	pickLanguage(t, u, "asymptote")
}

// pickLanguage chooses a language in the playground as a person does.
func pickLanguage(t *testing.T, u *webtest.User, id string) {
	t.Helper()
	u.Do(chromedp.SetValue(chromedp.CSS(`#pg-lang`), id))
	if v := webtest.Eval[string](u, `(s => (s.dispatchEvent(new Event('change')), s.value))(document.querySelector('#pg-lang'))`); v != id {
		t.Fatalf("the playground offers no %q (it shows %q)", id, v)
	}
}

func hasLanguage(eng *engines.Engine, id string) bool {
	for _, l := range eng.Languages() {
		if l.ID == id {
			return true
		}
	}
	return false
}

// waitDownload waits for the browser to finish saving path and returns
// its contents.
func waitDownload(t *testing.T, path string, timeout time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(timeout * webtest.Slack)
	for {
		data, err := os.ReadFile(path) // the browser writes NAME.crdownload, then renames it
		if err == nil {
			return data
		}
		if time.Now().After(deadline) {
			t.Fatalf("no download at %s: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
