package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/pid1/pid1/internal/auth"
)

// runKeygen implements `pid1 keygen`: it writes a new Ed25519 key pair for
// verify-only deployments, the private key (PKCS #8 PEM, mode 0600) to
// -out and the public key (PKIX PEM) to -out.pub, never replacing a file.
func runKeygen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pid1 keygen", flag.ContinueOnError)
	path := fs.String("out", "pid1-token.key", "where to write the private key; the public key goes to the same name with .pub")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *path == "" {
		return fmt.Errorf("-out must not be empty")
	}
	k, err := auth.WriteKeyPair(*path, *path+".pub")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "key %s\n  private: %s (keep it where tokens are minted: pid1 token -signing-key %s)\n  public:  %s.pub (give it to pid1: -token-public-key %s.pub)\n",
		k.ID(), *path, *path, *path, *path)
	return nil
}
