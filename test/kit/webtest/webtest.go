// Package webtest drives pid1's browser IDE in a real browser, for tests
// and benchmarks: a pid1 server on a temporary workspace (which a test can
// stop and start again on the same address), Debian's chromium started
// headless by chromedp, and users, each a browser context of its own (own
// storage, own connection) reaching pid1 through a proxy the test can cut.
// Waits are on conditions in the page, with timeouts stretched by Slack.
//
// A Browser and its Users are used from one goroutine at a time per User;
// the proxy and the console collection are safe for concurrent use.
package webtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/web"
)

// Pid1 is a pid1 server on loopback with a temporary workspace.
type Pid1 struct {
	Server    *server.Server
	HTTP      *httptest.Server
	Workspace string
	opts      server.Options
	addr      string // while stopped
}

// StartPid1 starts pid1 on a workspace holding files (path → content),
// with the engine (nil: engines off). It is shut down when the test ends.
func StartPid1(tb testing.TB, files map[string]string, o server.Options) *Pid1 {
	tb.Helper()
	base := tb.TempDir()
	ws := filepath.Join(base, "workspace")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		tb.Fatal(err)
	}
	for p, c := range files {
		full := filepath.Join(ws, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	o.Workspace, o.StateDir = ws, filepath.Join(base, "state")
	// The shells pid1 starts read $HOME's start-up files. The machine's
	// own are not the test's: root's .bashrc may run pyenv, whose rehash
	// lock a killed shell leaves behind, and every later bash waits on it.
	home := filepath.Join(base, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("HOME", home)
	if o.Language == "" {
		o.Language = "python3"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Pid1{Workspace: ws, opts: o}
	p.start(tb, ln)
	return p
}

// start serves a new pid1 on ln.
func (p *Pid1) start(tb testing.TB, ln net.Listener) {
	tb.Helper()
	srv, err := server.New(p.opts)
	if err != nil {
		ln.Close()
		tb.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	p.Server, p.HTTP = srv, hs
	tb.Cleanup(func() { p.stop() })
}

// stop shuts the server down (pid1's own shutdown: every client is sent
// a close frame) and closes its listener; again is a no-op.
func (p *Pid1) stop() error {
	if p.HTTP == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.Server.Shutdown(ctx)
	p.HTTP.Close()
	p.HTTP, p.Server = nil, nil
	return err
}

// Stop shuts pid1 down as its process does on SIGTERM: the clients'
// sockets are closed from the server's side, and its address refuses
// connections until Start.
func (p *Pid1) Stop(tb testing.TB) {
	tb.Helper()
	p.addr = p.Addr()
	if err := p.stop(); err != nil {
		tb.Fatalf("shutting pid1 down: %v", err)
	}
}

// Start starts a new pid1 after Stop, on the same address, workspace and
// state directory.
func (p *Pid1) Start(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		tb.Fatalf("listening on %s again: %v", p.addr, err)
	}
	p.start(tb, ln)
}

// Addr is pid1's host:port.
func (p *Pid1) Addr() string { return strings.TrimPrefix(p.HTTP.URL, "http://") }

// Token mints a token for user.
func (p *Pid1) Token(tb testing.TB, user string, canWrite bool) string {
	tb.Helper()
	tok, err := p.Server.Token(user, canWrite, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Browser is one headless chromium.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NeedBuilt fails tb when pid1 was compiled without the IDE's bundle.
func NeedBuilt(tb testing.TB) {
	tb.Helper()
	if !web.Built(web.Bundle()) {
		tb.Fatal("pid1 was compiled without the IDE bundle: `make test` builds it (or cd web && npm ci && npm run build) before go test")
	}
}

// StartBrowser starts chromium; it is closed when the test ends.
func StartBrowser(tb testing.TB) *Browser {
	tb.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		tb.Fatal("chromium is not installed; `make test` installs it as root (Debian chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Containers give /dev/shm 64 MiB; several pages outgrow it.
		chromedp.Flag("disable-dev-shm-usage", true),
		// Two users are two tabs of one browser: the one not in front
		// must keep its timers (the editor's flush, the reconnects).
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		cancel()
		cancelAlloc()
		tb.Fatalf("starting chromium: %v", err)
	}
	b := &Browser{ctx: ctx, cancel: func() { cancel(); cancelAlloc() }}
	tb.Cleanup(b.cancel)
	return b
}

// User is one person in the IDE: a browser context of their own.
type User struct {
	Name  string
	Proxy *Proxy
	URL   string // the IDE's URL, token included
	ctx   context.Context
	tb    testing.TB

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// NewUser opens a browser context for name and loads the IDE through a
// proxy of its own; it waits until the page is connected.
func (b *Browser) NewUser(tb testing.TB, p *Pid1, name string, canWrite bool) *User {
	tb.Helper()
	u := b.Open(tb, p, name, p.Token(tb, name, canWrite))
	u.Wait(`window.__ide && window.__ide.ready && window.__ide.conn() === 'connected'`, 30*time.Second)
	return u
}

// Open opens a browser context and loads the IDE with token (none when
// empty) through a proxy of its own, without waiting for anything.
func (b *Browser) Open(tb testing.TB, p *Pid1, name, token string) *User {
	tb.Helper()
	proxy := NewProxy(tb, p.Addr())
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	u := &User{Name: name, Proxy: proxy, ctx: ctx, tb: tb, URL: "http://" + proxy.Addr() + "/"}
	if token != "" {
		u.URL += "#token=" + token
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			u.mu.Lock()
			u.console = append(u.console, m)
			u.mu.Unlock()
		}
	}()
	u.Do(chromedp.Navigate(u.URL))
	return u
}

// Bind makes the user's helpers fail tb (a subtest) from now on.
func (u *User) Bind(tb testing.TB) { u.tb = tb }

// Do runs actions in the user's tab, failing the test on an error.
func (u *User) Do(actions ...chromedp.Action[chromedp.Void]) {
	u.tb.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		u.tb.Fatalf("%s: %v", u.Name, err)
	}
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](u *User, expr string, opts ...chromedp.EvaluateOption) T {
	u.tb.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		u.tb.Fatalf("%s: evaluating %s: %v", u.Name, expr, err)
	}
	return v
}

// Wait waits until the expression is truthy in the page, for up to
// timeout (times Slack).
func (u *User) Wait(expr string, timeout time.Duration) {
	u.tb.Helper()
	if err := u.TryWait(expr, timeout); err != nil {
		shot := u.Screenshot(u.tb.ArtifactDir(), "failed-"+u.Name)
		u.tb.Fatalf("%s: waiting for %s: %v (the page: %s)", u.Name, expr, err, shot)
	}
}

// Slack multiplies every wait's timeout: the timeouts the tests give are
// ample for a quiet machine, and a CI machine may run several test
// binaries per core. A wait that succeeds returns as soon as its
// condition holds, so the slack only delays a failure.
const Slack = 3

// TryWait is Wait returning the error.
func (u *User) TryWait(expr string, timeout time.Duration) error {
	timeout *= Slack
	ctx, cancel := context.WithTimeout(u.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(5*time.Millisecond)))
	return err
}

// Screenshot saves a PNG of the page as dir/name.png and returns its path.
func (u *User) Screenshot(dir, name string) string {
	u.tb.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		u.tb.Fatalf("%s: screenshot: %v", u.Name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.tb.Fatal(err)
	}
	return path
}

// Problems are the console's errors and uncaught exceptions so far.
func (u *User) Problems() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, m := range u.console {
		if m.IsException() || m.Type == "error" || m.Type == "assert" {
			out = append(out, fmt.Sprintf("%s (%s %s:%d)", m.Text, m.Type, m.URL, m.Line))
		}
	}
	return out
}

// Click clicks the first element sel (CSS) matches.
func (u *User) Click(sel string) {
	u.tb.Helper()
	u.Do(chromedp.Click(chromedp.CSS(sel)))
}

// Type focuses the first element sel matches and types text into it
// (see Keys).
func (u *User) Type(sel, text string) {
	u.tb.Helper()
	u.Do(chromedp.Focus(chromedp.CSS(sel)), Keys(text))
}

// TypeAtEnd types text at the end of the editor's document.
func (u *User) TypeAtEnd(text string) {
	u.tb.Helper()
	u.Do(chromedp.Focus(chromedp.CSS(".cm-content")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), Keys(text))
}

// TypeAtStart types text at the start of the editor's document.
func (u *User) TypeAtStart(text string) {
	u.tb.Helper()
	u.Do(chromedp.Focus(chromedp.CSS(".cm-content")),
		chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(chromedp.ModifierCtrl)), Keys(text))
}

