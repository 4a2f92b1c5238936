package server

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/auth"
)

// ErrVerifyOnly is what Token answers when pid1 verifies tokens with
// public keys only.
var ErrVerifyOnly = errors.New("this pid1 verifies tokens with public keys only (-token-public-key) and holds no signing key: mint tokens where the private key is, with pid1 token -signing-key FILE")

// tokens verifies the tokens clients connect with, and mints them when
// pid1 holds the signing key.
type tokens struct {
	key    *auth.Key        // the state directory's signing key; nil when verify-only
	public *auth.PublicKeys // -token-public-key: verify only
}

func newTokens(publicKeys []string, stateDir string, log *slog.Logger) (*tokens, error) {
	t := &tokens{}
	if len(publicKeys) == 0 {
		key, err := auth.LoadOrCreateKey(stateDir)
		if err != nil {
			return nil, fmt.Errorf("loading the signing key: %w", err)
		}
		t.key = key
		return t, nil
	}
	pk, err := auth.OpenPublicKeys(publicKeys)
	if err != nil {
		return nil, err
	}
	pk.OnReload = func(ids []string, err error) {
		if err != nil {
			log.Error("token public keys changed but could not be read; still accepting the keys read before", "err", err, "keys", ids)
			return
		}
		log.Info("token public keys read again", "keys", ids)
	}
	t.public = pk
	log.Info("verifying tokens with public keys only; this pid1 holds no signing key", "files", publicKeys, "keys", pk.IDs())
	return t, nil
}

// canWrite checks a token and says whether its user may write.
func (s *Server) canWrite(token string) (bool, error) {
	u, err := s.authenticate(token)
	return u.CanWrite, err
}

func (s *Server) authenticate(token string) (services.User, error) {
	var c auth.Claims
	var err error
	if s.tokens.public != nil {
		c, err = s.tokens.public.Verify(token, time.Now())
	} else {
		c, err = s.tokens.key.Verify(token, time.Now())
	}
	if err != nil {
		return services.User{}, err
	}
	return services.User{ID: c.UserID, Name: c.UserName, CanWrite: c.CanWrite}, nil
}

// Token mints a token for user with the state directory's key; a pid1
// that verifies with public keys only answers ErrVerifyOnly.
func (s *Server) Token(user string, canWrite bool, ttl time.Duration) (string, error) {
	if s.tokens.key == nil {
		return "", ErrVerifyOnly
	}
	if user == "" {
		return "", errors.New("a token needs a user name")
	}
	now := time.Now()
	return s.tokens.key.Mint(auth.Claims{UserID: auth.UserIDFor(user), UserName: user, CanWrite: canWrite,
		IssuedAt: now, Expires: now.Add(ttl)})
}
