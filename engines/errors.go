package engines

import (
	"errors"
	"fmt"
)

// The errors Start returns, for the adapters to map onto their wire
// protocols with errors.Is; the wrapped text says what was wrong.
var (
	// ErrInvalid is a request no engine would run (its text says why).
	ErrInvalid = errors.New("invalid request")
	// ErrNULByte is an option or argument holding a NUL byte, which no
	// argv entry can.
	ErrNULByte = errors.New("argument contains null byte")
	// ErrUnknownLanguage is a language id no runner has.
	ErrUnknownLanguage = errors.New("no such language")
	// ErrUnavailable is a language whose runner exists but whose
	// toolchain is not installed here.
	ErrUnavailable = errors.New("language not installed on this server")
	// ErrBusy is a full run queue: the server has no room now.
	ErrBusy = errors.New("server busy")
	// ErrLimited is a client over its per-client limits; errors.As finds
	// the *Refusal with the reason and when to retry.
	ErrLimited = errors.New("client over its limits")
)

// InvalidError is a request no engine would run; Detail says why.
// errors.Is(err, ErrInvalid) holds for it.
type InvalidError struct{ Detail string }

func (e *InvalidError) Error() string { return "invalid request: " + e.Detail }

// Is makes an InvalidError match ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error {
	return &InvalidError{Detail: fmt.Sprintf(format, args...)}
}
