package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	"github.com/pid1/pid1/internal/auth"
)

// runToken implements `pid1 token`: it prints a token valid for a pid1
// started with the same -state-dir, or, with -signing-key, one signed with
// that private key (for a pid1 verifying with its public key). With -url it
// prints the URL that opens the browser IDE as that user, with -ws-url the
// WebSocket URL programs connect to.
func runToken(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("pid1 token", flag.ContinueOnError)
	c.commonFlags(fs)
	user := fs.String("user", defaultUser(), "user name the token carries")
	readOnly := fs.Bool("read-only", false, "the user may not change the workspace")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	asURL := fs.Bool("url", false, "print the browser IDE's URL, http://LISTEN/#token=TOKEN, instead of the bare token")
	asWSURL := fs.Bool("ws-url", false, "print ws://LISTEN/wsv2/TOKEN (for conman-repl and other clients) instead of the bare token")
	signingKey := fs.String("signing-key", "", "sign with the Ed25519 private key in this PEM file (pid1 keygen writes one) instead of the state directory's key")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fmt.Errorf("-ttl must be positive, got %v", *ttl)
	}
	if *user == "" {
		return fmt.Errorf("-user must not be empty")
	}
	key, err := signingKeyFor(&c, *signingKey)
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := key.Mint(auth.Claims{
		UserID: auth.UserIDFor(*user), UserName: *user, CanWrite: !*readOnly,
		IssuedAt: now, Expires: now.Add(*ttl),
	})
	if err != nil {
		return err
	}
	switch {
	case *asURL && *asWSURL:
		return errors.New("-url and -ws-url each print one URL: pick one")
	case *asURL:
		fmt.Fprintln(out, ideURL(c.listen, tok))
		return nil
	case *asWSURL:
		fmt.Fprintln(out, wsURL(c.listen, tok))
		return nil
	}
	fmt.Fprintln(out, tok)
	return nil
}

// errVerifyOnly is `pid1 token`'s answer where pid1 holds no signing key.
var errVerifyOnly = errors.New("this pid1 verifies tokens with public keys only (-token-public-key or PID1_TOKEN_PUBLIC_KEY is set) and holds no signing key, so it cannot mint tokens: " +
	"mint them where the private key is, with pid1 token -signing-key FILE")

// signingKeyFor picks the key to mint with: -signing-key's file, else the
// state directory's (created if missing), which a verify-only
// configuration refuses. With both -signing-key and public keys, the
// signing key must be one of them, or the token would be refused.
func signingKeyFor(c *config, file string) (*auth.Key, error) {
	public := c.publicKeyFiles()
	if file == "" {
		if len(public) > 0 {
			return nil, errVerifyOnly
		}
		key, err := auth.LoadOrCreateKey(c.stateDir)
		if err != nil {
			return nil, fmt.Errorf("loading the signing key: %w", err)
		}
		return key, nil
	}
	key, err := auth.ReadSigningKey(file)
	if err != nil {
		return nil, fmt.Errorf("-signing-key: %w", err)
	}
	if len(public) > 0 {
		pk, err := auth.OpenPublicKeys(public)
		if err != nil {
			return nil, err
		}
		if ids := pk.IDs(); !slices.Contains(ids, key.ID()) {
			return nil, fmt.Errorf("-signing-key %s is key %s, which is not among the public keys pid1 accepts (%v): its tokens would be refused", file, key.ID(), ids)
		}
	}
	return key, nil
}

// wsURL is the URL a client connects to pid1 on listen with.
func wsURL(listen, token string) string {
	return "ws://" + reachable(listen) + "/wsv2/" + token
}

// ideURL opens the browser IDE. The token travels in the fragment, which
// a browser never sends to the server, so it shows in no request line or
// log; the page reads it and connects with it.
func ideURL(listen, token string) string {
	return "http://" + reachable(listen) + "/#token=" + token
}

// reachable is listen as a browser or client on this machine reaches it:
// a wildcard address (0.0.0.0, a container's) is shown as 127.0.0.1, where
// a published port is reached from the host.
func reachable(listen string) string {
	if host, port, err := net.SplitHostPort(listen); err == nil {
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			return net.JoinHostPort("127.0.0.1", port)
		}
	}
	return listen
}
