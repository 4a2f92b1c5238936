package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
)

func keyPair(t *testing.T, dir, name string) *Key {
	t.Helper()
	k, err := WriteKeyPair(filepath.Join(dir, name), filepath.Join(dir, name+".pub"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyPairFiles(t *testing.T) {
	dir := t.TempDir()
	k := keyPair(t, dir, "k")
	if fi, _ := os.Stat(filepath.Join(dir, "k")); fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v", fi.Mode().Perm())
	}
	read, err := ReadSigningKey(filepath.Join(dir, "k"))
	if err != nil || read.ID() != k.ID() {
		t.Fatalf("ReadSigningKey: %v %v", read, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "k.pub"))
	pubs, err := ParsePublicKeys(data)
	if err != nil || len(pubs) != 1 || keyID(pubs[0]) != k.ID() {
		t.Fatalf("ParsePublicKeys: %v %v", pubs, err)
	}
	if _, err := WriteKeyPair(filepath.Join(dir, "k"), filepath.Join(dir, "other.pub")); err == nil || !strings.Contains(err.Error(), "never replaces") {
		t.Fatalf("overwrote a key: %v", err)
	}
	// The state directory's own format is a signing key too.
	state, err := LoadOrCreateKey(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	if k2, err := ReadSigningKey(filepath.Join(dir, "state", KeyFile)); err != nil || k2.ID() != state.ID() {
		t.Fatalf("the state directory's key: %v", err)
	}
	for name, want := range map[string]string{"k.pub": "holds a public key", "missing": "no such file"} {
		if _, err := ReadSigningKey(filepath.Join(dir, name)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadSigningKey(%s): %v, want %q", name, err, want)
		}
	}
	// A verifier refuses to be handed a private key.
	if _, err := OpenPublicKeys([]string{filepath.Join(dir, "k")}); err == nil || !strings.Contains(err.Error(), "is a private key") {
		t.Fatalf("a private key as a public key: %v", err)
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParsePublicKeys([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKeys(%q) accepted it", bad)
		}
	}
}

// forge signs a token with priv whose footer names the key id of another
// key, as an attacker who knows the public key id would.
func forge(t *testing.T, priv *Key, namedID string) string {
	t.Helper()
	good := mint(t, priv, claims("mallory", true))
	msg, _, _, err := split(good, ed25519.SignatureSize)
	if err != nil {
		t.Fatal(err)
	}
	foot, _ := proto.Marshal(&api.GovalSigningAuthority{Cert: &api.GovalSigningAuthority_KeyId{KeyId: namedID}, Issuer: Issuer})
	footer := []byte(base64.StdEncoding.EncodeToString(foot))
	return join(msg, ed25519.Sign(priv.priv, pae([]byte(header), msg, footer)), footer)
}

func TestPublicKeysAndRotation(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey, mallory := keyPair(t, dir, "old"), keyPair(t, dir, "new"), keyPair(t, dir, "mallory")
	oldPub, _ := os.ReadFile(filepath.Join(dir, "old.pub"))
	newPub, _ := os.ReadFile(filepath.Join(dir, "new.pub"))
	file := filepath.Join(dir, "accepted.pub")
	os.WriteFile(file, oldPub, 0o644)
	pk, err := OpenPublicKeys([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	var reloads []string
	pk.OnReload = func(ids []string, err error) { reloads = append(reloads, strings.Join(ids, ",")+" "+errString(err)) }
	accepts := func(k *Key) error { _, err := pk.Verify(mint(t, k, claims("ada", true)), t0); return err }

	if err := accepts(oldKey); err != nil {
		t.Fatalf("the old key: %v", err)
	}
	for name, tok := range map[string]string{
		"another key":                  mint(t, mallory, claims("mallory", true)),
		"another key naming the right": forge(t, mallory, oldKey.ID()),
	} {
		if _, err := pk.Verify(tok, t0); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}
	if err := accepts(newKey); !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "this pid1 accepts "+oldKey.ID()) {
		t.Fatalf("the new key before the rotation: %v", err)
	}
	// The rotation begins: both public keys in the file.
	os.WriteFile(file, append(append([]byte{}, oldPub...), newPub...), 0o644)
	if err := accepts(oldKey); err != nil {
		t.Fatalf("the old key during the rotation: %v", err)
	}
	if err := accepts(newKey); err != nil {
		t.Fatalf("the new key during the rotation: %v", err)
	}
	// A half-written file keeps the keys read before.
	os.WriteFile(file, []byte("-----BEGIN PUBLIC KEY-----\nMCow"), 0o644)
	if err := accepts(oldKey); err != nil {
		t.Fatalf("the old key after a bad write: %v", err)
	}
	// The rotation ends: only the new key.
	os.WriteFile(file, newPub, 0o644)
	if err := accepts(oldKey); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("the old key after the rotation: %v", err)
	}
	if err := accepts(newKey); err != nil {
		t.Fatalf("the new key after the rotation: %v", err)
	}
	want := []string{
		sortedIDs(oldKey, newKey) + " ",
		sortedIDs(oldKey, newKey) + " token public key " + file + ": no \"PUBLIC KEY\" PEM block",
		newKey.ID() + " ",
	}
	if strings.Join(reloads, "\n") != strings.Join(want, "\n") {
		t.Fatalf("reloads:\n%s\nwant:\n%s", strings.Join(reloads, "\n"), strings.Join(want, "\n"))
	}
	// Several files work the same way.
	two, err := OpenPublicKeys([]string{filepath.Join(dir, "old.pub"), filepath.Join(dir, "new.pub")})
	if err != nil || strings.Join(two.IDs(), ",") != sortedIDs(oldKey, newKey) {
		t.Fatalf("two files: %v %v", two, err)
	}
}

func sortedIDs(a, b *Key) string {
	if a.ID() > b.ID() {
		a, b = b, a
	}
	return a.ID() + "," + b.ID()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func FuzzParsePublicKeys(f *testing.F) {
	k, _ := GenerateKey()
	f.Add(k.PublicPEM())
	f.Add(append(k.PublicPEM(), k.PrivatePEM()...))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := ParsePublicKeys(b)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no key")
		}
		for _, pub := range keys {
			if len(pub) != ed25519.PublicKeySize {
				t.Fatalf("a key of %d bytes", len(pub))
			}
		}
	})
}
