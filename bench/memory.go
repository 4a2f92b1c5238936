package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/pid1/server"
)

// ChildEnv selects the server a re-executed benchmark binary runs (see
// ServeChild): "hub" or "raw".
const ChildEnv = "PID1_BENCH_CHILD"

// ServeChild runs the server named by kind in this process and answers
// the parent on stdin/stdout: it prints "url URL" once serving, and for
// each "stats" line it collects garbage and prints "heap N rss N". The
// server runs alone in its process so that its memory is measured apart
// from the clients', and its goroutines do not wait behind theirs. Kinds:
// "hub" and "raw" (see MeasureConns), "ot", "ot-lazy" and "ot-nolog" (a
// hub whose workspace holds the ot benchmark's document, with the op log
// fsyncing before each ack, fsyncing every 200 ms, or off; see
// OTThroughput).
func ServeChild(kind string) error {
	var url string
	switch kind {
	case "hub", "ot", "ot-lazy", "ot-nolog":
		o := server.Options{NoOTLog: kind == "ot-nolog"}
		if kind == "ot-lazy" {
			o.OTLogSyncInterval = 200 * time.Millisecond
		}
		h, err := startHub(o)
		if err != nil {
			return err
		}
		defer h.Close()
		if kind != "hub" {
			if err := os.WriteFile(filepath.Join(h.srv.Workspace(), otFile), []byte(OTDocument()), 0o644); err != nil {
				return err
			}
		}
		if url, err = h.URL("bench"); err != nil {
			return err
		}
	case "raw":
		r, err := StartRaw()
		if err != nil {
			return err
		}
		defer r.Close()
		url = r.URL("idle")
	default:
		return fmt.Errorf("%s=%q: want hub, raw, ot, ot-lazy or ot-nolog", ChildEnv, kind)
	}
	fmt.Printf("url %s\n", url)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() != "stats" {
			continue
		}
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		rss, _ := RSS(os.Getpid())
		fmt.Printf("heap %d rss %d\n", ms.HeapAlloc, rss)
	}
	return nil
}

// RSS reads a process's resident set size in bytes from /proc.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// ConnMemory is what idle connections cost a server.
type ConnMemory struct {
	Conns            int
	HeapBefore       int64
	HeapAfter        int64
	RSSBefore        int64
	RSSAfter         int64
	HeapPerConnBytes float64
}

type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (c *child) line(prefix string) ([]string, error) {
	for c.out.Scan() {
		if f := strings.Fields(c.out.Text()); len(f) > 0 && f[0] == prefix {
			return f, nil
		}
	}
	return nil, fmt.Errorf("benchmark child ended before printing %q: %v", prefix, c.out.Err())
}

// startChild starts self (a binary that calls ServeChild when ChildEnv
// is set) as a kind server, with env added to its environment, and
// returns it with the URL it serves.
func startChild(self, kind string, env ...string) (*child, string, error) {
	cmd := exec.Command(self)
	cmd.Env = append(append(os.Environ(), ChildEnv+"="+kind), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	f, err := c.line("url")
	if err != nil || len(f) != 2 {
		c.stop()
		return nil, "", fmt.Errorf("benchmark child: %q, %v", f, err)
	}
	return c, f[1], nil
}

// stop ends the child: closing its stdin ends ServeChild, which shuts
// its server down; a child that does not end in 10 s is killed.
func (c *child) stop() {
	c.in.Close()
	ended := make(chan struct{})
	go func() { c.cmd.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-ended
	}
}

func (c *child) stats() (heap, rss int64, err error) {
	if _, err := io.WriteString(c.in, "stats\n"); err != nil {
		return 0, 0, err
	}
	f, err := c.line("heap")
	if err != nil || len(f) != 4 {
		return 0, 0, fmt.Errorf("bad stats line %q: %v", f, err)
	}
	heap, _ = strconv.ParseInt(f[1], 10, 64)
	rss, _ = strconv.ParseInt(f[3], 10, 64)
	return heap, rss, nil
}

// MeasureConns starts self (a binary that calls ServeChild when ChildEnv
// is set) as a kind server, opens n idle connections to it (for the hub,
// each with one open chat channel) and reports the server's heap growth.
func MeasureConns(self, kind string, n int) (ConnMemory, error) {
	c, url, err := startChild(self, kind)
	if err != nil {
		return ConnMemory{}, err
	}
	defer c.stop()
	m := ConnMemory{Conns: n}
	if m.HeapBefore, m.RSSBefore, err = c.stats(); err != nil {
		return m, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for range n {
		switch kind {
		case "hub":
			cl, err := client.Dial(ctx, url, nil)
			if err != nil {
				return m, err
			}
			defer cl.Close()
			if _, err := cl.Open(ctx, "chat", "", api.OpenChannel_CREATE); err != nil {
				return m, err
			}
		default:
			conn, _, err := websocket.Dial(ctx, url, nil)
			if err != nil {
				return m, err
			}
			defer conn.CloseNow()
		}
	}
	time.Sleep(500 * time.Millisecond) // let the last handshakes settle
	if m.HeapAfter, m.RSSAfter, err = c.stats(); err != nil {
		return m, err
	}
	m.HeapPerConnBytes = float64(m.HeapAfter-m.HeapBefore) / float64(n)
	return m, nil
}

// IdleRSS starts the pid1 binary at bin on a temporary workspace, waits
// until it serves and has been idle for settle, and reads its RSS.
func IdleRSS(bin, dir string, settle time.Duration) (int64, error) {
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-workspace", dir+"/ws", "-state-dir", dir+"/state", "-print-url=false", "-metrics-listen=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "pid1 serving") {
			go io.Copy(io.Discard, stderr)
			time.Sleep(settle)
			return RSS(cmd.Process.Pid)
		}
	}
	return 0, fmt.Errorf("pid1 exited before serving")
}
