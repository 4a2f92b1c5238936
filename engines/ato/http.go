package ato

import (
	"net/http"
)

// serveMetadata is GET /api/v0/metadata (msgpack).
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/msgpack")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(encodeMetadata(s.cfg.Engine.Languages()))
}

// serveLanguages is GET /languages.json.
func (s *Server) serveLanguages(w http.ResponseWriter, r *http.Request) {
	b, err := encodeLanguagesJSON(s.cfg.Engine.Languages())
	if err != nil {
		s.log.Error("encoding languages.json", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}
