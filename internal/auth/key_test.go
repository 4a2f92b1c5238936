package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "pid1")
	k1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v, want 0700", dst.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k1.ID() != k2.ID() {
		t.Fatal("second load made a different key")
	}
	tok := mint(t, k1, claims("ada", true))
	if _, err := k2.Verify(tok, t0); err != nil {
		t.Fatalf("a token minted by one load does not verify with the other: %v", err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 {
		t.Errorf("state dir holds %d entries, want only the key", len(left))
	}
}

func TestLoadOrCreateKeyRace(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := LoadOrCreateKey(dir)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.ID()
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("racing loads disagree on the key: %v", ids)
		}
	}
}

func TestLoadRefusesCorruptKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateKey(dir)
	if err == nil || !strings.Contains(err.Error(), "not a pid1 signing key") {
		t.Fatalf("corrupt key: err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, KeyFile)); string(b) != "not a key" {
		t.Fatal("the corrupt key file was overwritten")
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("PID1_STATE_DIR", "/x/y")
	if d := DefaultStateDir(); d != "/x/y" {
		t.Errorf("PID1_STATE_DIR: %s", d)
	}
	t.Setenv("PID1_STATE_DIR", "")
	t.Setenv("XDG_STATE_HOME", "/s")
	if d := DefaultStateDir(); d != "/s/pid1" {
		t.Errorf("XDG_STATE_HOME: %s", d)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/ada")
	if d := DefaultStateDir(); d != "/home/ada/.local/state/pid1" {
		t.Errorf("HOME: %s", d)
	}
}

func ExampleKey_Mint() {
	dir, _ := os.MkdirTemp("", "pid1-example")
	defer os.RemoveAll(dir)
	key, _ := LoadOrCreateKey(dir)
	now := time.Now()
	token, _ := key.Mint(Claims{UserID: UserIDFor("ada"), UserName: "ada", CanWrite: true, IssuedAt: now, Expires: now.Add(time.Hour)})
	c, err := key.Verify(token, now)
	if err == nil {
		fmt.Println(c.UserName, c.CanWrite)
	}
	// Output: ada true
}
