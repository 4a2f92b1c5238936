// Package auth mints and verifies pid1's connection tokens.
//
// A token is a PASETO v2.public string signed with Ed25519, the shape goval
// clients already carry in /wsv2/{token}:
//
//	v2.public.<base64url(message || signature)>.<base64url(footer)>
//
// The message is the standard base64 of a ReplToken protobuf (user id and
// name in Presenced, READ_ONLY persistence for users who may not write,
// issue and expiry times); the footer is the standard base64 of a
// GovalSigningAuthority naming the key. The signature covers the PASETO
// pre-authentication encoding of the header, message and footer.
//
// Two ways to hold keys. By default the signing key lives in pid1's state
// directory (never in the workspace) and is created on first use, so `pid1`
// and `pid1 token` work on a fresh machine. In a verify-only deployment,
// tokens are minted elsewhere with a private key (PKCS #8 PEM, as
// WriteKeyPair or openssl write it) and pid1 holds only [PublicKeys]: one
// or more PKIX PEM public keys, several during a rotation, read again when
// their files change. A key is named in each token's footer by an id
// derived from its public half, which picks the key to check against.
//
// Key, PublicKeys and the functions here are safe for concurrent use.
package auth
