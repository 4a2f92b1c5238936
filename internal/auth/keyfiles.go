package auth

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// The PEM types of key files written by `pid1 keygen` (the standard
// PKCS #8 and PKIX encodings, which `openssl genpkey -algorithm ed25519`
// and `openssl pkey -pubout` also write).
const (
	privatePEMType = "PRIVATE KEY"
	publicPEMType  = "PUBLIC KEY"
)

// PrivatePEM encodes the private key as PKCS #8 PEM.
func (k *Key) PrivatePEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		panic(err) // an ed25519.PrivateKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: privatePEMType, Bytes: der})
}

// PublicPEM encodes the public key as PKIX PEM.
func (k *Key) PublicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(k.pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicPEMType, Bytes: der})
}

// ReadSigningKey reads a private key from path: PKCS #8 PEM of an Ed25519
// key (what `pid1 keygen` and openssl write) or the state directory's own
// format.
func ReadSigningKey(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	switch {
	case block == nil:
		return nil, fmt.Errorf("%s is not a PEM file; want an Ed25519 private key such as `pid1 keygen` writes", path)
	case block.Type == pemType:
		return readKey(path)
	case block.Type == publicPEMType:
		return nil, fmt.Errorf("%s holds a public key; minting a token takes the private key", path)
	case block.Type != privatePEMType:
		return nil, fmt.Errorf("%s holds a %q PEM block; want %q (an Ed25519 private key such as `pid1 keygen` writes)", path, block.Type, privatePEMType)
	}
	raw, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := raw.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T; pid1 signs with Ed25519 keys", path, raw)
	}
	return keyFromSeed(priv.Seed()), nil
}

// ParsePublicKeys reads every public key in data: one or more PKIX PEM
// blocks of Ed25519 keys. Anything else in a PEM block is an error (a
// private key most of all: a verifier must not hold one).
func ParsePublicKeys(data []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case publicPEMType:
		case privatePEMType, pemType:
			return nil, fmt.Errorf("PEM block %d is a private key; give pid1 only public keys (the .pub file `pid1 keygen` writes)", n)
		default:
			return nil, fmt.Errorf("PEM block %d is a %q; want %q", n, block.Type, publicPEMType)
		}
		raw, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		pub, ok := raw.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("PEM block %d is a %T; pid1 verifies Ed25519 keys", n, raw)
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no %q PEM block", publicPEMType)
	}
	return keys, nil
}

// WriteKeyPair makes a new key and writes its private half to privPath
// (mode 0600) and its public half to pubPath (0644). It never replaces an
// existing file.
func WriteKeyPair(privPath, pubPath string) (*Key, error) {
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("%s exists; pid1 keygen never replaces a key", p)
		}
	}
	if err := writeNew(privPath, k.PrivatePEM(), 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(pubPath, k.PublicPEM(), 0o644); err != nil {
		os.Remove(privPath)
		return nil, err
	}
	return k, nil
}

func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; pid1 keygen never replaces a key", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// SplitList splits a comma-separated list of file names, dropping empty
// items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
