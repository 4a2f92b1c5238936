package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestIDEInABrowser is the seven scenarios, in Debian's chromium
// with two users (two browser contexts, each with its own connection
// through a proxy the test can cut). Each scenario saves a screenshot of
// both pages in the test's artifact directory (go test -artifacts keeps
// them).
func TestIDEInABrowser(t *testing.T) {
	webtest.NeedBuilt(t)
	const mainPy = "print('hello from main')\n"
	p := webtest.StartPid1(t, map[string]string{"main.py": mainPy, "lib/util.py": "X = 1\n"}, server.Options{})
	b := webtest.StartBrowser(t)
	alice := b.NewUser(t, p, "alice", true)
	bob := b.NewUser(t, p, "bob", true)
	bind := func(t *testing.T) {
		alice.Bind(t)
		bob.Bind(t)
	}
	shots := func(t *testing.T, name string) {
		dir := t.ArtifactDir()
		for _, u := range []*webtest.User{alice, bob} {
			t.Logf("screenshot %s", u.Screenshot(dir, name+"-"+u.Name))
		}
	}

	t.Run("1 both open the IDE: the tree shows the workspace, presence shows both", func(t *testing.T) {
		bind(t)
		for _, u := range []*webtest.User{alice, bob} {
			u.Wait(`__ide.inTree('main.py') && __ide.inTree('lib')`, 10*time.Second)
			u.Do(chromedp.WaitVisible(chromedp.CSS(`#tree [data-path="main.py"]`)))
			u.Wait(`__ide.people().join(',') === 'alice,bob'`, 10*time.Second)
			u.Do(chromedp.WaitVisible(chromedp.CSS(`#people [data-name="alice"]`)), chromedp.WaitVisible(chromedp.CSS(`#people [data-name="bob"]`)))
		}
		// This pid1 runs no engines: the playground is absent, not broken.
		if !webtest.Eval[bool](alice, `document.querySelector('#playground-tab').hidden && document.querySelector('#playground-pane').hidden`) {
			t.Error("the playground pane is offered by a pid1 without engines")
		}
		// Live: a file a program creates appears in both trees.
		if err := os.WriteFile(filepath.Join(p.Workspace, "made-by-a-program.txt"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, u := range []*webtest.User{alice, bob} {
			u.Wait(`__ide.inTree('made-by-a-program.txt')`, 10*time.Second)
		}
		shots(t, "1-open")
	})

	t.Run("2 one types into main.py, the other sees it, save writes it to disk", func(t *testing.T) {
		bind(t)
		alice.Click(`#tree [data-path="main.py"]`)
		bob.Click(`#tree [data-path="main.py"]`)
		for _, u := range []*webtest.User{alice, bob} {
			u.Wait(`__ide.doc('main.py') === `+jsString(mainPy), 10*time.Second)
		}
		// Presence tells who is in which file.
		bob.Wait(`[...document.querySelectorAll('#people .person')].some(e => e.dataset.name === 'alice' && e.textContent.includes('main.py'))`, 10*time.Second)
		alice.TypeAtEnd("# alice was here")
		typed := time.Now()
		want := mainPy + "# alice was here"
		alice.Wait(`__ide.doc('main.py') === `+jsString(want), 5*time.Second)
		bob.Wait(`__ide.doc('main.py') === `+jsString(want), 10*time.Second)
		seen := time.Since(typed)
		t.Logf("bob saw alice's last keystroke %v after it was typed (the issue asks for under a second)", seen.Round(time.Millisecond))
		if seen > 5*time.Second { // generous: a loaded 2-core machine runs this
			t.Errorf("bob saw alice's text after %v; the issue asks for under a second", seen)
		}
		// bob's remote cursor for alice is drawn in her colour.
		bob.Wait(`document.querySelector('.remote-caret .remote-name')?.textContent === 'alice'`, 10*time.Second)
		alice.Do(chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		alice.Wait(`(s => s && !s.dirty && s.synced)(__ide.docState('main.py'))`, 10*time.Second)
		disk, err := os.ReadFile(filepath.Join(p.Workspace, "main.py"))
		if err != nil {
			t.Fatal(err)
		}
		if string(disk) != want {
			t.Errorf("main.py on disk after save is %q, want %q", disk, want)
		}
		shots(t, "2-edit")
	})

	t.Run("3 the terminal runs a command and follows a resize", func(t *testing.T) {
		bind(t)
		alice.Type(`#terminal .xterm-helper-textarea`, "echo hi-$((40+2))\r")
		alice.Wait(`__ide.terminal().includes('hi-42')`, 15*time.Second)
		// The other user shares the terminal and sees it too.
		bob.Wait(`__ide.terminal().includes('hi-42')`, 15*time.Second)
		before := webtest.Eval[[]int](alice, `__ide.termSize()`)
		alice.Do(chromedp.EmulateViewport(1100, 760))
		alice.Wait(fmt.Sprintf(`(s => s[0] !== %d || s[1] !== %d)(__ide.termSize())`, before[0], before[1]), 10*time.Second)
		// The page fits the terminal after a debounce and then sends the
		// size: wait until what it sent is what it shows.
		alice.Wait(`(s => s && String(s) === String(__ide.termSize()))(__ide.termSent())`, 10*time.Second)
		size := webtest.Eval[[]int](alice, `__ide.termSize()`)
		alice.Type(`#terminal .xterm-helper-textarea`, "stty size\r")
		alice.Wait(fmt.Sprintf(`__ide.termScreen().split('\n').some(l => l.trim() === '%d %d')`, size[0], size[1]), 15*time.Second)
		t.Logf("terminal %dx%d before the resize, %dx%d after; stty size agrees", before[0], before[1], size[0], size[1])
		shots(t, "3-terminal")
	})

	t.Run("4 Run executes main.py and the console shows its output", func(t *testing.T) {
		bind(t)
		alice.Click(`#run`)
		alice.Wait(`__ide.console().includes('hello from main')`, 30*time.Second)
		bob.Wait(`__ide.console().includes('hello from main')`, 30*time.Second)
		// The exit state is shown beside the button.
		for _, u := range []*webtest.User{alice, bob} {
			u.Wait(`(e => e.textContent === 'exited 0' && e.dataset.kind === 'ok')(document.querySelector('#run-state'))`, 30*time.Second)
		}
		shots(t, "4-run")
	})

	t.Run("5 chat from one appears at the other", func(t *testing.T) {
		bind(t)
		alice.Do(chromedp.SendKeys(chromedp.CSS(`#chat-input`), "hi bob, see main.py\r"))
		bob.Wait(`__ide.chat().includes('alice: hi bob, see main.py')`, 10*time.Second)
		alice.Wait(`__ide.chat().includes('alice: hi bob, see main.py')`, 10*time.Second)
		bob.Do(chromedp.SendKeys(chromedp.CSS(`#chat-input`), "on it\r"))
		alice.Wait(`__ide.chat().includes('bob: on it')`, 10*time.Second)
		shots(t, "5-chat")
	})

	t.Run("6 a cut socket: the page reconnects and edits made meanwhile converge", func(t *testing.T) {
		bind(t)
		// alice's connection is cut and her reconnects are held for 3 s:
		// she types while offline; bob types meanwhile.
		opens := webtest.Eval[int](alice, `__ide.termOpens()`)
		alice.Proxy.Cut(3 * time.Second)
		alice.Wait(`__ide.conn() !== 'connected'`, 10*time.Second)
		alice.Do(chromedp.WaitVisible(chromedp.CSS(`#banner`)))
		shots(t, "6a-cut")
		alice.TypeAtEnd("\n# offline edit by alice")
		bob.TypeAtStart("# bob, while alice was away\n")
		alice.Wait(`__ide.conn() === 'connected'`, 30*time.Second)
		for _, u := range []*webtest.User{alice, bob} {
			u.Wait(`(d => d.includes('# offline edit by alice') && d.includes('# bob, while alice was away'))(__ide.doc('main.py'))`, 15*time.Second)
			u.Wait(`__ide.docState('main.py').synced`, 15*time.Second)
		}
		a := webtest.Eval[string](alice, `__ide.doc('main.py')`)
		bb := webtest.Eval[string](bob, `__ide.doc('main.py')`)
		if a != bb {
			t.Fatalf("after the reconnect the documents differ:\nalice %q\nbob   %q", a, bb)
		}
		want := "# bob, while alice was away\n" + mainPy + "# alice was here\n# offline edit by alice"
		if a != want {
			t.Errorf("the converged document is %q, want %q", a, want)
		}
		alice.Wait(`getComputedStyle(document.querySelector('#banner')).display === 'none'`, 10*time.Second)
		// The terminal reattached (its screen was cleared) and pid1's
		// scrollback brought back what it showed before the cut.
		alice.Wait(fmt.Sprintf(`__ide.termOpens() > %d`, opens), 15*time.Second)
		alice.Wait(`__ide.terminal().includes('hi-42')`, 15*time.Second)
		shots(t, "6b-reconnected")
	})

	t.Run("7 no errors in either browser console", func(t *testing.T) {
		bind(t)
		for _, u := range []*webtest.User{alice, bob} {
			if pr := u.Problems(); len(pr) > 0 {
				t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
			}
			if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
				t.Errorf("%s's page showed errors: %q", u.Name, errs)
			}
		}
	})
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestReadOnlyIDE: a user whose token may not write gets a read-only IDE:
// the tree and a live editor that refuses typing, presence and chat, and
// no terminal (opening one would be refused and end the connection).
func TestReadOnlyIDE(t *testing.T) {
	webtest.NeedBuilt(t)
	p := webtest.StartPid1(t, map[string]string{"notes.md": "# notes\n"}, server.Options{})
	b := webtest.StartBrowser(t)
	writer := b.NewUser(t, p, "wendy", true)
	reader := b.NewUser(t, p, "rita", false)
	reader.Wait(`__ide.me.readOnly && document.querySelector('#me').textContent === 'rita (read-only)'`, 10*time.Second)
	reader.Wait(`__ide.inTree('notes.md')`, 10*time.Second)
	writer.Click(`#tree [data-path="notes.md"]`)
	writer.Wait(`__ide.doc('notes.md') === "# notes\n"`, 10*time.Second)
	reader.Click(`#tree [data-path="notes.md"]`)
	reader.Wait(`__ide.doc('notes.md') === "# notes\n"`, 10*time.Second)
	reader.TypeAtEnd("nope")
	writer.TypeAtEnd("more")
	reader.Wait(`__ide.doc('notes.md') === "# notes\nmore"`, 10*time.Second)
	if d := webtest.Eval[string](writer, `__ide.doc('notes.md')`); d != "# notes\nmore" {
		t.Errorf("the writer's document is %q: the reader's typing got through", d)
	}
	if n := webtest.Eval[int](reader, `document.querySelectorAll('#terminal .xterm, #console .xterm').length`); n != 0 {
		t.Errorf("the read-only page has %d terminals", n)
	}
	if !webtest.Eval[bool](reader, `document.querySelector('#new-file').disabled && document.querySelector('#delete').disabled`) {
		t.Error("the read-only page offers to change files")
	}
	reader.Screenshot(t.ArtifactDir(), "read-only")
	for _, u := range []*webtest.User{writer, reader} {
		if pr := u.Problems(); len(pr) > 0 {
			t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
		}
	}
}
