package registries

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// serve starts the in-process server: /simple/ (the PEP 503 index over
// dir/wheels), /goproxy/ (dir/goproxy) and /gate/KIND (answers once
// KIND's gate is released).
func (s *Set) serve() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.http = "http://" + ln.Addr().String() + "/"
	s.PyPI = s.http + "simple/"
	s.GoProxyHTTP = s.http + "goproxy/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gate/{kind}", func(w http.ResponseWriter, r *http.Request) {
		s.gates.wait(r.PathValue("kind"))
		fmt.Fprintln(w, "released")
	})
	mux.HandleFunc("GET /simple/", s.simple)
	proxy := http.StripPrefix("/goproxy/", http.FileServer(http.Dir(filepath.Join(s.dir, "goproxy"))))
	mux.HandleFunc("GET /goproxy/", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/example.test/slow/@v/") && strings.HasSuffix(r.URL.Path, ".zip") {
			s.gates.wait("go")
		}
		proxy.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	s.stops = append(s.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	})
	return nil
}

// simple serves the PEP 503 index: / lists the projects, /NAME/ their
// files, /NAME/FILE a file (the slow package's waits for the gate).
func (s *Set) simple(w http.ResponseWriter, r *http.Request) {
	wheels := filepath.Join(s.dir, "wheels")
	rest := strings.TrimPrefix(r.URL.Path, "/simple/")
	project, file, _ := strings.Cut(rest, "/")
	projects, err := os.ReadDir(wheels)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	if project == "" {
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html><body>\n")
		for _, p := range projects {
			fmt.Fprintf(&b, "<a href=\"%s/\">%s</a>\n", p.Name(), html.EscapeString(p.Name()))
		}
		b.WriteString("</body></html>\n")
		fmt.Fprint(w, b.String())
		return
	}
	dir := filepath.Join(wheels, filepath.Base(project))
	files, err := os.ReadDir(dir)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if file == "" {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		sort.Strings(names)
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html><body>\n")
		for _, n := range names {
			fmt.Fprintf(&b, "<a href=\"%s\">%s</a>\n", n, html.EscapeString(n))
		}
		b.WriteString("</body></html>\n")
		fmt.Fprint(w, b.String())
		return
	}
	if project == "slow-pkg" {
		s.gates.wait("pip")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeFile(w, r, filepath.Join(dir, filepath.Base(file)))
}
