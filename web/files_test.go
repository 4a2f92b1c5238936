package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestFileActions creates, edits, renames, deletes and uploads files
// through the tree's buttons, and checks the workspace on disk each time.
func TestFileActions(t *testing.T) {
	webtest.NeedBuilt(t)
	p := webtest.StartPid1(t, map[string]string{"lib/util.py": "X = 1\n"}, server.Options{})
	b := webtest.StartBrowser(t)
	u := b.NewUser(t, p, "alice", true)
	waitDisk := func(rel, want string, exists bool) {
		t.Helper()
		webtest.WaitFile(t, filepath.Join(p.Workspace, rel), want, exists, 10*time.Second)
	}

	u.Wait(`__ide.inTree('lib')`, 10*time.Second)
	u.Click(`#tree [data-path="lib"]`)
	u.Wait(`__ide.inTree('lib/util.py')`, 10*time.Second)
	u.Click(`#new-file`)
	u.Do(chromedp.SendKeys(chromedp.CSS(`#name-input`), "new.py\r"))
	u.Wait(`__ide.inTree('lib/new.py') && __ide.doc('lib/new.py') === ''`, 10*time.Second)
	waitDisk("lib/new.py", "", true)
	u.TypeAtEnd("x = 2")
	u.Do(chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitDisk("lib/new.py", "x = 2", true)
	// Without Ctrl+S the edit is saved by itself soon after typing stops.
	u.TypeAtEnd("\ny = 3")
	waitDisk("lib/new.py", "x = 2\ny = 3", true)
	u.Wait(`!__ide.docState('lib/new.py').dirty`, 10*time.Second)

	u.Click(`#rename`)
	// The form offers the old name; clear it (chromedp's SetValue cannot
	// set an empty value: its argument arrives as undefined).
	u.Wait(`document.querySelector('#name-input').value === 'new.py'`, 5*time.Second)
	webtest.Eval[bool](u, `(document.querySelector('#name-input').value = '') === ''`)
	u.Do(chromedp.SendKeys(chromedp.CSS(`#name-input`), "renamed.py\r"))
	u.Wait(`__ide.inTree('lib/renamed.py') && !__ide.inTree('lib/new.py') && __ide.doc('lib/renamed.py') === 'x = 2\ny = 3'`, 10*time.Second)
	waitDisk("lib/renamed.py", "x = 2\ny = 3", true)
	waitDisk("lib/new.py", "", false)

	u.Click(`#delete`)
	u.Wait(`document.querySelector('#delete').textContent === 'Delete renamed.py?'`, 5*time.Second)
	u.Click(`#delete`)
	u.Wait(`!__ide.inTree('lib/renamed.py') && __ide.doc('lib/renamed.py') === null`, 10*time.Second)
	waitDisk("lib/renamed.py", "", false)

	// Upload into lib (selected after the delete): a small file in one
	// write and a 5 MiB one in chunks.
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	big := filepath.Join(dir, "big.bin")
	bigData := bytes.Repeat([]byte("0123456789abcdef"), 5<<16)
	os.WriteFile(small, []byte("uploaded\n"), 0o644)
	os.WriteFile(big, bigData, 0o644)
	u.Do(chromedp.SetUploadFiles(chromedp.CSS(`#upload-input`), []string{small, big}, chromedp.NodeReady))
	u.Wait(`__ide.inTree('lib/small.txt') && __ide.inTree('lib/big.bin')`, 30*time.Second)
	waitDisk("lib/small.txt", "uploaded\n", true)
	waitDisk("lib/big.bin", string(bigData), true)
	u.Screenshot(t.ArtifactDir(), "files")

	// A name pid1 refuses (it leaves the workspace) is shown as an error,
	// and nothing is written.
	u.Click(`#new-file`)
	u.Do(chromedp.SendKeys(chromedp.CSS(`#name-input`), "../../escape.py\r"))
	u.Wait(`__ide.errors.some(e => e.includes('escape.py'))`, 10*time.Second)
	t.Logf("shown: %q", webtest.Eval[[]string](u, `__ide.errors`))
	if _, err := os.Stat(filepath.Join(filepath.Dir(p.Workspace), "escape.py")); err == nil {
		t.Error("a file was written outside the workspace")
	}
	if pr := u.Problems(); len(pr) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(pr, "\n"))
	}
}

// TestEditorUnicode edits a file with astral characters and CRLF line
// ends from two pages at once: CodeMirror counts UTF-16 units and pid1
// code points, and \r must survive.
func TestEditorUnicode(t *testing.T) {
	webtest.NeedBuilt(t)
	const start = "a😀b\r\nc\n"
	p := webtest.StartPid1(t, map[string]string{"u.txt": start}, server.Options{})
	b := webtest.StartBrowser(t)
	alice := b.NewUser(t, p, "alice", true)
	bob := b.NewUser(t, p, "bob", true)
	for _, u := range []*webtest.User{alice, bob} {
		u.Click(`#tree [data-path="u.txt"]`)
		u.Wait(`__ide.doc('u.txt') === `+jsString(start), 10*time.Second)
	}
	alice.TypeAtEnd("é😀z")
	bob.TypeAtStart("🎉")
	want := "🎉" + start + "é😀z"
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.doc('u.txt') === `+jsString(want)+` && __ide.docState('u.txt').synced`, 10*time.Second)
	}
	alice.Do(chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	alice.Wait(`!__ide.docState('u.txt').dirty`, 10*time.Second)
	data, err := os.ReadFile(filepath.Join(p.Workspace, "u.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != want {
		t.Errorf("on disk %q, want %q", data, want)
	}
	for _, u := range []*webtest.User{alice, bob} {
		if pr := u.Problems(); len(pr) > 0 {
			t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
		}
		if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
			t.Errorf("%s's page showed errors: %q", u.Name, errs)
		}
	}
}
