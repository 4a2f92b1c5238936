// Package middleware holds services.Middleware that any service can be
// wrapped in. A middleware is a function from services.Constructor to
// services.Constructor: it may wrap the Channel it hands to the service
// (what goes out) and the Service it gets back (what comes in), and
// services.Chain composes several, the first listed outermost.
//
// Log is the cross-cutting one pid1 wraps every service in. The terminal
// middleware (termed, rateLimit, scrollback, clippy) lives in packages
// below this one.
package middleware
