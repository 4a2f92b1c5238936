// Package endpoints serves the native APIs of every execution engine
// (ATO's, ranna's and asyonline's) on one handler, behind the per-client
// connection limit. It is the one place that lists the engines' adapters
// and the paths they own.
//
// Endpoints is safe for concurrent use.
package endpoints
