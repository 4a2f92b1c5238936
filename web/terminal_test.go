package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestTerminalCopyPaste: Ctrl+Shift+V pastes the clipboard into the
// shell, and Ctrl+Shift+C copies the terminal's selection to it.
func TestTerminalCopyPaste(t *testing.T) {
	webtest.NeedBuilt(t)
	p := webtest.StartPid1(t, nil, server.Options{})
	b := webtest.StartBrowser(t)
	u := b.NewUser(t, p, "alice", true)
	u.AllowClipboard()
	const term = `#terminal .xterm-helper-textarea`
	u.Do(chromedp.Focus(chromedp.CSS(term)))
	webtest.Eval[chromedp.Void](u, `navigator.clipboard.writeText('echo pasted-$((2*3))')`, chromedp.EvalAwaitPromise)
	u.Do(chromedp.Focus(chromedp.CSS(term)),
		chromedp.KeyEvent("v", chromedp.KeyModifiers(chromedp.ModifierCtrl|chromedp.ModifierShift)))
	u.Wait(`__ide.terminal().includes('echo pasted-$((2*3))')`, 10*time.Second)
	u.Type(term, "\r")
	u.Wait(`__ide.terminal().includes('pasted-6')`, 10*time.Second)

	webtest.Eval[chromedp.Void](u, `navigator.clipboard.writeText('nothing yet')`, chromedp.EvalAwaitPromise)
	webtest.Eval[chromedp.Void](u, `__ide.termSelectAll()`)
	u.Do(chromedp.Focus(chromedp.CSS(term)),
		chromedp.KeyEvent("c", chromedp.KeyModifiers(chromedp.ModifierCtrl|chromedp.ModifierShift)))
	deadline := time.Now().Add(10 * webtest.Slack * time.Second)
	for {
		clip := webtest.Eval[string](u, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)
		if strings.Contains(clip, "pasted-6") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clipboard holds %q after Ctrl+Shift+C on the whole terminal", clip)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if pr := u.Problems(); len(pr) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(pr, "\n"))
	}
	if errs := webtest.Eval[[]string](u, `__ide.errors`); len(errs) > 0 {
		t.Errorf("the page showed errors: %q", errs)
	}
}
