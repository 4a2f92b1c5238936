package audio_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/services/audio"
	"github.com/pid1/pid1/test/kit/audiotest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// rig is a player serving a hub on 127.0.0.1, and one listener.
type rig struct {
	p  *audio.Player
	ws string // the workspace
	ch *client.Channel
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ws := t.TempDir()
	p, err := audio.Start(audio.Config{Dir: t.TempDir(), Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	url := servicetest.Serve(t, audio.Descriptor(p, nil))
	t.Cleanup(p.Close) // before the hub shuts down: cleanups run last first
	return &rig{p: p, ws: ws, ch: servicetest.Open(t, url("ada"), "audio", "")}
}

// request writes a request to the pipe as Replit's Python library does:
// open, one JSON document without a newline, close.
func (r *rig) request(t *testing.T, doc string) {
	t.Helper()
	f, err := os.OpenFile(r.p.Pipe(), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, doc); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// play writes a request to play file (in the workspace) with extra fields.
func (r *rig) play(t *testing.T, file string, extra map[string]any) {
	t.Helper()
	req := map[string]any{"File": file}
	for k, v := range extra {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	r.request(t, string(b))
}

// tone writes a WAV tone into the workspace and returns its name.
func (r *rig) tone(t *testing.T, name string, tone audiotest.Tone) string {
	t.Helper()
	audiotest.WAV(t, filepath.Join(r.ws, name), tone)
	return name
}

// msg is one audio command as the listener got it.
type msg struct {
	at   time.Time
	data []int32
}

// receive collects audio commands until want samples have arrived, and
// fails the test if that takes longer than within.
func (r *rig) receive(t *testing.T, want int, within time.Duration) []msg {
	t.Helper()
	var out []msg
	total := 0
	deadline := time.After(within)
	for total < want {
		select {
		case c, ok := <-r.ch.Stream():
			if !ok {
				t.Fatal("the stream ended")
			}
			a := c.GetAudio()
			if a == nil {
				t.Fatalf("unexpected %v", c)
			}
			out = append(out, msg{time.Now(), a.Data})
			total += len(a.Data)
		case <-deadline:
			t.Fatalf("%d of %d samples within %v", total, want, within)
		}
	}
	if total != want {
		t.Fatalf("%d samples, want %d", total, want)
	}
	return out
}

// quiet fails the test if audio arrives within d.
func (r *rig) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	servicetest.Quiet(t, r.ch, d)
}

func samples(ms []msg) []int32 {
	var out []int32
	for _, m := range ms {
		out = append(out, m.data...)
	}
	return out
}

// decode is the file as the player reads it.
func decode(t *testing.T, path string) []int32 {
	t.Helper()
	s, err := audiofile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out []int32
	buf := make([]int32, 4096)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// status reads the status file.
func (r *rig) status(t *testing.T) statusFile {
	t.Helper()
	b, err := os.ReadFile(r.p.StatusFile())
	if err != nil {
		t.Fatal(err)
	}
	var s statusFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("status file %s: %v", b, err)
	}
	s.raw = string(b)
	return s
}

// waitStatus polls the status file until ok holds.
func (r *rig) waitStatus(t *testing.T, what string, ok func(statusFile) bool) statusFile {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.status(t)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the status file never showed %s: %s", what, s.raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type statusFile struct {
	Sources []struct {
		Name, FileType, Type string
		Volume               float64
		Duration, Remaining  int64
		Paused               bool
		Loop, ID             int
		EndTime, StartTime   string
		Request              map[string]any
	}
	Running, Disabled bool
	raw               string
}
