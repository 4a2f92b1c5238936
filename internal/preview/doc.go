// Package preview is pid1's preview proxy: /proxy/{port}/{path} reaches
// a web app a workspace program serves on that port, so an IDE can show
// it with no other port of the container exposed.
//
// Only a port a workspace program listens on now (Config.Open) is
// reached, always over loopback. A request needs a pid1 token: in an
// Authorization: Bearer header, in the cookie pid1_proxy_token, or as the
// query parameter pid1_token, which sets that cookie (scoped to the
// port's path, HttpOnly) so that the page's own links and requests carry
// it. Read-only users may GET, HEAD and OPTIONS only. The token, the
// cookie and the query parameter are removed before the request reaches
// the app, which sees the path below /proxy/{port} and an
// X-Forwarded-Prefix header naming that prefix. WebSocket upgrades pass
// through.
//
// # Concurrency
//
// The handler serves requests concurrently; Config's functions must be
// safe for that.
package preview
