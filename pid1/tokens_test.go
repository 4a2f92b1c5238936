package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// keygen runs `pid1 keygen -out path` and returns its output.
func keygen(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(pid1Binary(t), "keygen", "-out", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pid1 keygen: %v\n%s", err, out)
	}
	return string(out)
}

// A verify-only pid1 (-token-public-key) accepts tokens signed by the
// private keys whose public keys it was given, holds and creates no key of
// its own, and follows a rotation without a restart: during it tokens of
// the old and the new key are accepted, after it only the new key's.
func TestVerifyOnlyDeploymentAndKeyRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldKey, newKey := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	if out := keygen(t, oldKey); !strings.Contains(out, "-token-public-key "+oldKey+".pub") {
		t.Fatalf("keygen said:\n%s", out)
	}
	keygen(t, newKey)
	if out, err := exec.Command(pid1Binary(t), "keygen", "-out", oldKey).CombinedOutput(); err == nil || !strings.Contains(string(out), "never replaces a key") {
		t.Fatalf("keygen over an existing key: %v\n%s", err, out)
	}
	if fi, _ := os.Stat(oldKey); fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v", fi.Mode().Perm())
	}
	oldPub, _ := os.ReadFile(oldKey + ".pub")
	newPub, _ := os.ReadFile(newKey + ".pub")
	accepted := filepath.Join(dir, "accepted.pub")
	os.WriteFile(accepted, oldPub, 0o644)

	ws, state := filepath.Join(dir, "ws"), filepath.Join(dir, "state")
	p := startOn(t, ws, state, "-token-public-key", accepted)
	base := "ws://" + p.addr + "/wsv2/"
	signed := func(key string) string { return token(t, "-signing-key", key, "-user", "ann") }
	expect := func(what, tok string, want int) {
		t.Helper()
		if code := dialStatus(t, base+tok); code != want {
			t.Errorf("%s: HTTP %d, want %d", what, code, want)
		}
	}
	expect("a token of the old key", signed(oldKey), http.StatusSwitchingProtocols)
	expect("a token of the state directory's kind, another key", token(t, "-state-dir", filepath.Join(dir, "elsewhere")), http.StatusUnauthorized)
	expect("a token of the new key before the rotation", signed(newKey), http.StatusUnauthorized)

	os.WriteFile(accepted, append(append([]byte{}, oldPub...), newPub...), 0o644)
	oldTok := signed(oldKey)
	expect("a token of the old key during the rotation", oldTok, http.StatusSwitchingProtocols)
	expect("a token of the new key during the rotation", signed(newKey), http.StatusSwitchingProtocols)

	os.WriteFile(accepted, newPub, 0o644)
	expect("a token of the old key after the rotation", oldTok, http.StatusUnauthorized)
	expect("a token of the new key after the rotation", signed(newKey), http.StatusSwitchingProtocols)
	if !strings.Contains(p.logs.String(), "token public keys read again") {
		t.Errorf("the reload was not logged:\n%s", p.logs.String())
	}

	// pid1 never held nor created a private key: the state directory
	// holds only the storage and the ot service's op logs.
	ents, _ := os.ReadDir(state)
	for _, e := range ents {
		if e.Name() != "storage" && e.Name() != "otlog" {
			t.Fatalf("the state directory holds %v", ents)
		}
	}
	// `pid1 token` in the same configuration refuses, and says where to mint.
	cmd := exec.Command(pid1Binary(t), "token", "-state-dir", state)
	cmd.Env = append(os.Environ(), "PID1_TOKEN_PUBLIC_KEY="+accepted)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "holds no signing key") || !strings.Contains(string(out), "pid1 token -signing-key FILE") {
		t.Fatalf("pid1 token in verify-only mode: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(state, "token.key")); !os.IsNotExist(err) {
		t.Fatalf("pid1 token created a key: %v", err)
	}
	// With -signing-key it checks the key is one the server accepts.
	cmd = exec.Command(pid1Binary(t), "token", "-signing-key", oldKey)
	cmd.Env = append(os.Environ(), "PID1_TOKEN_PUBLIC_KEY="+accepted)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not among the public keys") {
		t.Fatalf("minting with a key pid1 no longer accepts: %v\n%s", err, out)
	}
}

// A public key file that is a private key, or no key at all, stops pid1
// with a message that says so.
func TestBadPublicKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keygen(t, filepath.Join(dir, "k"))
	os.WriteFile(filepath.Join(dir, "empty.pub"), nil, 0o644)
	for file, want := range map[string]string{
		filepath.Join(dir, "k"):         "is a private key",
		filepath.Join(dir, "empty.pub"): `no "PUBLIC KEY" PEM block`,
		filepath.Join(dir, "missing"):   "no such file",
	} {
		out, err := exec.Command(pid1Binary(t), "-listen", freeAddr(t), "-workspace", filepath.Join(dir, "ws"),
			"-state-dir", filepath.Join(dir, "state"), "-metrics-listen=", "-token-public-key", file).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("-token-public-key %s: %v\n%s", file, err, out)
		}
	}
}
