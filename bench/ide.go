package bench

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/webtest"
)

// IDEResult is what one run of the browser IDE's measurements found.
type IDEResult struct {
	// Keystroke: a character typed in one browser's editor until the other
	// browser's editor shows it (its DOM changed), timed with the pages'
	// own clocks (one browser, so one clock).
	Keystroke Latencies
	// GoClient: the same edit made by pid1's Go client of the ot service
	// until another Go client receives it, on the same pid1 in the same
	// run: what the service and the socket cost without a browser.
	GoClient Latencies
	// Load: a fresh browser context's navigation start until the IDE is
	// connected and lists the workspace (p50 and max of the loads).
	Load Latencies
	// FirstLoadBytes is what the first load transferred (gzip-encoded
	// bodies of the page, its scripts and styles); TotalGzip is the whole
	// bundle compressed, language chunks loaded later included.
	FirstLoadBytes, TotalGzip int
}

// IDE measures the browser IDE: n keystrokes, n Go-client edits and loads
// page loads, in Debian's chromium against an in-process pid1.
func IDE(tb testing.TB, n, loads int) IDEResult {
	tb.Helper()
	webtest.NeedBuilt(tb)
	p := webtest.StartPid1(tb, map[string]string{"main.py": "print('hello')\n"}, server.Options{})
	br := webtest.StartBrowser(tb)
	var res IDEResult

	// Page loads, each in a fresh browser context (nothing cached).
	var loadTimes []time.Duration
	for i := range loads {
		u := br.NewUser(tb, p, fmt.Sprintf("loader%d", i), true)
		u.Wait(`__ide.inTree('main.py')`, 30*time.Second)
		ms := webtest.Eval[float64](u, `performance.now()`)
		tb.Logf("load %d: DOMContentLoaded %.0f ms, boot %.0f ms, connected %.0f ms, listed %.0f ms", i,
			webtest.Eval[float64](u, `performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd`),
			webtest.Eval[float64](u, `__ide.bootAt`), webtest.Eval[float64](u, `__ide.connectedAt`), ms)
		loadTimes = append(loadTimes, time.Duration(ms*float64(time.Millisecond)))
		if i == 0 {
			res.FirstLoadBytes = webtest.Eval[int](u, `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
				.filter(e => e.name.includes('/assets/') || e.entryType === 'navigation').reduce((s, e) => s + e.encodedBodySize, 0)`)
		}
	}
	res.Load = percentiles(loadTimes)
	res.TotalGzip = webtest.BundleGzipSize(tb)

	alice := br.NewUser(tb, p, "alice", true)
	bob := br.NewUser(tb, p, "bob", true)
	for _, u := range []*webtest.User{alice, bob} {
		u.Click(`#tree [data-path="main.py"]`)
		u.Wait(`__ide.doc('main.py') === "print('hello')\n"`, 10*time.Second)
	}
	webtest.Eval[chromedp.Void](alice, `document.addEventListener('beforeinput', () => { window.__t0 = performance.timeOrigin + performance.now() }, true)`)
	alice.Do(chromedp.Focus(chromedp.CSS(".cm-content")))
	typed := ""
	var keys []time.Duration
	for i := range n {
		c := string(rune('a' + i%26))
		typed += c
		webtest.Eval[chromedp.Void](bob, fmt.Sprintf(`window.__seen = new Promise(resolve => {
			const el = document.querySelector('.cm-content');
			const check = () => el.textContent.includes(%q) && (mo.disconnect(), resolve(performance.timeOrigin + performance.now()), true);
			const mo = new MutationObserver(check);
			mo.observe(el, {subtree: true, childList: true, characterData: true});
			check();
		})`, typed))
		alice.Do(webtest.Keys(c))
		t0 := webtest.Eval[float64](alice, `window.__t0`)
		t1 := webtest.Eval[float64](bob, `window.__seen`, chromedp.EvalAwaitPromise)
		keys = append(keys, time.Duration((t1-t0)*float64(time.Millisecond)))
	}
	res.Keystroke = percentiles(keys)
	res.GoClient = goClientEdits(tb, p, n)
	for _, u := range []*webtest.User{alice, bob} {
		if pr := u.Problems(); len(pr) > 0 {
			tb.Fatalf("%s's console has errors: %q", u.Name, pr)
		}
	}
	return res
}

// goClientEdits times n one-character edits from one Go client of the ot
// service to their arrival at another.
func goClientEdits(tb testing.TB, p *webtest.Pid1, n int) Latencies {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	open := func(user string) *client.Channel {
		c, err := client.Dial(ctx, "ws://"+p.Addr()+"/wsv2/"+p.Token(tb, user, true), nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { c.Close() })
		ch, err := c.Open(ctx, "ot", "ot:go-clients", api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			tb.Fatal(err)
		}
		<-ch.Stream() // otstatus
		return ch
	}
	a, b := open("writer"), open("reader")
	var ds []time.Duration
	for v := range uint32(n) {
		var op []*api.OTOpComponent
		if v > 0 {
			op = append(op, &api.OTOpComponent{OpComponent: &api.OTOpComponent_Skip{Skip: v}})
		}
		op = append(op, &api.OTOpComponent{OpComponent: &api.OTOpComponent_Insert{Insert: "x"}})
		start := time.Now()
		if err := a.Send(ctx, &api.Command{Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: v, Op: op}}}); err != nil {
			tb.Fatalf("edit %d: %v", v, err)
		}
		for cmd := range b.Stream() {
			if cmd.GetOt().GetSpookyVersion() == v+1 {
				break
			}
		}
		ds = append(ds, time.Since(start))
		for cmd := range a.Stream() { // the writer's own broadcast, then its ok
			if cmd.GetError() != "" {
				tb.Fatalf("edit %d: %s", v, cmd.GetError())
			}
			if cmd.GetOk() != nil {
				break
			}
		}
	}
	return percentiles(ds)
}

// String shows p50 and p99 in milliseconds.
func (l Latencies) String() string {
	f := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e6) }
	return fmt.Sprintf("p50 %s ms, p99 %s ms", f(l.P50), f(l.P99))
}

// Ratio is a's p50 over b's.
func Ratio(a, b Latencies) float64 {
	if b.P50 == 0 {
		return math.Inf(1)
	}
	return float64(a.P50) / float64(b.P50)
}
