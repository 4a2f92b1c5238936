package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestPid1Restart: pid1 shuts down under two open pages (their sockets are
// closed from the server's side, with close frames) and a new pid1 comes
// up on the same address and workspace. The pages say they lost pid1,
// reconnect by themselves, show the file as the new pid1 has it, and
// edits after that converge and save.
func TestPid1Restart(t *testing.T) {
	webtest.NeedBuilt(t)
	const start = "a = 1\n"
	p := webtest.StartPid1(t, map[string]string{"main.py": start}, server.Options{})
	b := webtest.StartBrowser(t)
	alice := b.NewUser(t, p, "alice", true)
	bob := b.NewUser(t, p, "bob", true)
	for _, u := range []*webtest.User{alice, bob} {
		u.Click(`#tree [data-path="main.py"]`)
		u.Wait(`__ide.doc('main.py') === `+jsString(start), 10*time.Second)
	}
	// An acknowledged edit that was not saved: pid1 keeps it over the
	// restart (its op log, or the flush at shutdown).
	alice.TypeAtEnd("b = 2\n")
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.doc('main.py') === `+jsString(start+"b = 2\n")+` && __ide.docState('main.py').synced`, 10*time.Second)
	}

	p.Stop(t)
	// The pages say pid1 is gone, and keep trying.
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.conn() === 'reconnecting'`, 10*time.Second)
		u.Do(chromedp.WaitVisible(chromedp.CSS(`#banner`)))
	}
	alice.Screenshot(t.ArtifactDir(), "pid1-down")
	// A save while pid1 is down is not lost: it happens once pid1 is
	// back. The flush timer keeps quiet meanwhile.
	alice.TypeAtEnd("offline = True\n")
	alice.Do(chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	alice.Wait(`__ide.notices.some(n => n.startsWith('not connected: main.py is saved once the connection is back'))`, 10*time.Second)
	// Let both pages retry a few times against the closed port.
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.retries() >= 2`, 30*time.Second)
	}
	// alice comes back first: her offline edit is the new pid1's second
	// version, and her save made while it was down happens now. bob, held
	// until then, comes back to a pid1 whose history of the file is not
	// the one his page has (it had more versions): his page must take
	// pid1's text, keeping alice's edit, not reapply its own old text.
	bob.Proxy.Cut(time.Hour)
	p.Start(t)
	alice.Wait(`__ide.conn() === 'connected'`, 30*time.Second)
	alice.Do(chromedp.WaitNotVisible(chromedp.CSS(`#banner`)))
	alice.Wait(`__ide.doc('main.py') === `+jsString(start+"b = 2\noffline = True\n")+` && __ide.docState('main.py').synced`, 15*time.Second)
	webtest.WaitFile(t, filepath.Join(p.Workspace, "main.py"), start+"b = 2\noffline = True\n", true, 15*time.Second)
	alice.Wait(`!__ide.docState('main.py').dirty`, 10*time.Second)
	bob.Proxy.Release()
	bob.Wait(`__ide.conn() === 'connected'`, 30*time.Second)
	bob.Do(chromedp.WaitNotVisible(chromedp.CSS(`#banner`)))
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.doc('main.py') === `+jsString(start+"b = 2\noffline = True\n")+` && __ide.docState('main.py').synced`, 15*time.Second)
	}
	// Both edit the new pid1's document; it converges and saves.
	bob.TypeAtStart("# after the restart\n")
	alice.TypeAtEnd("c = 3\n")
	want := "# after the restart\n" + start + "b = 2\noffline = True\nc = 3\n"
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.doc('main.py') === `+jsString(want)+` && __ide.docState('main.py').synced`, 15*time.Second)
	}
	alice.Do(chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	alice.Wait(`!__ide.docState('main.py').dirty`, 10*time.Second)
	if data, err := os.ReadFile(filepath.Join(p.Workspace, "main.py")); err != nil || string(data) != want {
		t.Errorf("main.py on disk is %q (%v), want %q", data, err, want)
	}
	// The terminal works on the new pid1.
	alice.Type(`#terminal .xterm-helper-textarea`, "echo back-$((6*7))\r")
	alice.Wait(`__ide.terminal().includes('back-42')`, 15*time.Second)
	alice.Screenshot(t.ArtifactDir(), "restarted")
	for _, u := range []*webtest.User{alice, bob} {
		// While pid1 was down chromium logged each refused attempt to
		// connect; those are the browser's, not the page's.
		var pr []string
		for _, m := range u.Problems() {
			if !strings.HasPrefix(m, "WebSocket connection to ") {
				pr = append(pr, m)
			}
		}
		if len(pr) > 0 {
			t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
		}
		if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
			t.Errorf("%s's page showed errors: %q", u.Name, errs)
		}
	}
}
