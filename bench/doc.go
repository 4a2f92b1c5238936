// Package bench measures pid1's hub against baselines taken in the same
// run: a ping round trip against a raw coder/websocket echo server, chat
// fan-out against a server doing the same raw WebSocket writes, and the
// memory an idle connection costs against a raw WebSocket server holding
// the same connections; the workspace, terminal and ot services against
// the direct calls, pty and ShareDB doing the same work; the execution
// engines against the same programs run bare, ranna's adapter against
// ATO's on the same runs, asyonline's against asy itself; packager3's
// packageAdd from local registries against npm install, pip install and
// go get run directly (each file's comments say how). `make bench` runs cmd/benchreport, which writes
// bench/results.md; the Benchmark functions also run under go test -bench.
package bench
