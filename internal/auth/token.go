package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
)

// Issuer is written into every footer pid1 signs.
const Issuer = "pid1"

// clockSkew is how far in the future a token's issue time may lie.
const clockSkew = time.Minute

// Mint signs c into a token.
func (k *Key) Mint(c Claims) (string, error) {
	if c.UserName == "" {
		return "", errors.New("a token needs a user name")
	}
	if !c.Expires.After(c.IssuedAt) {
		return "", fmt.Errorf("token would expire (%s) no later than it is issued (%s)", c.Expires.Format(time.RFC3339), c.IssuedAt.Format(time.RFC3339))
	}
	salt := make([]byte, 12)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	t := &api.ReplToken{
		Iat:       timestamppb.New(c.IssuedAt),
		Exp:       timestamppb.New(c.Expires),
		Salt:      base64.RawStdEncoding.EncodeToString(salt),
		Presenced: &api.ReplToken_Presenced{BearerID: c.UserID, BearerName: c.UserName},
	}
	if !c.CanWrite {
		t.Persistence = api.Persistence_READ_ONLY
	}
	body, err := proto.Marshal(t)
	if err != nil {
		return "", err
	}
	foot, err := proto.Marshal(&api.GovalSigningAuthority{
		Cert:    &api.GovalSigningAuthority_KeyId{KeyId: k.id},
		Version: api.GovalSigningAuthority_BARE_REPL_TOKEN,
		Issuer:  Issuer,
	})
	if err != nil {
		return "", err
	}
	msg := []byte(base64.StdEncoding.EncodeToString(body))
	footer := []byte(base64.StdEncoding.EncodeToString(foot))
	sig := ed25519.Sign(k.priv, pae([]byte(header), msg, footer))
	return join(msg, sig, footer), nil
}

// Verify checks token's signature and times against now and returns what
// it claims. Errors match ErrMissing, ErrMalformed, ErrBadSignature,
// ErrExpired or ErrNotYetValid with errors.Is.
func (k *Key) Verify(token string, now time.Time) (Claims, error) {
	return verify(token, now, func(id string) (ed25519.PublicKey, error) {
		if id != k.id {
			return nil, fmt.Errorf("%w (token names key %q, this pid1 has %q)", ErrBadSignature, id, k.id)
		}
		return k.pub, nil
	})
}

// verify checks token with the public key lookup returns for the key id
// its footer names. The footer is not trusted: it only picks the key.
func verify(token string, now time.Time, lookup func(id string) (ed25519.PublicKey, error)) (Claims, error) {
	if token == "" {
		return Claims{}, ErrMissing
	}
	msg, sig, footer, err := split(token, ed25519.SignatureSize)
	if err != nil {
		return Claims{}, err
	}
	id, err := footerKeyID(footer)
	if err != nil {
		return Claims{}, err
	}
	pub, err := lookup(id)
	if err != nil {
		return Claims{}, err
	}
	if !ed25519.Verify(pub, pae([]byte(header), msg, footer), sig) {
		return Claims{}, ErrBadSignature
	}
	body, err := base64.StdEncoding.DecodeString(string(msg))
	if err != nil {
		return Claims{}, fmt.Errorf("%w: message is not base64: %v", ErrMalformed, err)
	}
	var t api.ReplToken
	if err := proto.Unmarshal(body, &t); err != nil {
		return Claims{}, fmt.Errorf("%w: message is not a ReplToken: %v", ErrMalformed, err)
	}
	p := t.GetPresenced()
	if p.GetBearerName() == "" || p.GetBearerID() == 0 {
		return Claims{}, fmt.Errorf("%w: no user in the token", ErrMalformed)
	}
	if t.Iat == nil || t.Exp == nil {
		return Claims{}, fmt.Errorf("%w: no issue or expiry time", ErrMalformed)
	}
	c := Claims{
		UserID:   p.GetBearerID(),
		UserName: p.GetBearerName(),
		CanWrite: t.GetPersistence() != api.Persistence_READ_ONLY,
		IssuedAt: t.Iat.AsTime(),
		Expires:  t.Exp.AsTime(),
	}
	if !now.Before(c.Expires) {
		return Claims{}, fmt.Errorf("%w at %s (%s ago)", ErrExpired, c.Expires.Format(time.RFC3339), now.Sub(c.Expires).Round(time.Second))
	}
	if c.IssuedAt.After(now.Add(clockSkew)) {
		return Claims{}, fmt.Errorf("%w: issued at %s, in the future", ErrNotYetValid, c.IssuedAt.Format(time.RFC3339))
	}
	return c, nil
}

// footerKeyID returns the key id a token's footer names.
func footerKeyID(footer []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(string(footer))
	if err != nil {
		return "", fmt.Errorf("%w: footer is not base64: %v", ErrMalformed, err)
	}
	var a api.GovalSigningAuthority
	if err := proto.Unmarshal(raw, &a); err != nil {
		return "", fmt.Errorf("%w: footer is not a GovalSigningAuthority: %v", ErrMalformed, err)
	}
	return a.GetKeyId(), nil
}
