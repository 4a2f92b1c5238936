package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// channel starts a hub and opens an anonymous channel of service on it.
func channel(b B, service string) (*Hub, *client.Channel, func()) {
	h, err := StartHub()
	if err != nil {
		b.Fatal(err)
	}
	url, err := h.URL("bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := c.Open(ctx, service, "", api.OpenChannel_CREATE)
	if err != nil {
		b.Fatal(err)
	}
	return h, ch, func() { c.Close(); h.Close() }
}

// request sends cmd, waits for its answer and empties the stream.
func request(b B, ch *client.Channel, cmd *api.Command) *api.Command {
	r, err := ch.Request(context.Background(), cmd)
	if err != nil {
		b.Fatal(err)
	}
	if r.GetError() != "" {
		b.Fatalf("%v: %s", cmd, r.GetError())
	}
	for {
		select {
		case <-ch.Stream():
			continue
		default:
		}
		return r
	}
}

// ExecHub times exec of `true` through an exec channel, request to ok.
func ExecHub(b B, n int) {
	_, ch, done := channel(b, "exec")
	defer done()
	run := &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"true"}}}}
	b.ResetTimer()
	for range n {
		request(b, ch, run)
	}
}

// ExecDirect is ExecHub's baseline: os/exec runs `true` in-process.
func ExecDirect(b B, n int) {
	for range n {
		if err := osexec.Command("true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// FileSize is the size FilesBig* write and read back.
const FileSize = 1 << 20

// SmallFiles is how many small files FilesSmall* write and read back.
const SmallFiles = 1000

func write(p string, b []byte) *api.Command {
	return &api.Command{Body: &api.Command_Write{Write: &api.File{Path: p, Content: b}}}
}

func read(p string) *api.Command {
	return &api.Command{Body: &api.Command_Read{Read: &api.File{Path: p}}}
}

// FilesBigHub writes and reads back a 1 MiB file through a files channel,
// reporting MB/s (both directions counted).
func FilesBigHub(b B, n int) {
	_, ch, done := channel(b, "files")
	defer done()
	data := bytes.Repeat([]byte("0123456789abcdef"), FileSize/16)
	b.ResetTimer()
	start := time.Now()
	for range n {
		request(b, ch, write("big.bin", data))
		if r := request(b, ch, read("big.bin")); len(r.GetFile().GetContent()) != FileSize {
			b.Fatalf("read %d bytes", len(r.GetFile().GetContent()))
		}
	}
	b.ReportMetric(float64(2*n*FileSize)/time.Since(start).Seconds()/1e6, "MB/s")
}

// FilesBigDirect is the baseline: os.WriteFile and os.ReadFile.
func FilesBigDirect(b B, n int) { filesBig(b, n, false) }

// FilesBigDurable is FilesBigDirect with writes made as durable as the
// files service makes them (temporary file, fsync, rename, fsync of the
// directory).
func FilesBigDurable(b B, n int) { filesBig(b, n, true) }

func filesBig(b B, n int, durable bool) {
	dir, err := os.MkdirTemp("", "pid1-bench-direct-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	data := bytes.Repeat([]byte("0123456789abcdef"), FileSize/16)
	p := filepath.Join(dir, "big.bin")
	start := time.Now()
	write := os.WriteFile
	if durable {
		write = durableWrite
	}
	for range n {
		if err := write(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		if got, err := os.ReadFile(p); err != nil || len(got) != FileSize {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*n*FileSize)/time.Since(start).Seconds()/1e6, "MB/s")
}

// FilesSmallHub writes and reads back 1,000 files of 1 KiB per round,
// reporting files/s (a write and a read count as one file).
func FilesSmallHub(b B, n int) {
	_, ch, done := channel(b, "files")
	defer done()
	data := bytes.Repeat([]byte("x"), 1024)
	b.ResetTimer()
	start := time.Now()
	for range n {
		for i := range SmallFiles {
			p := fmt.Sprintf("small/%d.txt", i)
			request(b, ch, write(p, data))
			request(b, ch, read(p))
		}
	}
	b.ReportMetric(float64(n*SmallFiles)/time.Since(start).Seconds(), "files/s")
}

// FilesSmallDirect is the baseline: os.WriteFile and os.ReadFile.
func FilesSmallDirect(b B, n int) { filesSmall(b, n, false) }

// FilesSmallDurable is FilesSmallDirect with the durability the files
// service gives each write: a temporary file, fsync, rename, fsync of the
// directory.
func FilesSmallDurable(b B, n int) { filesSmall(b, n, true) }

func filesSmall(b B, n int, durable bool) {
	dir, err := os.MkdirTemp("", "pid1-bench-direct-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Mkdir(filepath.Join(dir, "small"), 0o755)
	data := bytes.Repeat([]byte("x"), 1024)
	start := time.Now()
	for range n {
		for i := range SmallFiles {
			p := filepath.Join(dir, fmt.Sprintf("small/%d.txt", i))
			write := os.WriteFile
			if durable {
				write = durableWrite
			}
			if err := write(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
			if _, err := os.ReadFile(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*SmallFiles)/time.Since(start).Seconds(), "files/s")
}

// Latencies are p50 and p99 of a set of durations.
type Latencies struct{ P50, P99, Max time.Duration }

func percentiles(ds []time.Duration) Latencies {
	slices.Sort(ds)
	return Latencies{ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)], ds[len(ds)-1]}
}

// FseventsLatency measures, n times, the time from a file being written
// to its fileEvent reaching a client subscribed through fsevents.
func FseventsLatency(n int) (Latencies, error) {
	h, err := StartHub()
	if err != nil {
		return Latencies{}, err
	}
	defer h.Close()
	url, err := h.URL("bench")
	if err != nil {
		return Latencies{}, err
	}
	ctx := context.Background()
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		return Latencies{}, err
	}
	defer c.Close()
	ch, err := c.Open(ctx, "fsevents", "", api.OpenChannel_CREATE)
	if err != nil {
		return Latencies{}, err
	}
	if r, err := ch.Request(ctx, &api.Command{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: ""}}}}}); err != nil || r.GetOk() == nil {
		return Latencies{}, fmt.Errorf("subscribeFile: %v %v", r, err)
	}
	<-ch.Stream() // the ok
	return measureEvents(n, h.Workspace(), func() error {
		select {
		case c := <-ch.Stream():
			if c.GetFileEvent() == nil {
				return fmt.Errorf("got %v", c)
			}
			return nil
		case <-time.After(5 * time.Second):
			return fmt.Errorf("no event within 5s")
		}
	})
}

// FsnotifyLatency is FseventsLatency's baseline: the same writes seen by
// an fsnotify watcher in-process.
func FsnotifyLatency(n int) (Latencies, error) {
	dir, err := os.MkdirTemp("", "pid1-bench-fsnotify-")
	if err != nil {
		return Latencies{}, err
	}
	defer os.RemoveAll(dir)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return Latencies{}, err
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return Latencies{}, err
	}
	return measureEvents(n, dir, func() error {
		select {
		case <-w.Events:
			return nil
		case err := <-w.Errors:
			return err
		case <-time.After(5 * time.Second):
			return fmt.Errorf("no event within 5s")
		}
	})
}

// measureEvents creates n files in dir, one at a time, and times each
// until next reports its event. Each file is created with one open(2)
// (O_CREAT), which is one inotify event.
func measureEvents(n int, dir string, next func() error) (Latencies, error) {
	ds := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("ev%d", i)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return Latencies{}, err
		}
		f.Close()
		if err := next(); err != nil {
			return Latencies{}, err
		}
		ds = append(ds, time.Since(start))
		time.Sleep(2 * time.Millisecond)
	}
	return percentiles(ds), nil
}

// EchoBig is a second baseline for FilesBigHub: the same client sends the
// same 1 MiB write command to a raw WebSocket echo server and gets it back,
// so the same bytes cross the same library and loopback with no service.
func EchoBig(b B, n int) {
	r, err := StartRaw()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	c, err := client.Dial(context.Background(), r.URL("echo"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cmd := write("big.bin", bytes.Repeat([]byte("0123456789abcdef"), FileSize/16))
	b.ResetTimer()
	start := time.Now()
	for range n {
		if _, err := c.ControlRequest(context.Background(), cmd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*n*FileSize)/time.Since(start).Seconds()/1e6, "MB/s")
}

func durableWrite(p string, data []byte, mode os.FileMode) error {
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
