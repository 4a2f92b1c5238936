package ranna_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// call does one HTTP request and decodes its JSON answer.
func (s *server) call(t *testing.T, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 && json.Unmarshal(b, &m) != nil {
		t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m, resp.Header
}

func TestExec(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	code, m, h := s.call(t, "POST", "/v1/exec", `{"language":"python3","code":"import sys\nprint(input())\nprint('e', file=sys.stderr)\nsys.exit(4)","stdin":"hello\n"}`)
	if code != 200 || m["stdout"] != "hello\n" || m["stderr"] != "e\n" || m["exitcode"] != 4.0 || m["timedout"] != false ||
		m["killed"] != false || m["truncated"] != false || m["exectimems"] == nil || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("exec: %d %v %v", code, m, h)
	}
	for _, c := range []struct {
		body, want string
		code       int
	}{
		{`{"language":"python3","code":""}`, "code is empty", 400},
		{`{"language":"cobol","code":"x"}`, "unsupported language spec", 400},
		{`{"language":"python3","code":"x","inline_expression":true}`, "this spec has no support for inline expressions", 400},
		{`{"language":"python3","code":5}`, `invalid execution request: field "code": number where a string was expected`, 400},
		{`[1]`, "invalid execution request: not a JSON object", 400},
		{`{"language":`, "invalid execution request: unexpected EOF", 400},
		{``, "invalid execution request: empty", 400},
		{`{"language":"python3","code":"` + strings.Repeat("x", 1<<20) + `"}`, "request body over 1048576 bytes", 413},
	} {
		code, m, _ := s.call(t, "POST", "/v1/exec", c.body)
		if code != c.code || m["error"] != c.want || m["code"] != float64(c.code) {
			t.Errorf("%.40s: %d %v, want %d %q", c.body, code, m, c.code, c.want)
		}
	}
}

func TestSpecInfoAndOtherPaths(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	code, m, _ := s.call(t, "GET", "/v1/spec", "")
	py, _ := m["python3"].(map[string]any)
	if code != 200 || py["filename"] != "code.py" || py["cmd"] != "/usr/bin/python3 code.py" || py["entrypoint"] != "/usr/bin/python3" ||
		py["language"] != "python" || py["image"] != "debian:python3" || py["example"] != `print("Hello, World!")` || py["version"] == nil {
		t.Errorf("python3: %v", py)
	}
	if alias, _ := m["py"].(map[string]any); len(alias) != 1 || alias["use"] != "python3" {
		t.Errorf("py: %v", m["py"])
	}
	if c, _ := m["c"].(map[string]any); c != nil {
		in, _ := c["inline"].(map[string]any)
		if tmpl, _ := in["template"].(string); !strings.Contains(tmpl, "$${IMPORTS}") || !strings.Contains(tmpl, "$${CODE}") || in["import_regex"] == "" {
			t.Errorf("c inline: %v", in)
		}
	}
	if _, ok := m["cobol"]; ok || len(m) < 5 {
		t.Errorf("spec map: %v", m)
	}

	code, m, _ = s.call(t, "GET", "/v1/info", "")
	sb, _ := m["sandbox"].(map[string]any)
	if code != 200 || m["version"] == "" || !strings.HasPrefix(m["go_version"].(string), "go") || sb["type"] != "pid1" {
		t.Errorf("info: %v", m)
	}
	if _, ok := m["builddate"]; !ok {
		t.Errorf("info without builddate: %v", m)
	}

	for _, c := range []struct {
		method, path string
		code         int
		want         string
	}{
		{"GET", "/v1/ws", 426, "upgrade required: /v1/ws is a WebSocket endpoint"},
		{"POST", "/v1/spec", 405, "POST is not allowed on /v1/spec"},
		{"GET", "/v1/exec", 405, "GET is not allowed on /v1/exec"},
		{"GET", "/v1/nothing", 404, "not found: /v1/nothing"},
	} {
		code, m, _ := s.call(t, c.method, c.path, "")
		if code != c.code || m["error"] != c.want || m["code"] != float64(c.code) {
			t.Errorf("%s %s: %d %v", c.method, c.path, code, m)
		}
	}
	code, _, h := s.call(t, "OPTIONS", "/v1/exec", "")
	if code != 204 || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", code, h)
	}
}
