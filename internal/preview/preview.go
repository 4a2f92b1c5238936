package preview

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Names of the token's carriers.
const (
	Cookie     = "pid1_proxy_token"
	QueryParam = "pid1_token"
)

// Config configures the proxy.
type Config struct {
	// Authenticate checks a token, as the hub does, and says whether its
	// user may write.
	Authenticate func(token string) (canWrite bool, err error)
	// Open reports the address a workspace program listens on at port
	// (ok false: none).
	Open func(port int) (addr netip.Addr, ok bool)
}

// Handler serves /proxy/{port}/{path...}.
func Handler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/proxy/{port}/{path...}", cfg.serve)
	mux.HandleFunc("/proxy/{port}", func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	})
	return mux
}

func (cfg Config) serve(w http.ResponseWriter, r *http.Request) {
	port, err := strconv.Atoi(r.PathValue("port"))
	if err != nil || port < 1 || port > 65535 {
		http.Error(w, fmt.Sprintf("%q is not a port", r.PathValue("port")), http.StatusBadRequest)
		return
	}
	tok, fromQuery := token(r)
	if tok == "" {
		http.Error(w, "a pid1 token is needed: Authorization: Bearer TOKEN, the "+Cookie+" cookie, or ?"+QueryParam+"=TOKEN", http.StatusUnauthorized)
		return
	}
	canWrite, err := cfg.Authenticate(tok)
	if err != nil {
		http.Error(w, "the token is not valid: "+err.Error(), http.StatusUnauthorized)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !canWrite {
			http.Error(w, "read-only: your token does not allow "+r.Method+" through the preview proxy", http.StatusForbidden)
			return
		}
	}
	addr, ok := cfg.Open(port)
	if !ok {
		http.Error(w, fmt.Sprintf("no workspace program listens on port %d", port), http.StatusNotFound)
		return
	}
	if addr.IsUnspecified() {
		if addr.Is4() {
			addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			addr = netip.IPv6Loopback()
		}
	}
	prefix := "/proxy/" + strconv.Itoa(port)
	if fromQuery {
		http.SetCookie(w, &http.Cookie{Name: Cookie, Value: tok, Path: prefix + "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	target := &url.URL{Scheme: "http", Host: netip.AddrPortFrom(addr, uint16(port)).String()}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = "/" + r.PathValue("path")
			pr.Out.URL.RawPath = ""
			q := pr.In.URL.Query()
			q.Del(QueryParam)
			pr.Out.URL.RawQuery = q.Encode()
			pr.Out.Header.Del("Authorization")
			stripCookie(pr.Out)
			pr.SetXForwarded()
			pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, fmt.Sprintf("the program on port %d did not answer: %v", port, err), http.StatusBadGateway)
		},
	}
	rp.ServeHTTP(w, r)
}

// token finds the request's token; fromQuery says it came in the URL.
func token(r *http.Request) (tok string, fromQuery bool) {
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && h != "" {
		return strings.TrimSpace(h), false
	}
	if t := r.URL.Query().Get(QueryParam); t != "" {
		return t, true
	}
	if c, err := r.Cookie(Cookie); err == nil && c.Value != "" {
		return c.Value, false
	}
	return "", false
}

// stripCookie removes pid1's cookie from what goes to the app.
func stripCookie(r *http.Request) {
	cs := r.Cookies()
	r.Header.Del("Cookie")
	for _, c := range cs {
		if c.Name != Cookie {
			r.AddCookie(c)
		}
	}
}
