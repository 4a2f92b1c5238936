package ranna

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"

	"github.com/pid1/pid1/engines"
)

// maxBody is the largest POST /v1/exec body.
const maxBody = readLimit

// ExecutionResponse is ranna's answer to POST /v1/exec, with the
// outcome's extra fields.
type ExecutionResponse struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Outcome
}

// serveExec is POST /v1/exec: one run, answered when it has ended.
func (s *Server) serveExec(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, &Error{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", maxBody)})
		} else {
			writeError(w, badRequest("reading the request body: %v", err))
		}
		return
	}
	er, e := decodeExecution(body)
	if e != nil {
		writeError(w, e)
		return
	}
	req, e := s.specs().Request(er, s.cfg.Limits, clientOf(r))
	if e != nil {
		writeError(w, e)
		return
	}
	// The client going away kills the run.
	run, err := s.cfg.Engine.Start(r.Context(), req)
	if err != nil {
		writeError(w, s.startError(err, req.Language))
		return
	}
	var stdout, stderr []byte
	for {
		ev, err := run.Next(r.Context())
		if err != nil {
			return
		}
		switch ev.Kind {
		case engines.Stdout:
			stdout = append(stdout, ev.Data...)
		case engines.Stderr:
			stderr = append(stderr, ev.Data...)
		case engines.Done:
			if ev.Err != nil {
				writeError(w, s.startError(ev.Err, req.Language))
				return
			}
			writeJSON(w, http.StatusOK, ExecutionResponse{Stdout: string(stdout), Stderr: string(stderr), Outcome: OutcomeOf(ev.Result)})
			return
		}
	}
}

func (s *Server) startError(err error, lang string) *Error {
	e := StartError(err)
	if e == errInternal {
		s.log.Error("a run failed", "language", lang, "err", err)
	}
	return e
}

// serveSpec is GET /v1/spec: the spec map.
func (s *Server) serveSpec(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.specs())
}

// info is GET /v1/info's answer.
type info struct {
	Version   string      `json:"version"`
	BuildDate string      `json:"builddate"`
	GoVersion string      `json:"go_version"`
	Sandbox   SandboxInfo `json:"sandbox"`
}

// serveInfo is GET /v1/info: this server's version, when it was built,
// its Go and its sandbox.
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request) {
	in := info{Version: "devel", GoVersion: runtime.Version(), Sandbox: s.cfg.Sandbox}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			in.Version = v
		}
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				if in.Version == "devel" {
					in.Version = st.Value
				}
			case "vcs.time":
				in.BuildDate = st.Value
			}
		}
	}
	writeJSON(w, http.StatusOK, in)
}

// servePreflight answers browsers' CORS preflight requests.
func (s *Server) servePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// serveNotFound answers the other /v1/ paths in ranna's error shape.
func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/ws", "/v1/exec", "/v1/spec", "/v1/info":
		writeError(w, &Error{http.StatusMethodNotAllowed, r.Method + " is not allowed on " + r.URL.Path})
	default:
		writeError(w, &Error{http.StatusNotFound, "not found: " + r.URL.Path})
	}
}

// restError is ranna's error shape over REST.
type restError struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Code, restError{Error: e.Message, Code: e.Code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error","code":500}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
