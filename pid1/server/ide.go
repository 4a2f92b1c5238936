package server

import (
	"net/http"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/internal/preview"
	"github.com/pid1/pid1/web"
)

// languageLister is an engine that can say what it runs (the engines'
// core; a test's stand-in may not).
type languageLister interface{ Languages() []engines.Language }

// ideInfo is what the browser IDE is told about this pid1: the services it
// can open channels on, the languages the ato service runs, and whether the
// asy service draws (it has its tasks' engine, and Asymptote is among the
// languages).
func (s *Server) ideInfo() web.Info {
	info := web.Info{Services: s.registry.Names()}
	if l, ok := s.engine.(languageLister); ok {
		for _, lang := range l.Languages() {
			if lang.ID == "asymptote" && s.asy != nil {
				info.Asymptote = true
			}
			wl := web.Language{ID: lang.ID, Name: lang.Name, Version: lang.Version}
			if lang.HelloWorld != nil {
				wl.Hello = lang.HelloWorld.Code
			}
			info.Languages = append(info.Languages, wl)
		}
	}
	return info
}

// handler serves the hub's paths (/wsv2/{token}, /healthz) and the browser
// IDE (/, its assets, /ide/info.json); anything else is 404.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	hub := s.hub.Handler()
	mux.Handle("/wsv2/", hub)
	mux.Handle("/healthz", hub)
	mux.Handle("/proxy/", preview.Handler(preview.Config{Authenticate: s.canWrite, Open: s.openPort}))
	ide := web.New(web.Bundle(), s.ideInfo)
	for _, p := range web.Paths {
		mux.Handle(p, ide)
	}
	return mux
}
