package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/pid1/pid1/internal/auth"
	"github.com/pid1/pid1/pid1/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "conman-repl:", err)
		os.Exit(1)
	}
}

func run() error {
	url := flag.String("url", os.Getenv("PID1_URL"), "pid1 to connect to: ws://HOST:PORT/wsv2/TOKEN, or ws://HOST:PORT with -token; empty starts pid1 in process")
	token := flag.String("token", os.Getenv("PID1_TOKEN"), "token, when -url has none")
	script := flag.String("script", "", "read commands from this file (- for stdin) instead of interactively")
	echo := flag.Bool("echo", false, "in scripted mode, echo each command as '> command' (transcript form)")
	settle := flag.Duration("settle", 300*time.Millisecond, "in scripted mode, wait this long without output before the next command")
	user := flag.String("user", "replbot", "user name of the default client")
	stateDir := flag.String("state-dir", auth.DefaultStateDir(), "with -url: a local pid1's state directory, whose key mints a token per client")
	workspace := flag.String("workspace", "", "workspace for the in-process pid1 (default: a new temporary directory)")
	language := flag.String("language", os.Getenv("LANGUAGE"), "language of the in-process workspace (for services that run code)")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	var dial dialer
	if *url == "" {
		d, cleanup, err := startInProcess(*workspace, *user, *language)
		if err != nil {
			return err
		}
		defer cleanup()
		dial = d
	} else {
		d, err := remoteDialer(*url, *token, *user, *stateDir)
		if err != nil {
			return err
		}
		dial = d
	}

	r := newREPL(dial, os.Stdout)
	defer r.closeAll()
	interactive := *script == "" && term.IsTerminal(int(os.Stdin.Fd()))
	if interactive {
		return r.interactive(ctx)
	}
	var in io.Reader = os.Stdin
	if *script != "" && *script != "-" {
		f, err := os.Open(*script)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	r.scripted(ctx, in, *echo, *settle)
	r.closeAll()
	if n := r.failures.Load(); n > 0 {
		return fmt.Errorf("%d command(s) failed or connection(s) were lost", n)
	}
	return nil
}

// dialer connects a client; name is "" for the default client.
type dialer func(ctx context.Context, name string) (url string, err error)

// remoteDialer connects to a running pid1. The default client uses the
// token in the URL or -token. When the pid1 runs on this machine and its
// signing key is in stateDir, every other client gets a token minted for
// its own name (and the default client one for user, if none was given);
// otherwise they all share the default token.
func remoteDialer(url, token, user, stateDir string) (dialer, error) {
	base, urlToken, _ := strings.Cut(url, "/wsv2/")
	base = strings.TrimSuffix(base, "/")
	if urlToken != "" {
		token = urlToken
	}
	key, keyErr := auth.LoadKey(stateDir)
	if token == "" && keyErr != nil {
		return nil, fmt.Errorf("-url %s has no /wsv2/TOKEN, no -token was given, and there is no key to mint one (%v)", url, keyErr)
	}
	mint := func(name string) (string, error) {
		now := time.Now()
		return key.Mint(auth.Claims{UserID: auth.UserIDFor(name), UserName: name, CanWrite: true, IssuedAt: now, Expires: now.Add(24 * time.Hour)})
	}
	return func(_ context.Context, name string) (string, error) {
		switch {
		case name == "" && token != "":
			return base + "/wsv2/" + token, nil
		case keyErr != nil:
			return base + "/wsv2/" + token, nil
		case name == "":
			name = user
		}
		tok, err := mint(name)
		return base + "/wsv2/" + tok, err
	}, nil
}

// startInProcess runs pid1 on 127.0.0.1 with a temporary workspace, state
// directory and audio directory (the pipe is TMP/audio/audio), and mints a token per client named after it.
func startInProcess(workspace, defaultUser, language string) (dialer, func(), error) {
	tmp, err := os.MkdirTemp("", "conman-repl-")
	if err != nil {
		return nil, nil, err
	}
	if workspace == "" {
		workspace = filepath.Join(tmp, "workspace")
	}
	srv, err := server.New(server.Options{Workspace: workspace, StateDir: filepath.Join(tmp, "state"), Language: language,
		Engine: inProcessEngine, Asy: inProcessAsy, AudioDir: filepath.Join(tmp, "audio")})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	cleanup := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = hs.Shutdown(ctx)
		os.RemoveAll(tmp)
	}
	base := "ws://" + ln.Addr().String() + "/wsv2/"
	return func(_ context.Context, name string) (string, error) {
		if name == "" {
			name = defaultUser
		}
		tok, err := srv.Token(name, true, 24*time.Hour)
		return base + tok, err
	}, cleanup, nil
}