// Keys types text into the focused element one character at a time, as a
// keyboard's text input reaches a page, and a newline as the Enter key
// (its keydown and keyup, which editors and terminals act on). chromedp's
// KeyEvent also sends each character's char event after a keydown that
// carries the text, which CodeMirror and xterm.js both take as a second
// character.
func Keys(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range text {
			if r == '\n' || r == '\r' {
				for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
					if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
						Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}); err != nil {
						return err
					}
				}
				continue
			}
			if _, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: string(r)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AllowDownloads makes the user's browser context save downloads into dir
// under the names the page gives them.
func (u *User) AllowDownloads(dir string) {
	u.tb.Helper()
	id := chromedp.FromContext(u.ctx).BrowserContextID
	u.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: id, DownloadPath: dir})
		return err
	}))
}

// AllowClipboard lets the user's pages read and write the clipboard
// without asking, as a person who allowed it once.
func (u *User) AllowClipboard() {
	u.tb.Helper()
	id := chromedp.FromContext(u.ctx).BrowserContextID
	origin := "http://" + u.Proxy.Addr()
	u.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.Call(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
				Setting:    browser.PermissionSettingGranted, Origin: origin, BrowserContextID: id}); err != nil {
				return fmt.Errorf("granting %s: %w", name, err)
			}
		}
		return nil
	}))
}

