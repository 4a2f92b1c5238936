package perclient

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/netip"
)

type keyCtx struct{}

// FromContext is the client key Middleware put in a request's context
// ("" outside it).
func FromContext(ctx context.Context) string {
	k, _ := ctx.Value(keyCtx{}).(string)
	return k
}

// Middleware keys each request by its client address, holds a slot of
// conns for as long as the request is served (a WebSocket holds it for
// its life), and refuses with 429 Too Many Requests and a text that says
// why when the client is over its limits. The key is in the request's
// context for the handlers' own limits (FromContext).
func Middleware(conns *Limiter, trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, ok := ClientAddr(r, trusted)
		if !ok {
			http.Error(w, "cannot tell the client's address", http.StatusBadRequest)
			return
		}
		key := Key(addr)
		release, err := conns.Acquire(key)
		if err != nil {
			Refuse(w, err.(*Refusal))
			return
		}
		defer release()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyCtx{}, key)))
	})
}

// Refuse writes a 429 with the refusal's reason and, when it has one, a
// Retry-After header in whole seconds.
func Refuse(w http.ResponseWriter, r *Refusal) {
	if r.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(r.RetryAfter.Seconds()))))
	}
	http.Error(w, r.Reason, http.StatusTooManyRequests)
}
