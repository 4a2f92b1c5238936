package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFile is the name of the signing key inside the state directory.
const KeyFile = "token.key"

const pemType = "PID1 ED25519 SEED"

// Key signs and verifies tokens.
type Key struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	id   string
}

// GenerateKey makes a fresh random key.
func GenerateKey() (*Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return keyFromSeed(seed), nil
}

func keyFromSeed(seed []byte) *Key {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	return &Key{priv: priv, pub: pub, id: keyID(pub)}
}

// keyID names a key by its public half, so a verifier that holds only the
// public key finds it by the id in a token's footer.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "pid1:" + hex.EncodeToString(sum[:8])
}

// ID names the key in every token's footer.
func (k *Key) ID() string { return k.id }

// LoadOrCreateKey reads the key in dir, creating dir (mode 0700) and the key
// (mode 0600) if they do not exist. Processes racing to create it agree on
// one key: the file appears atomically with its full contents, and the
// loser of the race reads the winner's.
func LoadOrCreateKey(dir string) (*Key, error) {
	if dir == "" {
		return nil, errors.New("no state directory for the signing key")
	}
	path := filepath.Join(dir, KeyFile)
	k, err := readKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	fresh, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, KeyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("writing the signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	block := pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: fresh.priv.Seed()})
	if _, err := tmp.Write(block); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing the signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing the signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("writing the signing key: %w", err)
	}
	// link fails if another process got there first; then theirs wins.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("installing the signing key: %w", err)
	}
	return readKey(path)
}

// LoadKey reads the key in dir without creating one; the error matches
// fs.ErrNotExist when there is none.
func LoadKey(dir string) (*Key, error) { return readKey(filepath.Join(dir, KeyFile)) }

func readKey(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemType || len(block.Bytes) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s is not a pid1 signing key (want a %q PEM block of %d bytes); move it away to generate a new one", path, pemType, ed25519.SeedSize)
	}
	return keyFromSeed(block.Bytes), nil
}

// DefaultStateDir is where pid1 keeps its key when -state-dir is not given:
// $PID1_STATE_DIR, else $XDG_STATE_HOME/pid1, else ~/.local/state/pid1,
// else a directory under the system's temporary directory.
func DefaultStateDir() string {
	if d := os.Getenv("PID1_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "pid1")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "pid1")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("pid1-state-%d", os.Getuid()))
}
