package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pid1/pid1/internal/auth"
)

// resolvePath returns p absolute with every symbolic link resolved: those
// of its nearest existing ancestor, since the rest does not exist yet.
func resolvePath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		parent := filepath.Dir(cur)
		if !errors.Is(err, fs.ErrNotExist) || parent == cur {
			return "", err
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// within reports whether path is dir or beneath it (both clean and
// absolute).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// checkApart refuses a state directory inside the workspace (clients and
// user programs could read the signing key) or a workspace inside the
// state directory (user programs would live in pid1's private directory).
// Both paths are resolved.
func checkApart(state, ws, given string) error {
	via := ""
	if abs, _ := filepath.Abs(given); abs != state {
		via = fmt.Sprintf(" (%s resolved)", given)
	}
	switch {
	case within(state, ws):
		return fmt.Errorf("state directory %s%s is inside the workspace %s: clients could read the signing key; choose one outside it with -state-dir", state, via, ws)
	case within(ws, state):
		return fmt.Errorf("workspace %s is inside the state directory %s%s: user programs would live in pid1's private directory; choose another -workspace or -state-dir", ws, state, via)
	}
	return nil
}

// prepareStateDir creates the state directory state (resolved, apart from
// the workspace ws) with mode 0700, owned by the user pid1 runs as (root
// in the container). An existing one is checked again once resolved, made
// root's if pid1 is root and it was not, and its permissions tightened to
// 0700 if looser, each with a log line. A state directory of another user
// is refused when pid1 cannot take it over.
func prepareStateDir(state, ws, given string, log *slog.Logger) (string, error) {
	if err := os.MkdirAll(state, 0o700); err != nil {
		return "", fmt.Errorf("creating the state directory: %w", err)
	}
	resolved, err := filepath.EvalSymlinks(state) // a link may have appeared since
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	if err := checkApart(resolved, ws, given); err != nil {
		return "", err
	}
	fi, err := os.Lstat(resolved)
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("state directory %s is not a directory", resolved)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		if os.Geteuid() != 0 {
			return "", fmt.Errorf("state directory %s belongs to uid %d, not to the user pid1 runs as (uid %d): that user could replace the signing key; give pid1 a directory of its own with -state-dir", resolved, st.Uid, os.Geteuid())
		}
		if err := os.Lchown(resolved, 0, 0); err != nil {
			return "", fmt.Errorf("state directory %s: making it root's: %w", resolved, err)
		}
		log.Warn("the state directory belonged to another user; it is root's now", "dir", resolved, "was_uid", st.Uid)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(resolved, 0o700); err != nil {
			return "", fmt.Errorf("state directory %s: tightening its permissions: %w", resolved, err)
		}
		log.Warn("tightened the state directory's permissions", "dir", resolved, "was", fmt.Sprintf("%#o", perm), "now", "0700")
	}
	if err := retireExposedKey(resolved, log); err != nil {
		return "", err
	}
	return resolved, nil
}

// retireExposedKey moves the signing key aside when someone other than
// pid1's user could have read or written it (it belongs to another user,
// or its mode lets others read it): tightening the directory now does not
// make a key that leaked secret again. A new key is made when one is
// needed, and tokens minted with the old one stop working.
func retireExposedKey(state string, log *slog.Logger) error {
	key := filepath.Join(state, auth.KeyFile)
	fi, err := os.Lstat(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	uid := -1
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		uid = int(st.Uid)
	}
	if uid == os.Geteuid() && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	aside := fmt.Sprintf("%s.exposed-%d", key, time.Now().Unix())
	if err := os.Rename(key, aside); err != nil {
		return fmt.Errorf("signing key %s could be read by others and could not be moved aside: %w", key, err)
	}
	log.Warn("the signing key could be read by others; it was moved aside and a new one will be made (tokens minted with the old key no longer work)",
		"was", aside, "uid", uid, "mode", fmt.Sprintf("%#o", fi.Mode().Perm()))
	return nil
}
