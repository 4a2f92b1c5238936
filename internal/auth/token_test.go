package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func mustKey(t testing.TB) *Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mint(t testing.TB, k *Key, c Claims) string {
	t.Helper()
	tok, err := k.Mint(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func claims(name string, write bool) Claims {
	return Claims{UserID: UserIDFor(name), UserName: name, CanWrite: write, IssuedAt: t0, Expires: t0.Add(time.Hour)}
}

func TestRoundTrip(t *testing.T) {
	k := mustKey(t)
	for _, write := range []bool{true, false} {
		want := claims("ada", write)
		tok := mint(t, k, want)
		if !strings.HasPrefix(tok, "v2.public.") || strings.ContainsAny(tok, "/+= ") {
			t.Fatalf("token %q is not URL-path safe PASETO v2.public", tok)
		}
		got, err := k.Verify(tok, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !got.IssuedAt.Equal(want.IssuedAt) || !got.Expires.Equal(want.Expires) {
			t.Fatalf("times: got %v..%v want %v..%v", got.IssuedAt, got.Expires, want.IssuedAt, want.Expires)
		}
		got.IssuedAt, got.Expires = want.IssuedAt, want.Expires
		if got != want {
			t.Fatalf("got %+v want %+v", got, want)
		}
	}
}

func TestTokensAreSalted(t *testing.T) {
	k := mustKey(t)
	if a, b := mint(t, k, claims("ada", true)), mint(t, k, claims("ada", true)); a == b {
		t.Fatal("two tokens for the same claims are identical")
	}
}

func TestRefusals(t *testing.T) {
	k := mustKey(t)
	good := mint(t, k, claims("ada", true))
	other := mint(t, mustKey(t), claims("ada", true))
	body := strings.TrimPrefix(good, header)
	msgPart, footPart, _ := strings.Cut(body, ".")
	raw, _ := b64url.DecodeString(msgPart)
	flipped := append([]byte(nil), raw...)
	flipped[3] ^= 1

	cases := []struct {
		name  string
		token string
		now   time.Time
		want  error
		text  string
	}{
		{"empty", "", t0, ErrMissing, "no token"},
		{"wrong header", "v1.local." + body, t0, ErrMalformed, "does not start with"},
		{"garbage", "hello", t0, ErrMalformed, ""},
		{"not base64", header + "!!!." + footPart, t0, ErrMalformed, "base64url"},
		{"too short", header + b64url.EncodeToString([]byte("abc")), t0, ErrMalformed, "shorter than a signature"},
		{"extra dot", good + ".x", t0, ErrMalformed, "too many dots"},
		{"no footer", header + msgPart, t0, ErrBadSignature, "names key"},
		{"tampered message", header + b64url.EncodeToString(flipped) + "." + footPart, t0, ErrBadSignature, ""},
		{"other key", other, t0, ErrBadSignature, "names key"},
		{"expired", good, t0.Add(time.Hour), ErrExpired, "expired at 2026-11-23T13:00:00Z"},
		{"long expired", good, t0.Add(48 * time.Hour), ErrExpired, "47h0m0s ago"},
		{"from the future", good, t0.Add(-2 * time.Minute), ErrNotYetValid, "in the future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := k.Verify(c.token, c.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %q does not say %q", err, c.text)
			}
		})
	}
}

// signed builds a token around an arbitrary ReplToken with k's real key,
// to check what Verify does with well-signed but unusable contents.
func signed(t *testing.T, k *Key, rt *api.ReplToken, msgOverride []byte) string {
	t.Helper()
	body, _ := proto.Marshal(rt)
	msg := []byte(base64.StdEncoding.EncodeToString(body))
	if msgOverride != nil {
		msg = msgOverride
	}
	foot, _ := proto.Marshal(&api.GovalSigningAuthority{Cert: &api.GovalSigningAuthority_KeyId{KeyId: k.id}, Issuer: Issuer})
	footer := []byte(base64.StdEncoding.EncodeToString(foot))
	return join(msg, ed25519.Sign(k.priv, pae([]byte(header), msg, footer)), footer)
}

func TestSignedButUnusable(t *testing.T) {
	k := mustKey(t)
	iat, exp := timestamppb.New(t0), timestamppb.New(t0.Add(time.Hour))
	who := &api.ReplToken_Presenced{BearerID: 7, BearerName: "ada"}
	cases := map[string]string{
		"no user":        signed(t, k, &api.ReplToken{Iat: iat, Exp: exp}, nil),
		"no name":        signed(t, k, &api.ReplToken{Iat: iat, Exp: exp, Presenced: &api.ReplToken_Presenced{BearerID: 7}}, nil),
		"no expiry":      signed(t, k, &api.ReplToken{Iat: iat, Presenced: who}, nil),
		"not base64":     signed(t, k, nil, []byte("%%%")),
		"not a protobuf": signed(t, k, nil, []byte(base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff}))),
	}
	for name, tok := range cases {
		if _, err := k.Verify(tok, t0); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
	}
}

func TestMintRefusesNonsense(t *testing.T) {
	k := mustKey(t)
	if _, err := k.Mint(Claims{UserID: 1, IssuedAt: t0, Expires: t0.Add(time.Hour)}); err == nil {
		t.Error("minted a token without a user name")
	}
	if _, err := k.Mint(Claims{UserID: 1, UserName: "a", IssuedAt: t0, Expires: t0}); err == nil {
		t.Error("minted a token that expires as it is issued")
	}
}

func TestUserIDFor(t *testing.T) {
	// SERVICES.md shows these ids; they must not change between releases.
	for name, want := range map[string]uint32{"replbot": 44314793, "alice": 2267157479} {
		if got := UserIDFor(name); got != want {
			t.Errorf("UserIDFor(%q) = %d, want %d", name, got, want)
		}
	}
	if UserIDFor("") == 0 {
		t.Fatal("user id 0")
	}
}

func FuzzVerify(f *testing.F) {
	k, _ := GenerateKey()
	good, _ := k.Mint(claims("ada", true))
	f.Add(good)
	f.Add("v2.public.")
	f.Add("v2.public.AAAA.AAAA")
	f.Add(good[:len(good)-3])
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := k.Verify(tok, t0)
		if err == nil && tok != good {
			// Any other accepted token must be a re-encoding of the good
			// one's exact bytes, which base64url cannot produce.
			t.Fatalf("accepted a token never minted: %q → %+v", tok, c)
		}
	})
}
