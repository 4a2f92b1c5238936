package ato

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// version is an API version: v0 (ATO's Go server, 2021–2022: one request,
// one reply) or v1 (the current Rust server: streamed, reusable). Their
// close codes are the same; their reasons are each server's own words.
type version int

const (
	v0 version = iota
	v1
)

// maxMessage is the largest request either version takes.
const maxMessage = 64 << 10

// closeError is how a connection ends: a close code and its reason.
type closeError struct {
	code   websocket.StatusCode
	reason string
}

func (e *closeError) Error() string { return fmt.Sprintf("close %d: %s", e.code, e.reason) }

func (v version) notBinary() *closeError {
	if v == v0 {
		return &closeError{websocket.StatusUnsupportedData, "unexpected message type"}
	}
	return &closeError{websocket.StatusUnsupportedData, "expected a binary message"}
}

func (v version) tooBig(size int64) *closeError {
	if v == v0 {
		return &closeError{websocket.StatusMessageTooBig, "request too large"}
	}
	return &closeError{websocket.StatusMessageTooBig,
		fmt.Sprintf("received message of size %d, greater than size limit %d", size, maxMessage)}
}

// invalid is a 1008 with v's prefix for a request that could not be used.
func (v version) invalid(detail string) *closeError {
	prefix := "invalid request: "
	if v == v0 {
		prefix = "bad request: "
	}
	return &closeError{websocket.StatusPolicyViolation, prefix + detail}
}

func (v version) badTimeout(t int64) *closeError {
	if v == v0 {
		return &closeError{websocket.StatusPolicyViolation, "timeout not in range (0, 60]"}
	}
	return v.invalid(fmt.Sprintf("timeout not in range 1-%d: %d", maxTimeout, t))
}

func (v version) nulByte() *closeError {
	if v == v0 {
		return &closeError{websocket.StatusPolicyViolation, "argument contains null byte"}
	}
	return v.invalid("argument contains null byte")
}

func (v version) noLanguage(lang string, unavailable bool) *closeError {
	var reason string
	switch {
	case v == v0 && !unavailable:
		reason = "no such language"
	case v == v0:
		reason = "no such language (not installed on this server)"
	case !unavailable:
		reason = "invalid request: no such language: " + lang
	default:
		reason = "invalid request: language not installed on this server: " + lang
	}
	return &closeError{websocket.StatusPolicyViolation, reason}
}

func (v version) internal() *closeError {
	return &closeError{websocket.StatusInternalError, "internal error"}
}

// startError maps what Start refused onto v's close codes.
func (v version) startError(err error, lang string) *closeError {
	var refusal *perclient.Refusal
	var bad *engines.InvalidError
	switch {
	case errors.As(err, &refusal):
		return &closeError{websocket.StatusTryAgainLater, refusal.Reason}
	case errors.Is(err, engines.ErrBusy):
		return &closeError{websocket.StatusTryAgainLater, "server busy: too many runs queued; try again later"}
	case errors.Is(err, engines.ErrUnknownLanguage):
		return v.noLanguage(lang, false)
	case errors.Is(err, engines.ErrUnavailable):
		return v.noLanguage(lang, true)
	case errors.Is(err, engines.ErrNULByte):
		return v.nulByte()
	case errors.As(err, &bad):
		return v.invalid(bad.Detail)
	}
	return v.internal()
}

// maxReason is the most a close frame's reason may hold.
const maxReason = 123

// fit makes a reason a close frame can carry: valid UTF-8 of at most
// maxReason bytes, cut at a character boundary with "…" when longer.
func fit(reason string) string {
	reason = strings.ToValidUTF8(reason, "\uFFFD")
	if len(reason) <= maxReason {
		return reason
	}
	cut := maxReason - len("…")
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut] + "…"
}
