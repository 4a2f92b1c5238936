package auth

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// PublicKeys verifies tokens with the public keys in a list of files and
// holds no private key: the mode of a deployment whose tokens are minted
// elsewhere. Each file holds one or more PKIX PEM public keys; a token
// signed by any of them is accepted, which is how a key is rotated: add
// the new public key (to a file or as another file), move the minting to
// the new private key, and once the old tokens have expired remove the
// old public key. The files (a few hundred bytes each) are read at each
// Verify and parsed again when their bytes changed, so a rotation needs no
// restart. A change that cannot be read (a half-written file, no key left)
// keeps the keys read before and is reported to OnReload.
//
// A PublicKeys is safe for concurrent use.
type PublicKeys struct {
	paths []string
	// OnReload, if set, is told the key ids after each reload and the
	// error of each failed one. It is called with the lock held and must
	// not call back.
	OnReload func(ids []string, err error)

	mu   sync.Mutex
	seen [][]byte                     // the files' bytes (nil: unreadable) when last read
	keys map[string]ed25519.PublicKey // by key id
}

// OpenPublicKeys reads the public keys in paths.
func OpenPublicKeys(paths []string) (*PublicKeys, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no public key file given")
	}
	p := &PublicKeys{paths: slices.Clone(paths)}
	seen := p.readFiles()
	keys, err := p.parse(seen)
	if err != nil {
		return nil, err
	}
	p.seen, p.keys = seen, keys
	return p, nil
}

// IDs are the ids of the keys tokens may be signed with, sorted.
func (p *PublicKeys) IDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ids()
}

func (p *PublicKeys) ids() []string {
	ids := make([]string, 0, len(p.keys))
	for id := range p.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Verify checks token as Key.Verify does, with whichever of the public
// keys its footer names.
func (p *PublicKeys) Verify(token string, now time.Time) (Claims, error) {
	p.mu.Lock()
	p.refresh()
	keys := p.keys
	p.mu.Unlock()
	return verify(token, now, func(id string) (ed25519.PublicKey, error) {
		if pub, ok := keys[id]; ok {
			return pub, nil
		}
		return nil, fmt.Errorf("%w (token names key %q, this pid1 accepts %s)", ErrBadSignature, id, strings.Join(p.IDs(), ", "))
	})
}

// refresh parses the files again if their bytes changed.
func (p *PublicKeys) refresh() {
	seen := p.readFiles()
	if slices.EqualFunc(seen, p.seen, func(a, b []byte) bool { return (a == nil) == (b == nil) && string(a) == string(b) }) {
		return
	}
	p.seen = seen
	keys, err := p.parse(seen)
	if err == nil {
		p.keys = keys
	}
	if p.OnReload != nil {
		p.OnReload(p.ids(), err)
	}
}

// maxKeyFile bounds what is read of a key file: a few keys are a few
// hundred bytes.
const maxKeyFile = 1 << 20

func (p *PublicKeys) readFiles() [][]byte {
	out := make([][]byte, len(p.paths))
	for i, path := range p.paths {
		f, err := os.Open(path)
		if err != nil {
			continue // parse says why
		}
		b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
		f.Close()
		if err == nil {
			out[i] = append(b, 0)[:len(b)] // non-nil even when empty
		}
	}
	return out
}

func (p *PublicKeys) parse(files [][]byte) (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{}
	for i, path := range p.paths {
		switch {
		case files[i] == nil:
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("token public key: %w", err)
			}
			return nil, fmt.Errorf("token public key %s: cannot be read", path)
		case len(files[i]) > maxKeyFile:
			return nil, fmt.Errorf("token public key %s: more than %d bytes", path, maxKeyFile)
		}
		pubs, err := ParsePublicKeys(files[i])
		if err != nil {
			return nil, fmt.Errorf("token public key %s: %w", path, err)
		}
		for _, pub := range pubs {
			keys[keyID(pub)] = pub
		}
	}
	return keys, nil
}