// Context is the user's tab, for actions this package has no helper for.
func (u *User) Context() context.Context { return u.ctx }

// Proxy forwards TCP connections to pid1 and can cut them, as a network
// cut or a restart of the server's side does.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	hold  time.Time // new connections wait until then
}

// NewProxy listens on 127.0.0.1 and forwards to target.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	go p.serve()
	tb.Cleanup(func() {
		ln.Close()
		p.Cut(0)
	})
	return p
}

func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *Proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *Proxy) forward(c net.Conn) {
	for { // held: wait, looking again now and then (Release ends a hold early)
		p.mu.Lock()
		wait := time.Until(p.hold)
		p.mu.Unlock()
		if wait <= 0 {
			break
		}
		time.Sleep(min(wait, 20*time.Millisecond))
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.track(c, up)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// Cut closes every connection now and holds new ones for hold before
// forwarding them (the page sees its socket close, and its reconnects
// wait, without failing, until the hold is over).
func (p *Proxy) Cut(hold time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = time.Now().Add(hold)
	for c := range p.conns {
		c.Close()
	}
}

// WaitFile waits until the file at path holds want, or, with exists
// false, until there is no file there (timeout times Slack).
func WaitFile(tb testing.TB, path, want string, exists bool, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout * Slack)
	for {
		data, err := os.ReadFile(path)
		if (err == nil) == exists && (!exists || string(data) == want) {
			return
		}
		if time.Now().After(deadline) {
			dir, _ := os.ReadDir(filepath.Dir(path))
			names := make([]string, len(dir))
			for i, e := range dir {
				names[i] = e.Name()
			}
			tb.Fatalf("%s: exists %v, %q (%v); want exists %v, %q (its directory holds %q)", path, err == nil, data, err, exists, want, names)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Release ends a hold: connections waiting go through now.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = time.Time{}
}

// BundleGzipSize is the size of the embedded bundle with every file
// gzipped as the server sends it.
func BundleGzipSize(tb testing.TB) int {
	tb.Helper()
	total := 0
	err := fs.WalkDir(web.Bundle(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		data, err := fs.ReadFile(web.Bundle(), path)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		total += b.Len()
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return total
}
