// Package web serves pid1's browser IDE: the page and the bundle built from
// this directory's TypeScript (npm ci, then `npm run build`, which `make
// build`, `make run` and `make test` do), embedded into pid1 with go:embed.
// A pid1 compiled before the bundle was built serves a page that says how to
// build it.
//
// The page connects back to the origin it was loaded from: the token comes
// in the URL's fragment (`/#token=…`), which browsers never send to the
// server, so it appears in no request line and no server log; the page
// then uses it in /wsv2/{token} like every goval client.
//
// Everything is served with an explicit content type, a
// Content-Security-Policy that allows only this origin's scripts and
// connections (and images only from data: and blob:, where the playground
// shows an Asymptote picture), a strong ETag, gzip when the client accepts it, and caching
// by name: the hashed files under /assets/ are immutable, the page itself
// is revalidated on every load. /ide/info.json tells the page which
// services and languages this pid1 offers, so panes for services it lacks
// are left out.
//
// A Handler is safe for concurrent use; its compressed copies are made once,
// on first request.
package web
