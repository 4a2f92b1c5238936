// Package perclient limits what each client of the public engine
// endpoints may do: how many things it has going at once (connections,
// runs) and how often it may start one (a token bucket). Clients are
// keyed by address: an IPv4 address, or the /64 an IPv6 address is in
// (one subscriber usually holds a whole /64); behind trusted proxies, the
// address they forwarded.
//
// A refusal is a *Refusal that says why and when to try again. The
// state kept per client is dropped once the client is idle and its bucket
// full again, and the number of clients tracked at once is bounded.
//
// A Limiter is safe for concurrent use.
package perclient
