package auth

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// PublicKeys verifies tokens with the public keys in a list of files and
// holds no private key: the mode of a deployment whose tokens are minted
// elsewhere. Each file holds one or more PKIX PEM public keys; a token
// signed by any of them is accepted, which is how a key is rotated: add
// the new public key (to a file or as another file), move the minting to
// the new private key, and once the old tokens have expired remove the
// old public key. The files are read again when one of them changes (its
// size, times or inode), checked at each Verify, so a rotation needs no
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

	mu     sync.Mutex
	stamps []fileStamp
	keys   map[string]ed25519.PublicKey // by key id
}

// fileStamp is what a change of a key file changes.
type fileStamp struct {
	dev, ino, size uint64
	mtime, ctime   int64
	missing        bool
}

// OpenPublicKeys reads the public keys in paths.
func OpenPublicKeys(paths []string) (*PublicKeys, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no public key file given")
	}
	p := &PublicKeys{paths: slices.Clone(paths)}
	stamps := p.stat()
	keys, err := p.read()
	if err != nil {
		return nil, err
	}
	p.stamps, p.keys = stamps, keys
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

// refresh reads the files again if one changed.
func (p *PublicKeys) refresh() {
	stamps := p.stat()
	if slices.Equal(stamps, p.stamps) {
		return
	}
	p.stamps = stamps
	keys, err := p.read()
	if err == nil {
		p.keys = keys
	}
	if p.OnReload != nil {
		p.OnReload(p.ids(), err)
	}
}

func (p *PublicKeys) stat() []fileStamp {
	out := make([]fileStamp, len(p.paths))
	for i, path := range p.paths {
		fi, err := os.Stat(path)
		if err != nil {
			out[i].missing = true
			continue
		}
		out[i].size = uint64(fi.Size())
		out[i].mtime = fi.ModTime().UnixNano()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			out[i].dev, out[i].ino, out[i].ctime = st.Dev, st.Ino, st.Ctim.Nano()
		}
	}
	return out
}

func (p *PublicKeys) read() (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{}
	for _, path := range p.paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("token public key: %w", err)
		}
		pubs, err := ParsePublicKeys(data)
		if err != nil {
			return nil, fmt.Errorf("token public key %s: %w", path, err)
		}
		for _, pub := range pubs {
			keys[keyID(pub)] = pub
		}
	}
	return keys, nil
}
