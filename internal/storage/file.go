package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fileBackend keeps each object as a file under dir, the key's slashes as
// directories. A write goes to a temporary file next to the object
// (tempPrefix…), renamed over it on Close, so a rename never crosses file
// systems and a reader sees the old object or the new one, whole.
type fileBackend struct {
	dir string
}

// tempPrefix starts the names of unfinished writes; List skips them, and a
// key's path element that starts with it is escaped.
const tempPrefix = ".pid1-put-"

// fileEscape is what a file name cannot hold: besides the shared rules,
// an empty path element ("//", a trailing "/") and a name that would read
// as an unfinished write.
func fileEscape(r []rune, i int) bool {
	c := r[i]
	switch {
	case escapeDotDotSlash(r, i):
		return true
	case c == '/' && i > 0 && r[i-1] == '/', c == '/' && i == len(r)-1:
		return true
	case c == '.' && (i == 0 || r[i-1] == '/') && strings.HasPrefix(string(r[i:]), tempPrefix):
		return true
	}
	return false
}

// path is where key's object lives; "" if the key names the bucket's
// directory itself or a place outside it.
func (f *fileBackend) path(key string) string {
	p := filepath.Join(f.dir, filepath.FromSlash(escapeKey(key, fileEscape)))
	rel, err := filepath.Rel(f.dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return ""
	}
	return p
}

func (f *fileBackend) checked(key string) (string, error) {
	p := f.path(key)
	if p == "" {
		return "", fmt.Errorf("storage: the key %q names no object inside the bucket", key)
	}
	return p, nil
}

func notFound(key string) error {
	return fmt.Errorf("storage: %q: %w", key, ErrNotFound)
}

func (f *fileBackend) reader(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := f.checked(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(key)
	}
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		file.Close()
		if err != nil {
			return nil, err
		}
		return nil, notFound(key) // a directory holds other keys; it is no object
	}
	return file, nil
}

func (f *fileBackend) writer(ctx context.Context, key string) (io.WriteCloser, error) {
	p, err := f.checked(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(p), tempPrefix+hex.EncodeToString(rnd[:]))
	file, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &fileWriter{ctx: ctx, file: file, tmp: tmp, final: p}, nil
}

type fileWriter struct {
	ctx        context.Context
	file       *os.File
	tmp, final string
}

func (w *fileWriter) Write(b []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.file.Write(b)
}

func (w *fileWriter) Close() error {
	err := w.file.Close()
	if err == nil {
		err = w.ctx.Err()
	}
	if err == nil {
		err = os.Rename(w.tmp, w.final)
	}
	if err != nil {
		os.Remove(w.tmp)
	}
	return err
}

func (f *fileBackend) remove(ctx context.Context, key string) error {
	p, err := f.checked(key)
	if err != nil {
		return err
	}
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || err == nil && st.IsDir() {
		return notFound(key)
	}
	if err != nil {
		return err
	}
	return os.Remove(p)
}

func (f *fileBackend) exists(ctx context.Context, key string) (bool, error) {
	p := f.path(key)
	if p == "" {
		return false, nil
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st.Mode().IsRegular(), nil
}

func (f *fileBackend) list(ctx context.Context, prefix string, yield func(string) bool) error {
	root := f.dir
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		if root = f.path(prefix[:i]); root == "" {
			return nil
		}
	}
	stop := errors.New("stop")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(f.dir, p)
		key := unescapeKey(filepath.ToSlash(rel))
		if d.IsDir() {
			if strings.HasPrefix(key+"/", prefix) || strings.HasPrefix(prefix, key+"/") {
				return nil
			}
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), tempPrefix) || !strings.HasPrefix(key, prefix) {
			return nil
		}
		if !yield(key) {
			return stop
		}
		return nil
	})
	if err == stop {
		return nil
	}
	return err
}

func (f *fileBackend) close() error { return nil }
