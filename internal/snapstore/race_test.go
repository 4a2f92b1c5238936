package snapstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSnapshotRaceWithSymlinkSwap swaps a directory of the workspace and a
// symbolic link to a directory outside it (renameat2 RENAME_EXCHANGE) in
// a loop while 500 snapshots run: no snapshot may capture a byte from
// outside.
func TestSnapshotRaceWithSymlinkSwap(t *testing.T) {
	const secret = "OUTSIDE-SECRET-"
	base := t.TempDir()
	ws, outside := filepath.Join(base, "ws"), filepath.Join(base, "outside")
	put(t, ws, "d/inside.txt", "inside", 0o644)
	put(t, ws, "d/sub/more.txt", "more", 0o644)
	put(t, ws, "top.txt", "top", 0o644)
	for _, name := range []string{"secret.txt", "inside.txt", "sub/more.txt"} {
		put(t, outside, name, secret+name, 0o644)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "l")); err != nil {
		t.Fatal(err)
	}
	store := t.TempDir()
	b := open(t, "file://"+store)
	st := newStore(t, b, ws, "race")

	var swaps atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		d, l := filepath.Join(ws, "d"), filepath.Join(ws, "l")
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := unix.Renameat2(unix.AT_FDCWD, d, unix.AT_FDCWD, l, unix.RENAME_EXCHANGE); err != nil {
				t.Errorf("renameat2: %v", err)
				return
			}
			swaps.Add(1)
		}
	})
	failed, asLink, asDir := 0, 0, 0
	var firstErr error
	for range 500 {
		if _, err := st.Take(context.Background()); err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		_, m, err := st.Latest(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range m.Entries {
			switch {
			case e.Path == "d" && e.Kind == "link":
				asLink++
			case e.Path == "d" && e.Kind == "dir":
				asDir++
			}
		}
	}
	close(stop)
	wg.Wait()

	// Every blob the snapshots stored: none may hold outside content.
	var captured int64
	filepath.WalkDir(store, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
				captured += int64(len(b))
			}
		}
		return nil
	})
	t.Logf("%d swaps during 500 snapshots; d was stored as a link %d times, as a directory %d times; %d snapshots failed (first: %v); %d outside bytes captured",
		swaps.Load(), asLink, asDir, failed, firstErr, captured)
	if asLink == 0 || asDir == 0 {
		t.Fatal("the swaps never met a snapshot: the race was not exercised")
	}
	if captured != 0 {
		t.Errorf("snapshots captured %d bytes from outside the workspace", captured)
	}
	if failed != 0 {
		t.Errorf("%d of 500 snapshots failed under the race; first: %v", failed, firstErr)
	}
}
