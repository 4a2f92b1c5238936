package web_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/testutil"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestTokenStaysOutOfURLAndLogs: the page takes its token from the URL's
// fragment and removes it from the address bar, a reload of the tab still
// connects (the tab keeps the token), and pid1's log, at debug level,
// never holds the token.
func TestTokenStaysOutOfURLAndLogs(t *testing.T) {
	webtest.NeedBuilt(t)
	var logs testutil.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := webtest.StartPid1(t, map[string]string{"main.py": "x = 1\n"}, server.Options{Logger: logger})
	b := webtest.StartBrowser(t)
	u := b.NewUser(t, p, "alice", true)
	token := u.URL[strings.Index(u.URL, "#token=")+len("#token="):]
	if href := webtest.Eval[string](u, `location.href`); strings.Contains(href, "token") || strings.Contains(href, token[:20]) {
		t.Errorf("the address bar still holds the token: %s", href)
	}
	u.Do(chromedp.Reload())
	u.Wait(`window.__ide && window.__ide.ready && __ide.conn() === 'connected' && __ide.inTree('main.py')`, 30*time.Second)
	u.Click(`#tree [data-path="main.py"]`)
	u.Wait(`__ide.doc('main.py') === "x = 1\n"`, 10*time.Second)
	u.Type(`#terminal .xterm-helper-textarea`, "echo logged-$((1+1))\r")
	u.Wait(`__ide.terminal().includes('logged-2')`, 15*time.Second)

	out := logs.String()
	if out == "" {
		t.Fatal("pid1 logged nothing at debug level: the check below would prove nothing")
	}
	// v2.public.PAYLOAD.FOOTER: the payload (claims and signature) is the
	// part no other string shares.
	parts := strings.Split(token, ".")
	if len(parts) < 3 {
		t.Fatalf("the token %q is not v2.public.PAYLOAD[.FOOTER]", token)
	}
	for _, s := range []string{token, parts[2]} {
		if strings.Contains(out, s) {
			t.Errorf("pid1's log holds the token (%q…):\n%s", s[:min(len(s), 24)], out)
		}
	}
	t.Logf("pid1 logged %d lines, none with the token", strings.Count(out, "\n"))
}
