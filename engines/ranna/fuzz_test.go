package ranna

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pid1/pid1/engines"
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

// FuzzExecutionRequest: no POST /v1/exec body (or EXEC args) panics the
// decoder or the making of the engine's request; an accepted request
// names a runner, carries the code (wrapped when inline), and only
// environment variables a process can take; a refusal is a 400 with a
// message.
func FuzzExecutionRequest(f *testing.F) {
	for _, s := range []string{
		`{"language":"python3","code":"print(1)"}`, `{"language":"py","code":"x","arguments":["a",""],"environment":{"A":"b"},"stdin":"in"}`,
		`{"language":"go","inline_expression":true,"code":"import \"fmt\"\nfmt.Println(1)"}`,
		`{"language":"c","inline_expression":true,"code":"#include <stdio.h>\nputs(\"x\");"}`,
		`{"language":"bash","inline_expression":true,"code":"echo"}`, `{"language":"nope","code":"x"}`, `{"language":"py","code":""}`,
		`{"language":"py","code":"x","environment":{"A=B":"c"}}`, `{"language":"py","code":"x","environment":{"A":"\u0000"}}`,
		`{"language":"py","code":1}`, `{"code":"x"} {}`, `[]`, `{"language":"rust","inline_expression":true,"code":"use std::io;\nprintln!(\"x\");"}`,
	} {
		f.Add([]byte(s))
	}
	specs := NewSpecs(fuzzLanguages())
	f.Fuzz(func(t *testing.T, b []byte) {
		er, e := decodeExecution(b)
		if e != nil {
			if e.Code != 400 || e.Message == "" {
				t.Fatalf("decoding error %+v", e)
			}
			return
		}
		req, e := specs.Request(er, DefaultLimits, "fuzz")
		if e != nil {
			if e.Code != 400 || e.Message == "" {
				t.Fatalf("request error %+v", e)
			}
			return
		}
		if req.Language == "" || len(req.Code) == 0 {
			t.Fatalf("accepted %+v as %+v", er, req)
		}
		if !er.InlineExpression && string(req.Code) != er.Code {
			t.Fatalf("code changed: %q -> %q", er.Code, req.Code)
		}
		if er.InlineExpression {
			// The body, its imports taken out, is in the file as written
			// (placeholders in it included).
			sp, _, _ := specs.lookup(er.Language)
			body := er.Code
			if sp.Inline.re != nil {
				body = sp.Inline.re.ReplaceAllLiteralString(body, "")
			}
			if !strings.Contains(string(req.Code), body) {
				t.Fatalf("inline code lost: %q -> %q", er.Code, req.Code)
			}
		}
		for _, kv := range req.Env {
			k, _, ok := strings.Cut(kv, "=")
			if !ok || k == "" || strings.IndexByte(kv, 0) >= 0 {
				t.Fatalf("environment entry %q", kv)
			}
		}
	})
}

// fuzzLanguages are the runners the spec map maps ranna's names onto, all
// available (no engine needed).
func fuzzLanguages() []engines.Language {
	var ls []engines.Language
	for _, n := range names {
		ls = append(ls, engines.Language{ID: n.runner, Available: true, File: "code", Command: n.runner + " code"})
	}
	return ls
}
