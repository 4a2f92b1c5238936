package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// serveMetrics serves /metrics on a listener of its own at addr (loopback
// by default, so that only the machine's own scraper sees how pid1 is
// used); an empty addr serves nothing. It returns the address it listens
// on ("" for none) and a function that stops it.
func serveMetrics(addr string, h http.Handler) (string, func(), error) {
	if addr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("-metrics-listen: %w (an empty -metrics-listen turns the metrics listener off)", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
