package ranna

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeOp: no operation a client sends panics the decoder; what it
// accepts is an operation it knows, whose nonce can be echoed and whose
// execution request survives a round trip; an inline template takes any
// code.
func FuzzDecodeOp(f *testing.F) {
	for _, s := range []string{
		`{"op":0}`, `{"op":0,"nonce":1}`, `{"op":0,"nonce":"x"}`, `{"op":2,"nonce":-3,"args":{"runid":"ab"}}`,
		`{"op":1,"nonce":123,"args":{"language":"go","inline_expression":true,"code":"import \"time\"\nfor i := 0; i < 5; i++ { time.Sleep(1 * time.Second); println(\"👋\") }"}}`,
		`{"op":1,"args":{"language":"py","code":"x","arguments":["a"],"environment":{"A":"b"},"stdin":"in"}}`,
		`{"op":1,"nonce":{},"args":null}`, `{"op":1.5}`, `{"op":"1"}`, `[]`, `null`, `{"op":0} x`, `{"op":9}`,
		"{\"op\":1,\"args\":{\"code\":\"\\u0000\",\"environment\":{\"\":\"\"}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		op, e := decodeOp(b)
		if op.Nonce != nil && !json.Valid(op.Nonce) {
			t.Fatalf("nonce %q is not JSON", op.Nonce)
		}
		if _, err := json.Marshal(event{Code: evError, Nonce: op.Nonce, Data: errorData{Error: &Error{400, "x"}}}); err != nil {
			t.Fatalf("the nonce cannot be echoed: %v", err)
		}
		if e != nil {
			if e.Code != 400 || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
			return
		}
		if op.Op < opPing || op.Op > opKill {
			t.Fatalf("accepted op %d", op.Op)
		}
		if op.Op == opKill && op.RunID == "" {
			t.Fatal("KILL without a runid accepted")
		}
		if op.Op == opExec {
			again, _ := json.Marshal(op.Exec)
			back, e := decodeExecution(again)
			if e != nil || !reflect.DeepEqual(normal(back), normal(op.Exec)) {
				t.Fatalf("round trip: %+v -> %s -> %+v (%v)", op.Exec, again, back, e)
			}
			for _, in := range []*Inline{goInline, cInline, rustInline, javaInline, phpInline} {
				in.Expand(op.Exec.Code)
			}
		}
	})
}

// normal makes empty and nil lists and maps compare equal.
func normal(er ExecutionRequest) ExecutionRequest {
	if len(er.Arguments) == 0 {
		er.Arguments = nil
	}
	if len(er.Environment) == 0 {
		er.Environment = nil
	}
	return er
}
