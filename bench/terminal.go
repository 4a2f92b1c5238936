package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/middleware/termed"
)

// textFile writes size bytes of printable lines to a temporary file.
func textFile(size int) (string, func(), error) {
	dir, err := os.MkdirTemp("", "pid1-bench-tty-")
	if err != nil {
		return "", nil, err
	}
	line := []byte(strings.Repeat("all work and no play makes pid1 a dull init ", 2) + "\n")
	data := bytes.Repeat(line, size/len(line)+1)[:size]
	p := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return p, func() { os.RemoveAll(dir) }, nil
}

// shellChannel starts a hub and opens a shell on it, waiting for its
// first output (the prompt).
func shellChannel() (*client.Channel, func(), error) {
	_, ch, done, err := shellClient()
	return ch, done, err
}

// shellClient starts a hub and opens a shell channel on a new connection.
func shellClient() (*client.Client, *client.Channel, func(), error) {
	// bash reads ~/.bashrc, which on a developer's machine may do anything
	// (pyenv, network); the measurement uses a home without one.
	home, err := os.MkdirTemp("", "pid1-bench-home-")
	if err != nil {
		return nil, nil, nil, err
	}
	defer os.RemoveAll(home)
	os.Setenv("HOME", home)
	h, err := StartHub()
	if err != nil {
		return nil, nil, nil, err
	}
	fail := func(err error) (*client.Client, *client.Channel, func(), error) { h.Close(); return nil, nil, nil, err }
	url, err := h.URL("bench")
	if err != nil {
		return fail(err)
	}
	c, err := client.Dial(context.Background(), url, nil)
	if err != nil {
		return fail(err)
	}
	ch, err := c.Open(context.Background(), "shell", "", api.OpenChannel_CREATE)
	if err != nil {
		c.Close()
		return fail(err)
	}
	done := func() { c.Close(); h.Close() }
	if err := typeAndWait(ch, "PS1='$ '; echo READY-$((1+1))\r", "READY-2", 30*time.Second); err != nil {
		done()
		return nil, nil, nil, err
	}
	return c, ch, done, nil
}

// FloodPing measures n channel-0 ping round trips, 10 ms apart, on a
// connection whose shell channel is flooded by `yes` (the client reads the
// flood as fast as it arrives): how long control traffic waits behind a
// program's output.
func FloodPing(n int) (Latencies, error) {
	c, ch, done, err := shellClient()
	if err != nil {
		return Latencies{}, err
	}
	defer done()
	if err := typeAndWait(ch, "yes all work and no play\r", "no play\r\nall work", 10*time.Second); err != nil {
		return Latencies{}, err
	}
	stop := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-ch.Stream():
			case <-stop:
				return
			}
		}
	}()
	ds := make([]time.Duration, 0, n)
	for range n {
		d, err := c.Ping(context.Background())
		if err != nil {
			close(stop)
			return Latencies{}, err
		}
		ds = append(ds, d)
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	<-drained
	ch.Send(context.Background(), &api.Command{Body: &api.Command_Input{Input: "\x03"}})
	return percentiles(ds), nil
}

// typeAndWait sends input and reads output until it contains want,
// returning how many output bytes arrived.
func typeAndWait(ch *client.Channel, input, want string, timeout time.Duration) error {
	_, err := typeAndCount(ch, input, want, timeout)
	return err
}

func typeAndCount(ch *client.Channel, input, want string, timeout time.Duration) (int, error) {
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Input{Input: input}}); err != nil {
		return 0, err
	}
	deadline := time.After(timeout)
	n := 0
	var tail string
	for {
		select {
		case c, ok := <-ch.Stream():
			if !ok {
				return n, errors.New("the channel closed")
			}
			out := c.GetOutput()
			n += len(out)
			// want may straddle messages: look in the end of the last ones
			// joined to the start of this one, then in this one, without
			// copying a whole (up to 1 MiB) message.
			if strings.Contains(tail+out[:min(len(out), len(want))], want) || strings.Contains(out, want) {
				return n, nil
			}
			if len(out) >= len(want) {
				tail = out[len(out)-len(want):]
			} else {
				tail = (tail + out)[max(0, len(tail)+len(out)-len(want)):]
			}
		case <-deadline:
			return n, fmt.Errorf("no %q within %v", want, timeout)
		}
	}
}

// ShellThroughput measures bytes per second of `cat` of a size-byte file
// delivered to a client through a shell channel.
func ShellThroughput(size int) (float64, error) {
	file, cleanup, err := textFile(size)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	ch, done, err := shellChannel()
	if err != nil {
		return 0, err
	}
	defer done()
	start := time.Now()
	n, err := typeAndCount(ch, "cat "+file+"; echo END-$((40+2))\r", "END-42", 5*time.Minute)
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// PtyThroughput is ShellThroughput's limit: `cat` of the same file on a
// pty read directly in-process.
func PtyThroughput(size int) (float64, error) {
	file, cleanup, err := textFile(size)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	start := time.Now()
	cmd := osexec.Command("cat", file)
	f, err := pty.Start(cmd)
	if err != nil {
		return 0, err
	}
	defer func() { f.Close(); cmd.Wait() }()
	n, err := io.Copy(io.Discard, f)
	if err != nil && !errors.Is(err, os.ErrClosed) && !isEIO(err) {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func isEIO(err error) bool { return err != nil && strings.Contains(err.Error(), "input/output error") }

// ShellEcho measures, n times, the time from typing a character into a
// shell channel to its echo arriving.
func ShellEcho(n int) (Latencies, error) {
	ch, done, err := shellChannel()
	if err != nil {
		return Latencies{}, err
	}
	defer done()
	ds := make([]time.Duration, 0, n)
	for i := range n {
		k := keystroke(i)
		start := time.Now()
		if err := typeAndWait(ch, k, k, 5*time.Second); err != nil {
			return Latencies{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return percentiles(ds), nil
}

// PtyEcho is ShellEcho's baseline: the same keystrokes written to a pty
// running bash in-process, and its echo read back directly.
func PtyEcho(n int) (Latencies, error) {
	master, tty, err := termed.OpenPTY()
	if err != nil {
		return Latencies{}, err
	}
	defer master.Close()
	cmd := osexec.Command("bash", "--norc", "--noprofile")
	cmd.Env = append(os.Environ(), "PS1=$ ")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		tty.Close()
		return Latencies{}, err
	}
	tty.Close()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 4096)
	readUntil := func(want string) error {
		var seen string
		master.SetReadDeadline(time.Now().Add(5 * time.Second))
		for !strings.Contains(seen, want) {
			m, err := master.Read(buf)
			if err != nil {
				return err
			}
			seen += string(buf[:m])
		}
		return nil
	}
	if _, err := master.WriteString("echo READY-$((1+1))\r"); err != nil {
		return Latencies{}, err
	}
	if err := readUntil("READY-2"); err != nil {
		return Latencies{}, err
	}
	ds := make([]time.Duration, 0, n)
	for i := range n {
		k := keystroke(i)
		start := time.Now()
		if _, err := master.WriteString(k); err != nil {
			return Latencies{}, err
		}
		if err := readUntil(k); err != nil {
			return Latencies{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return percentiles(ds), nil
}

// keystroke is the i-th key typed: letters, on one growing line.
func keystroke(i int) string { return string(rune('a' + i%26)) }
