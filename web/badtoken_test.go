package web_test

import (
	"testing"
	"time"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// TestBadTokensAreExplained: a page opened without a token, with one it
// cannot read, with another pid1's or with an expired one says what is
// wrong and what to do, instead of showing a broken IDE.
func TestBadTokensAreExplained(t *testing.T) {
	webtest.NeedBuilt(t)
	p := webtest.StartPid1(t, map[string]string{"main.py": ""}, server.Options{})
	other := webtest.StartPid1(t, nil, server.Options{})
	expired, err := p.Server.Token("old", true, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.StartBrowser(t)
	for _, c := range []struct{ name, token, want string }{
		{"none", "", "this page needs a token"},
		{"unreadable", "not-a-token", "this is not a pid1 token"},
		{"another pid1's", other.Token(t, "eve", true), "refuses the connection"},
		{"expired", expired, "your token expired"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := b.Open(t, p, c.name, c.token)
			u.Wait(`(b => !b.hidden && b.textContent.includes(`+jsString(c.want)+`))(document.querySelector('#banner'))`, 30*time.Second)
			t.Logf("the page says: %s", webtest.Eval[string](u, `document.querySelector('#banner').textContent`))
			if webtest.Eval[bool](u, `!!(window.__ide && window.__ide.conn() === 'connected')`) {
				t.Error("the page connected")
			}
			u.Screenshot(t.ArtifactDir(), "bad-token")
		})
	}
}
