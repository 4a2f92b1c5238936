package ranna

import (
	"bytes"
	"encoding/json"
)

// The operations a client sends.
const (
	opPing = 0
	opExec = 1
	opKill = 2
)

// The events the server sends.
const (
	evPong  = 0
	evError = 1
	evSpawn = 2
	evLog   = 3
	evStop  = 4
)

// operation is one decoded operation. Nonce is the client's JSON value
// as it came (a number, or a string), echoed on every event the
// operation causes; nil when there was none.
type operation struct {
	Op    int
	Nonce json.RawMessage
	Exec  ExecutionRequest // EXEC's args
	RunID string           // KILL's args
}

// wireOp is an operation's JSON shape.
type wireOp struct {
	Op    *int            `json:"op"`
	Nonce json.RawMessage `json:"nonce"`
	Args  json.RawMessage `json:"args"`
}

// decodeOp reads one operation. A nonce that came with a message is
// returned with its error too, so that the ERROR carries it.
func decodeOp(b []byte) (operation, *Error) {
	var w wireOp
	err := strictJSON(b, &w)
	// A nonce decoded before a later field failed still goes back.
	var op operation
	if t := bytes.TrimSpace(w.Nonce); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		if t[0] != '"' && t[0] != '-' && (t[0] < '0' || t[0] > '9') {
			return op, badRequest("invalid operation: the nonce must be a number or a string")
		}
		op.Nonce = t
	}
	if err != nil {
		return op, badRequest("invalid operation: %s", describe(err))
	}
	if w.Op == nil {
		return op, badRequest("invalid operation: op is missing")
	}
	op.Op = *w.Op
	args := w.Args
	if len(bytes.TrimSpace(args)) == 0 {
		args = []byte("null")
	}
	switch op.Op {
	case opPing:
	case opExec:
		er, e := decodeExecution(args)
		if e != nil {
			return op, e
		}
		op.Exec = er
	case opKill:
		var k struct {
			RunID string `json:"runid"`
		}
		if err := strictJSON(args, &k); err != nil {
			return op, badRequest("invalid KILL arguments: %s", describe(err))
		}
		if k.RunID == "" {
			return op, badRequest("KILL needs the runid of the run to kill")
		}
		op.RunID = k.RunID
	default:
		return op, errInvalidOpCode
	}
	return op, nil
}

// event is one event's JSON shape.
type event struct {
	Code  int             `json:"code"`
	Nonce json.RawMessage `json:"nonce,omitempty"`
	Data  any             `json:"data,omitempty"`
}

// The events' data.
type (
	errorData struct {
		*Error
		RunID string `json:"runid,omitempty"`
	}
	runIDData struct {
		RunID string `json:"runid"`
	}
	logData struct {
		RunID  string `json:"runid"`
		Stdout string `json:"stdout,omitempty"`
		Stderr string `json:"stderr,omitempty"`
	}
	stopData struct {
		RunID string `json:"runid"`
		Outcome
	}
)
