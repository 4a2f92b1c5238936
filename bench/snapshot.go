package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
)

// SnapshotTimes builds a workspace of files files totalling bytes (each
// with distinct content, 100 per directory) and times a first snapshot
// into a file:// bucket and a second one of the unchanged workspace.
func SnapshotTimes(files int, bytes int64) (first, second time.Duration, res snapstore.Result, err error) {
	tmp, err := os.MkdirTemp("", "pid1-bench-snapshot-")
	if err != nil {
		return 0, 0, res, err
	}
	defer os.RemoveAll(tmp)
	ws := filepath.Join(tmp, "ws")
	buf := make([]byte, bytes/int64(files))
	for i := range files {
		dir := filepath.Join(ws, fmt.Sprintf("d%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return 0, 0, res, err
			}
		}
		rand.Read(buf)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), buf, 0o644); err != nil {
			return 0, 0, res, err
		}
	}
	b, err := storage.Open(context.Background(), "file://"+filepath.Join(tmp, "store"))
	if err != nil {
		return 0, 0, res, err
	}
	defer b.Close()
	dir, err := fsroot.Open(ws)
	if err != nil {
		return 0, 0, res, err
	}
	defer dir.Close()
	st, err := snapstore.New(b, dir, "bench")
	if err != nil {
		return 0, 0, res, err
	}
	start := time.Now()
	if res, err = st.Take(context.Background()); err != nil {
		return 0, 0, res, err
	}
	first = time.Since(start)
	start = time.Now()
	r2, err := st.Take(context.Background())
	if err != nil {
		return 0, 0, res, err
	}
	second = time.Since(start)
	if r2.Uploaded != 0 {
		return 0, 0, res, fmt.Errorf("the second snapshot uploaded %d blobs", r2.Uploaded)
	}
	return first, second, res, nil
}
