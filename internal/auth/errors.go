package auth

import "errors"

// The ways a token can be refused. Verify wraps them with detail; match
// with errors.Is.
var (
	ErrMissing      = errors.New("no token: connect to /wsv2/{token}")
	ErrMalformed    = errors.New("malformed token")
	ErrBadSignature = errors.New("token signature does not verify with this pid1's key")
	ErrExpired      = errors.New("token expired")
	ErrNotYetValid  = errors.New("token not valid yet")
)
