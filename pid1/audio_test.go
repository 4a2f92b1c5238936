package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/test/kit/audiotest"
)

// A program of the workspace's user plays a 1 s 440 Hz WAV three times
// (LoopCount 2) by writing to pid1's pipe, as Replit's libraries do; a
// client on the audio channel gets 44,100 ± 1% samples per second of wall
// time, the file's samples three times over, at 440 Hz; the status file says it ran, and after pid1 stops, that it is
// disabled.
func TestAudioThroughPID1(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const uid = 23458
	base := t.TempDir()
	os.Chmod(base, 0o755) // the user must reach its workspace and the pipe
	os.Chmod(filepath.Dir(base), 0o755)
	audioDir := filepath.Join(base, "tmp")
	ws := filepath.Join(base, "ws")
	os.MkdirAll(ws, 0o755)
	audiotest.WAV(t, filepath.Join(ws, "a440.wav"), audiotest.Tone{Hz: 440, Seconds: 1})
	p := startOn(t, ws, filepath.Join(base, "state"), "-run-as", fmt.Sprintf("%d:%d", uid, uid), "-audio-dir", audioDir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := dialAs(t, ctx, p, "ann")
	listen, err := c.Open(ctx, "audio", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Open(ctx, "exec", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(audioDir, "audio")
	script := fmt.Sprintf(`printf '{"File": "a440.wav", "DoesLoop": true, "LoopCount": 2}' > %s`, pipe)
	r, err := ex.Request(ctx, &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", script}}}})
	if err != nil || r.GetError() != "" {
		t.Fatalf("the user's program writing to %s: %v %v", pipe, r, err)
	}

	type msg struct {
		at time.Time
		n  int
	}
	var ms []msg
	var got []int32
	for len(got) < 3*44100 {
		select {
		case cmd := <-listen.Stream():
			if a := cmd.GetAudio(); a != nil {
				ms = append(ms, msg{time.Now(), len(a.Data)})
				got = append(got, a.Data...)
			}
		case <-ctx.Done():
			t.Fatalf("%d samples after %v", len(got), time.Since(ms[0].at))
		}
	}
	want, err := audiofile.Open(filepath.Join(ws, "a440.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	buf := make([]int32, 44100)
	k := 0
	for k < len(buf) {
		n, err := want.Read(buf[k:])
		k += n
		if err != nil {
			break
		}
	}
	if k != 44100 {
		t.Fatalf("the file holds %d samples", k)
	}
	for i := 0; i < 3*k; i++ {
		if got[i] != buf[i%k] {
			t.Fatalf("sample %d: %d, the file's is %d", i, got[i], buf[i%k])
		}
	}
	if hz := audiotest.Frequency(got, audiofile.Rate); math.Abs(hz-440) > 2 {
		t.Errorf("%.2f Hz at the client (zero crossings), want 440", hz)
	}
	var at []time.Time
	var counts []int
	for _, m := range ms {
		at, counts = append(at, m.at), append(counts, m.n)
	}
	rate := audiotest.Rate(at, counts)
	t.Logf("%d messages over %v: %.1f samples/s at the client", len(ms), ms[len(ms)-1].at.Sub(ms[0].at), rate)
	if math.Abs(rate-44100) > 441 {
		t.Errorf("%.1f samples per second of wall time, want 44,100 ± 1%%", rate)
	}

	var st struct {
		Sources  []struct{ Name, FileType string }
		Running  bool
		Disabled bool
	}
	data, err := os.ReadFile(filepath.Join(audioDir, "audioStatus.json"))
	if err != nil || json.Unmarshal(data, &st) != nil || st.Disabled {
		t.Fatalf("the status file while pid1 runs: %s %v", data, err)
	}
	if fi, err := os.Stat(pipe); err != nil || fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the pipe: %v %v", fi, err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	data, err = os.ReadFile(filepath.Join(audioDir, "audioStatus.json"))
	if err != nil || json.Unmarshal(data, &st) != nil || !st.Disabled || st.Running || len(st.Sources) != 0 {
		t.Fatalf("the status file after pid1 stopped: %s %v", data, err)
	}
	if _, err := os.Lstat(pipe); !os.IsNotExist(err) {
		t.Fatalf("the pipe is left after pid1 stopped: %v", err)
	}
	if !strings.Contains(p.logs.String(), "pid1 stopped") {
		t.Fatalf("pid1 did not shut down cleanly:\n%s", p.logs.String())
	}
}
