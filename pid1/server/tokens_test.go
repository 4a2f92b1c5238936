package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/auth"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func mintWith(t *testing.T, k *auth.Key, user string) string {
	t.Helper()
	now := time.Now()
	tok, err := k.Mint(auth.Claims{UserID: auth.UserIDFor(user), UserName: user, CanWrite: true, IssuedAt: now, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A verify-only server accepts tokens of the public key it was given and
// no other, mints none, creates no key, and still runs the services that
// connect to the hub themselves (shellrun2 attaching to run2).
func TestVerifyOnlyServer(t *testing.T) {
	base := t.TempDir()
	key, err := auth.WriteKeyPair(filepath.Join(base, "k"), filepath.Join(base, "k.pub"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.GenerateKey()
	o := server.Options{Workspace: filepath.Join(base, "ws"), StateDir: filepath.Join(base, "state"),
		TokenPublicKeys: []string{filepath.Join(base, "k.pub")}}
	os.MkdirAll(o.Workspace, 0o755)
	os.WriteFile(filepath.Join(o.Workspace, ".replit"), []byte("run = \"echo from-run2-$((6*7))\"\n"), 0o644)
	srv, err := server.New(o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		hs.Close()
	}()
	if _, err := srv.Token("ada", true, time.Hour); !errors.Is(err, server.ErrVerifyOnly) {
		t.Fatalf("Token: %v", err)
	}
	if _, err := os.Stat(filepath.Join(o.StateDir, auth.KeyFile)); !os.IsNotExist(err) {
		t.Fatalf("a signing key was created: %v", err)
	}
	for name, tok := range map[string]string{"another key": mintWith(t, other, "ada"), "garbage": "pid1-internal.0000"} {
		resp, err := http.Get(hs.URL + "/wsv2/" + tok)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: HTTP %d, want 401", name, resp.StatusCode)
		}
	}
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/wsv2/" + mintWith(t, key, "ada")
	ch := servicetest.Open(t, url, "shellrun2", "shellrun2")
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); err != nil {
		t.Fatal(err)
	}
	servicetest.Until(t, ch, "from-run2-42")
}
