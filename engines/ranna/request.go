package ranna

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// ExecutionRequest is ranna's models.ExecutionRequest, plus Stdin.
type ExecutionRequest struct {
	Language         string            `json:"language"`
	Code             string            `json:"code"`
	InlineExpression bool              `json:"inline_expression"`
	Arguments        []string          `json:"arguments"`
	Environment      map[string]string `json:"environment"`
	// Stdin is the program's standard input (not one of ranna's fields;
	// its users asked for it).
	Stdin string `json:"stdin"`
}

// Error is an error as ranna reports it: an HTTP-like code (400 for a
// bad request, 429 for a client over its limits, 500 for the server's
// own failure) and a message.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

func badRequest(format string, args ...any) *Error {
	return &Error{400, fmt.Sprintf(format, args...)}
}

// ranna's own wording of its errors.
var (
	errEmptyCode       = &Error{400, "code is empty"}
	errUnsupported     = &Error{400, "unsupported language spec"}
	errNoInline        = &Error{400, "this spec has no support for inline expressions"}
	errInvalidType     = &Error{400, "invalid message type"}
	errInvalidOpCode   = &Error{400, "invalid operation code"}
	errNotRunning      = &Error{400, "sandbox is not running"}
	errInternal        = &Error{500, "internal error"}
	errServerBusy      = &Error{503, "server busy: too many runs queued; try again later"}
	errOutputTruncated = "output truncated: %s passed its cap of %d bytes, and the run was stopped"
)

// decodeExecution reads an ExecutionRequest: a JSON object whose fields
// have ranna's types (unknown fields are ignored, as ranna does).
func decodeExecution(b []byte) (ExecutionRequest, *Error) {
	var er ExecutionRequest
	if err := strictJSON(b, &er); err != nil {
		return er, badRequest("invalid execution request: %s", describe(err))
	}
	return er, nil
}

// strictJSON decodes one JSON value into v and refuses anything after it.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// describe words a JSON decoding error for the client.
func describe(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "not a JSON object"
		}
		want, ok := typeNames[te.Type.String()]
		if !ok {
			want = te.Type.String()
		}
		return fmt.Sprintf("field %q: %s where %s was expected", te.Field, te.Value, want)
	}
	if errors.Is(err, io.EOF) {
		return "empty"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// typeNames are the Go types of the JSON fields, in JSON's words.
var typeNames = map[string]string{
	"string": "a string", "bool": "a boolean", "int": "an integer", "[]string": "an array of strings",
	"map[string]string": "an object of strings",
}

// Limits are what a run may use.
type Limits struct {
	// Timeout is a run's wall-clock limit (ranna's default is 20 s).
	Timeout time.Duration
	// OutputCap is how much of each stream is kept; a run that passes it
	// is stopped.
	OutputCap int64
}

// DefaultLimits are ranna's 20 s, and half of its 1 MB of output to each
// stream.
var DefaultLimits = Limits{Timeout: 20 * time.Second, OutputCap: 512 << 10}

// Request turns an ExecutionRequest into the core's request: the
// language resolved by its ranna name or alias, the code put in its
// inline template when asked. client is who asks, for the per-client
// limits.
func (s *Specs) Request(er ExecutionRequest, lim Limits, client string) (engines.Request, *Error) {
	if er.Code == "" {
		return engines.Request{}, errEmptyCode
	}
	sp, runner, ok := s.lookup(er.Language)
	if !ok {
		return engines.Request{}, errUnsupported
	}
	code := er.Code
	if er.InlineExpression {
		if sp.Inline == nil {
			return engines.Request{}, errNoInline
		}
		code = sp.Inline.Expand(code)
	}
	keys := make([]string, 0, len(er.Environment))
	for k := range er.Environment {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		v := er.Environment[k]
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.IndexByte(v, 0) >= 0 {
			return engines.Request{}, badRequest("environment variable %q: names may not be empty or hold = or NUL, values may not hold NUL", k)
		}
		env = append(env, k+"="+v)
	}
	return engines.Request{
		Language: runner, Code: []byte(code), Input: []byte(er.Stdin), Arguments: er.Arguments, Env: env,
		Timeout: lim.Timeout, StdoutCap: lim.OutputCap, StderrCap: lim.OutputCap, KillOnTruncate: true,
		Client: client,
	}, nil
}

// StartError words what the core refused, as ranna would.
func StartError(err error) *Error {
	var refusal *perclient.Refusal
	var bad *engines.InvalidError
	switch {
	case errors.As(err, &refusal):
		return &Error{429, refusal.Reason}
	case errors.Is(err, engines.ErrBusy):
		return errServerBusy
	case errors.Is(err, engines.ErrUnknownLanguage), errors.Is(err, engines.ErrUnavailable):
		return errUnsupported
	case errors.Is(err, engines.ErrNULByte):
		return badRequest("argument contains null byte")
	case errors.As(err, &bad):
		return badRequest("%s", bad.Detail)
	}
	return errInternal
}

// Outcome is how a run ended, as STOP and the REST answer carry it:
// ranna's exectimems and the fields ranna's users asked for.
type Outcome struct {
	ExecTimeMS int64 `json:"exectimems"`
	// ExitCode is the program's exit status; -1 when a signal ended it.
	ExitCode int `json:"exitcode"`
	// Signal is the signal that ended it, if one did.
	Signal int `json:"signal,omitempty"`
	// TimedOut: the run passed its time limit; Killed: KILL, or the
	// client going away, ended it.
	TimedOut bool `json:"timedout"`
	Killed   bool `json:"killed"`
	// Truncated: output passed its cap, and the run was stopped.
	Truncated bool `json:"truncated"`
}

// OutcomeOf is r as a ranna client sees it.
func OutcomeOf(r *engines.Result) Outcome {
	o := Outcome{ExecTimeMS: r.Real.Milliseconds(), ExitCode: -1, TimedOut: r.TimedOut, Killed: r.Killed,
		Truncated: r.StdoutTruncated || r.StderrTruncated}
	switch r.Status {
	case engines.Exited:
		o.ExitCode = r.Value
	case engines.Killed, engines.CoreDumped:
		o.Signal = r.Value
	}
	return o
}

// Warning is the ERROR that goes before STOP when the run did not end
// by itself: it timed out, or its output was cut; nil otherwise.
func Warning(r *engines.Result, lim Limits) *Error {
	switch {
	case r.StdoutTruncated:
		return badRequest(errOutputTruncated, "stdout", lim.OutputCap)
	case r.StderrTruncated:
		return badRequest(errOutputTruncated, "stderr", lim.OutputCap)
	case r.TimedOut:
		return badRequest("code execution timed out after %v", lim.Timeout)
	}
	return nil
}
