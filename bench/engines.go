package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/endpoints"
	"github.com/pid1/pid1/internal/msgpack"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// The engine benchmarks time hello world in C and Python through ATO's
// v0 API (connect, request, reply, close), one at a time for latency and
// from EngineClients clients at once for throughput, against the same
// programs run bare in the measuring process: python3 code.py, and bash
// running gcc then the program, each in a fresh directory, started with
// os/exec.

// EngineClients is how many clients the throughput benchmarks run.
const EngineClients = 8

// EngineProgram is one language's hello world.
type EngineProgram struct {
	Language, File, Code string
	Bare                 []string // argv run bare in a directory holding File
	Output               string
}

// EnginePrograms are the programs the engine benchmarks run.
var EnginePrograms = []EngineProgram{
	{"c_gcc", "code.c", "#include <stdio.h>\nint main(void) { puts(\"Hello, World!\"); }\n",
		[]string{"/bin/bash", "-c", "gcc code.c -o program -lm && exec ./program"}, "Hello, World!\n"},
	{"python", "code.py", "print(\"Hello, World!\")\n", []string{"/usr/bin/python3", "code.py"}, "Hello, World!\n"},
}

// EngineServer is ATO's API over a real engine (sandbox and built-in
// runners) on 127.0.0.1, with no per-client limits.
type EngineServer struct {
	URL   string // ws://…/api/v0/ws/execute
	ep    *endpoints.Endpoints
	sb    *sandbox.Sandbox
	http  *http.Server
	stop  context.CancelFunc
	group string
}

// StartEngines starts the engine, whose sandbox uses helper as its helper
// binary ("" for this binary itself). It needs root, as the sandbox does.
func StartEngines(helper string) (*EngineServer, error) {
	rp := reaper.New(reaper.Options{})
	ctx, stop := context.WithCancel(context.Background())
	go rp.Run(ctx)
	group := fmt.Sprintf("pid1-bench-%d", os.Getpid())
	sb, err := sandbox.New(sandbox.Config{Reaper: rp, HelperPath: helper, MaxRuns: EngineClients, MaxQueue: 64, CgroupParent: group})
	if err != nil {
		stop()
		return nil, err
	}
	eng, err := engines.New(engines.Config{Sandbox: sb, Catalog: engines.Runners(runners.Default(ctx, sb, runners.Options{}))})
	if err != nil {
		sb.Close()
		stop()
		return nil, err
	}
	ep := endpoints.New(endpoints.Config{Engine: eng})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sb.Close()
		stop()
		return nil, err
	}
	s := &EngineServer{URL: "ws://" + ln.Addr().String() + "/api/v0/ws/execute", ep: ep, sb: sb,
		http: &http.Server{Handler: ep.Handler()}, stop: stop, group: group}
	go s.http.Serve(ln)
	return s, nil
}

// Close stops the server and its sandbox.
func (s *EngineServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.ep.Shutdown(ctx)
	s.http.Close()
	s.sb.Close()
	s.stop()
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", s.group))
	for _, d := range dirs {
		os.Remove(d)
	}
}

// Run does one v0 request of p and checks its output.
func (s *EngineServer) Run(p EngineProgram) error {
	_, err := s.RunTimed(p)
	return err
}

// RunTimed is Run, returning the time from the request's write to the
// reply's read: what the adapter and the run take, without the
// connection's opening and closing handshakes.
func (s *EngineServer) RunTimed(p EngineProgram) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, s.URL, nil)
	if err != nil {
		return 0, err
	}
	defer c.CloseNow()
	req := msgpack.AppendMapHeader(nil, 2)
	req = msgpack.AppendString(msgpack.AppendString(req, "language"), p.Language)
	req = msgpack.AppendString(msgpack.AppendString(req, "code"), p.Code)
	start := time.Now()
	if err := c.Write(ctx, websocket.MessageBinary, req); err != nil {
		return 0, err
	}
	_, reply, err := c.Read(ctx)
	took := time.Since(start)
	if err != nil {
		return 0, err
	}
	out, err := replyStdout(reply)
	if err != nil {
		return 0, err
	}
	if out != p.Output {
		return 0, fmt.Errorf("%s printed %q", p.Language, out)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		return 0, fmt.Errorf("after the reply: %v", err)
	}
	return took, nil
}

// replyStdout reads the stdout field of a v0 reply.
func replyStdout(b []byte) (string, error) {
	r := msgpack.NewReader(b)
	n, err := r.MapHeader()
	if err != nil {
		return "", err
	}
	for range n {
		k, err := r.String()
		if err != nil {
			return "", err
		}
		if k == "stdout" {
			v, err := r.Bytes()
			return string(v), err
		}
		if err := r.Skip(); err != nil {
			return "", err
		}
	}
	return "", errors.New("a reply without stdout")
}

// RunBare runs p bare: its file in a fresh directory, its argv there.
func RunBare(p EngineProgram) error {
	dir, err := os.MkdirTemp("", "pid1-bench-bare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, p.File), []byte(p.Code), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(p.Bare[0], p.Bare[1:]...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%v: %w", p.Bare, err)
	}
	if string(out) != p.Output {
		return fmt.Errorf("%v printed %q", p.Bare, out)
	}
	return nil
}

// Sequential times n runs of run, one at a time, after one untimed.
func Sequential(n int, run func() error) (Latencies, error) {
	if err := run(); err != nil {
		return Latencies{}, err
	}
	ds := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := run(); err != nil {
			return Latencies{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return percentiles(ds), nil
}

// Concurrent does n runs of run from clients goroutines at once and
// returns runs a second.
func Concurrent(clients, n int, run func() error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := run(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n) / elapsed.Seconds(), nil
}
