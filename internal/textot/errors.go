package textot

import "errors"

// Errors returned by this package, wrapped in a message that gives the
// details (which component, which count); callers add their own context
// (the ot service prefixes "ot: "). Test for them with errors.Is.
var (
	// ErrInvalidComponent reports the zero Component or an unknown kind.
	ErrInvalidComponent = errors.New("invalid component (not built with Skip, Insert or Delete)")
	// ErrZeroSkip reports a skip whose count is zero or negative.
	ErrZeroSkip = errors.New("skip count must be positive")
	// ErrZeroDelete reports a delete whose count is zero or negative.
	ErrZeroDelete = errors.New("delete count must be positive")
	// ErrEmptyInsert reports an insert of the empty string.
	ErrEmptyInsert = errors.New("insert text must not be empty")
	// ErrInvalidUTF8 reports inserted text or a document that is not valid
	// UTF-8, where counting code points would be ambiguous: deleting bytes
	// can join invalid fragments into a character.
	ErrInvalidUTF8 = errors.New("not valid UTF-8")
	// ErrTooLong reports an op that spans more than MaxSpan code points.
	ErrTooLong = errors.New("op is too long")
	// ErrPastEnd reports an op that skips or deletes past the end of the
	// document it is applied to.
	ErrPastEnd = errors.New("past the end of the document")
	// ErrInvalidSide reports a Side other than Left or Right.
	ErrInvalidSide = errors.New("side must be Left or Right")
	// ErrInvalidProto reports a protobuf component that cannot be converted.
	ErrInvalidProto = errors.New("invalid protobuf op component")
)
