package asy

import (
	"encoding/json"
	"testing"
)

// FuzzMessages: no text frame a client sends panics the frame decoder or
// the decoding of any body; what is accepted has a lower-case verb and a
// JSON body, and a file name that passes the check is a plain .asy name.
func FuzzMessages(f *testing.F) {
	for _, s := range []string{
		`input {"filename":"a.asy"}`, `input {"filename":"a.asy","hash":"00","restore":true}`,
		`input {"stream":"stdin"}`, `options {"duration":3,"format":"png","stderrRedir":false,"verbosity":2}`,
		`start {"main":"a.asy"}`, `start`, `start {}`, `missing [{"filename":"a.asy","hash":"ab"}]`,
		`options {"duration":1e308}`, `options {"duration":-1}`, `input {"filename":"../../etc/passwd.asy"}`,
		"input\t{\"filename\":\"\\u0000.asy\"}", `add {"filename":"x.asy"}`, `{}`, `input{}`, `input {} {}`,
		`options {"verbosity":3.5}`, `input {"filename":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := parseFrame(b)
		if err != nil {
			return
		}
		for _, c := range fr.verb {
			if c < 'a' || c > 'z' {
				t.Fatalf("verb %q", fr.verb)
			}
		}
		if !json.Valid(fr.body) {
			t.Fatalf("body %q", fr.body)
		}
		var in inputBody
		if decodeBody(fr, &in) == nil && in.Filename != nil && CheckFileName(*in.Filename) == nil {
			name := *in.Filename
			for _, c := range name {
				if c == '/' || c == 0 {
					t.Fatalf("file name %q passed", name)
				}
			}
			if name[0] == '.' || name[0] == '-' {
				t.Fatalf("file name %q passed", name)
			}
		}
		var o optionsBody
		if decodeBody(fr, &o) == nil {
			opts := DefaultOptions
			if o.apply(&opts, false) == nil {
				if _, ok := classOf(opts.Duration); opts.Duration != 0 && !ok {
					t.Fatalf("duration %v accepted", opts.Duration)
				}
			}
			if d, err := o.lowering(); err == nil && d <= 0 {
				t.Fatalf("lowering to %v accepted", d)
			}
		}
		var st startBody
		_ = decodeBody(fr, &st)
		if _, err := encodeFrame(fr.verb, fr.body); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
	})
}
