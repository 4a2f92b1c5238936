package audio_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/audio"
	"github.com/pid1/pid1/test/kit/audiotest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// The pipe belongs to the workspace's user: that user may write requests
// and nobody else but pid1 (root) may open it; and a request plays only
// what that user may read, though pid1 could read anything.
func TestPipeAndFilesAreTheWorkspaceUsers(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to act as other users")
	}
	const owner, stranger = 4242, 4343
	base := t.TempDir()
	os.Chmod(filepath.Dir(base), 0o755)
	os.Chmod(base, 0o755)
	ws, dir := filepath.Join(base, "ws"), filepath.Join(base, "tmp")
	os.Mkdir(ws, 0o755)
	u := &jobs.User{UID: owner, GID: owner, Name: "owner"}
	p, err := audio.Start(audio.Config{Dir: dir, Workspace: ws, User: u})
	if err != nil {
		t.Fatal(err)
	}
	url := servicetest.Serve(t, audio.Descriptor(p, nil))
	t.Cleanup(p.Close)
	ch := servicetest.Open(t, url("ada"), "audio", "")

	st, err := os.Lstat(p.Pipe())
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if st.Mode()&os.ModeNamedPipe == 0 || st.Mode().Perm() != 0o600 || sys.Uid != owner {
		t.Fatalf("pipe %v owned by %d, want a pipe 0600 owned by %d", st.Mode(), sys.Uid, owner)
	}

	audiotest.WAV(t, filepath.Join(ws, "secret.wav"), audiotest.Tone{Hz: 440, Seconds: 0.1})
	os.Chmod(filepath.Join(ws, "secret.wav"), 0o600) // root's own
	audiotest.WAV(t, filepath.Join(ws, "public.wav"), audiotest.Tone{Hz: 440, Seconds: 0.1})

	write := func(uid int, doc string) error {
		cmd := exec.Command("sh", "-c", `printf '%s' "$1" > "$2"`, "sh", doc, p.Pipe())
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("uid %d: %s", uid, out)
		}
		return err
	}
	if err := write(stranger, `{"File": "public.wav"}`); err == nil {
		t.Fatal("another user wrote to the pipe")
	}
	servicetest.Quiet(t, ch, 200*time.Millisecond)
	if err := write(owner, `{"File": "secret.wav"}`); err != nil {
		t.Fatal(err)
	}
	servicetest.Quiet(t, ch, 300*time.Millisecond) // refused: the owner may not read it
	if err := write(owner, `{"File": "public.wav"}`); err != nil {
		t.Fatal(err)
	}
	total := 0
	for total < 4410 {
		total += len(servicetest.Next(t, ch).GetAudio().GetData())
	}
}
