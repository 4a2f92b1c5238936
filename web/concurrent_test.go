package web_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestConcurrentTypingConverges: two users type into the same document at
// the same time, one at its start and one at its end, a character at a
// time, so each page keeps receiving the other's ops while its own are in
// flight or queued; both documents end the same, holding both texts whole.
func TestConcurrentTypingConverges(t *testing.T) {
	webtest.NeedBuilt(t)
	const start = "middle\n"
	p := webtest.StartPid1(t, map[string]string{"doc.txt": start}, server.Options{})
	b := webtest.StartBrowser(t)
	alice := b.NewUser(t, p, "alice", true)
	bob := b.NewUser(t, p, "bob", true)
	for _, u := range []*webtest.User{alice, bob} {
		u.Click(`#tree [data-path="doc.txt"]`)
		u.Wait(`__ide.doc('doc.txt') === `+jsString(start), 10*time.Second)
	}
	aliceText := strings.Repeat("alice-types-here ", 4)
	bobText := strings.Repeat("bob+was+typing ", 4)
	type typing struct {
		u    *webtest.User
		key  string
		text string
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, ty := range []typing{{alice, kb.End, aliceText}, {bob, kb.Home, bobText}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ty.u.Context(), 60*webtest.Slack*time.Second)
			defer cancel()
			// Place the caret, then type; every character is its own
			// edit, sent while the other page's arrive.
			if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(".cm-content")),
				chromedp.KeyEvent(ty.key, chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
				errs <- err
				return
			}
			for _, r := range ty.text {
				if err := chromedp.Do(ctx, webtest.Keys(string(r))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := bobText + start + aliceText
	for _, u := range []*webtest.User{alice, bob} {
		u.Wait(`__ide.doc('doc.txt') === `+jsString(want)+` && __ide.docState('doc.txt').synced`, 20*time.Second)
	}
	if pr := append(alice.Problems(), bob.Problems()...); len(pr) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(pr, "\n"))
	}
	for _, u := range []*webtest.User{alice, bob} {
		if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
			t.Errorf("%s's page showed errors (a resynchronisation is one): %q", u.Name, errs)
		}
	}
}
