package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/pid1/pid1/internal/auth"
)

// runToken implements `pid1 token`: it prints a token valid for a pid1
// started with the same -state-dir. With -url it prints the full URL.
func runToken(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("pid1 token", flag.ContinueOnError)
	c.commonFlags(fs)
	user := fs.String("user", defaultUser(), "user name the token carries")
	readOnly := fs.Bool("read-only", false, "the user may not change the workspace")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	asURL := fs.Bool("url", false, "print ws://LISTEN/wsv2/TOKEN instead of the bare token")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fmt.Errorf("-ttl must be positive, got %v", *ttl)
	}
	if *user == "" {
		return fmt.Errorf("-user must not be empty")
	}
	tok, err := mint(c.stateDir, *user, !*readOnly, *ttl)
	if err != nil {
		return err
	}
	if *asURL {
		fmt.Fprintln(out, wsURL(c.listen, tok))
		return nil
	}
	fmt.Fprintln(out, tok)
	return nil
}

func mint(stateDir, user string, canWrite bool, ttl time.Duration) (string, error) {
	key, err := auth.LoadOrCreateKey(stateDir)
	if err != nil {
		return "", fmt.Errorf("loading the signing key: %w", err)
	}
	now := time.Now()
	return key.Mint(auth.Claims{
		UserID: auth.UserIDFor(user), UserName: user, CanWrite: canWrite,
		IssuedAt: now, Expires: now.Add(ttl),
	})
}

func wsURL(listen, token string) string {
	return "ws://" + listen + "/wsv2/" + token
}
