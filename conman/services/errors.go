package services

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an error is, so that the edge (the hub,
// an engine's endpoint) can show it on its wire: an `error` command's
// text, a WebSocket close code, an HTTP status. Services say what went
// wrong; they do not choose codes.
type Kind int

const (
	// KindInternal is pid1's fault. Its details are logged; the client
	// is told only that the service failed.
	KindInternal Kind = iota
	// KindInvalid is a request that cannot be done as sent; its text says
	// what to change.
	KindInvalid
	// KindForbidden is a request the session's token does not allow.
	KindForbidden
	// KindNotFound names something that does not exist.
	KindNotFound
	// KindUnavailable is a request that may work later (busy, full,
	// shutting down).
	KindUnavailable
)

var kindNames = [...]string{"internal", "invalid", "forbidden", "not_found", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is an error with a kind. Its text, Msg (or Err's when Msg is
// empty), is what the client is shown, except for KindInternal; Err, if
// set, is what it wraps, for errors.Is and errors.As.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error of kind k; %w in format wraps as fmt.Errorf does.
func Errorf(k Kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: k, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// KindOf is the kind of the outermost Error in err's chain. An error
// without one is a request the service refused with a message written
// for the client: KindInvalid. Only a recovered panic or an explicit
// KindInternal hides its text.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInvalid
}

// ErrReadOnly is wrapped by every refusal of something a read-only token
// does not allow: a command that changes the workspace, runs code or
// changes a process, a terminal or a shared channel's life.
var ErrReadOnly = errors.New("read-only")

// ReadOnly is the refusal of what (a command, opening a channel) to a
// read-only session.
func ReadOnly(what string) error {
	return &Error{Kind: KindForbidden, Msg: "read-only: your token does not allow " + what, Err: ErrReadOnly}
}
