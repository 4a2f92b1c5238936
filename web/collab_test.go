package web_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestFollowTabsChatScrollbackDownload: one user follows another (the
// follower's editor opens what the followed opens, in tabs, until they
// unfollow), a user who arrives later sees the chat's scrollback, and a
// file downloads from the tree with its content.
func TestFollowTabsChatScrollbackDownload(t *testing.T) {
	webtest.NeedBuilt(t)
	files := map[string]string{"main.py": "print('main')\n", "lib/util.py": "X = 1\n", "notes.md": "# notes\n"}
	p := webtest.StartPid1(t, files, server.Options{})
	b := webtest.StartBrowser(t)
	alice := b.NewUser(t, p, "alice", true)
	bob := b.NewUser(t, p, "bob", true)
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.people().join(',') === 'alice,bob'`, 10*time.Second)
	}

	// Chat before anyone else arrives.
	alice.Do(chromedp.SendKeys(chromedp.CSS(`#chat-input`), "first, before carol\r"))
	bob.Wait(`__ide.chat().includes('alice: first, before carol')`, 10*time.Second)
	bob.Do(chromedp.SendKeys(chromedp.CSS(`#chat-input`), "second, before carol\r"))
	alice.Wait(`__ide.chat().includes('bob: second, before carol')`, 10*time.Second)

	// bob follows alice; alice is told.
	bob.Click(`#people [data-name="alice"] button.follow`)
	bob.Wait(`document.querySelector('#people [data-name="alice"] button.follow').textContent === 'unfollow'`, 10*time.Second)
	alice.Wait(`__ide.notices.includes('bob is following you')`, 10*time.Second)

	// What alice opens, bob's editor opens, each in a tab.
	alice.Click(`#tree [data-path="main.py"]`)
	bob.Wait(`__ide.active() === 'main.py' && __ide.doc('main.py') === "print('main')\n"`, 10*time.Second)
	alice.Click(`#tree [data-path="lib"]`)
	alice.Wait(`__ide.inTree('lib/util.py')`, 10*time.Second)
	alice.Click(`#tree [data-path="lib/util.py"]`)
	bob.Wait(`__ide.active() === 'lib/util.py' && __ide.doc('lib/util.py') === "X = 1\n"`, 10*time.Second)
	if tabs := webtest.Eval[[]string](bob, `__ide.tabs()`); !slices.Equal(tabs, []string{"main.py", "lib/util.py"}) {
		t.Errorf("bob's tabs are %q, want main.py and lib/util.py", tabs)
	}
	// A tab brings its file back.
	bob.Click(`#tabs .tab[data-path="main.py"]`)
	bob.Wait(`__ide.active() === 'main.py' && document.querySelector('.cm-content').textContent.includes("print('main')")`, 10*time.Second)

	// bob unfollows: alice's next file stays hers (bob sees where she is
	// in the people list, but his editor does not move).
	bob.Click(`#people [data-name="alice"] button.follow`)
	bob.Wait(`document.querySelector('#people [data-name="alice"] button.follow').textContent === 'follow'`, 10*time.Second)
	alice.Wait(`__ide.notices.includes('bob stopped following you')`, 10*time.Second)
	alice.Click(`#tree [data-path="notes.md"]`)
	bob.Wait(`document.querySelector('#people [data-name="alice"] .pfile').textContent === 'notes.md'`, 10*time.Second)
	if a := webtest.Eval[string](bob, `__ide.active()`); a != "main.py" {
		t.Errorf("bob's editor moved to %q after he unfollowed alice", a)
	}
	bob.Screenshot(t.ArtifactDir(), "follow-bob")

	// carol arrives later: the chat's scrollback is there.
	carol := b.NewUser(t, p, "carol", true)
	carol.Wait(`__ide.chat().includes('alice: first, before carol') && __ide.chat().includes('bob: second, before carol')`, 10*time.Second)
	if c := webtest.Eval[[]string](carol, `__ide.chat()`); len(c) < 2 || c[0] != "alice: first, before carol" {
		t.Errorf("carol's chat scrollback is %q, want alice's message first", c)
	}
	carol.Wait(`__ide.people().join(',') === 'alice,bob,carol'`, 10*time.Second)

	// carol downloads notes.md.
	dir := t.TempDir()
	carol.AllowDownloads(dir)
	carol.Click(`#tree [data-path="notes.md"]`)
	carol.Wait(`__ide.active() === 'notes.md'`, 10*time.Second)
	carol.Click(`#download`)
	webtest.WaitFile(t, filepath.Join(dir, "notes.md"), files["notes.md"], true, 20*time.Second)

	for _, u := range []*webtest.User{alice, bob, carol} {
		if pr := u.Problems(); len(pr) > 0 {
			t.Errorf("%s's console has errors:\n%s", u.Name, strings.Join(pr, "\n"))
		}
		if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
			t.Errorf("%s's page showed errors: %q", u.Name, errs)
		}
	}
}
