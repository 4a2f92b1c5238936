package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// The adapter benchmarks time ranna's and asyonline's protocols on the
// same engine as ATO's (StartEngines): ranna's EXEC → STOP of Python's
// hello world against the same run's request → reply through ATO's v0
// API (one connection a run each, the handshakes untimed), interleaved
// run by run; and asyonline's request → SVG of a small figure against
// asy run directly on the same file.

// AsyFigure is the small figure the asy benchmark draws.
const AsyFigure = "size(3cm);\ndraw(unitcircle);\nfill(scale(0.5)*unitsquare, blue);\nlabel(\"$x$\", (1,0), E);\n"

// base is the engines' http address as ws://host:port.
func (s *EngineServer) base() string { return strings.TrimSuffix(s.URL, "/api/v0/ws/execute") }

// RannaRun does p over ranna's /v1/ws on a connection of its own: EXEC
// with p's code, then SPAWN, LOGs and STOP, whose output it checks, and
// a normal close. It returns the time from EXEC's write to STOP's read.
// p.Language is ATO's id; python is python3 to ranna.
func (s *EngineServer) RannaRun(p EngineProgram) (time.Duration, error) {
	lang := map[string]string{"python": "python3", "c_gcc": "c"}[p.Language]
	if lang == "" {
		return 0, fmt.Errorf("no ranna name for %s", p.Language)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, s.base()+"/v1/ws", nil)
	if err != nil {
		return 0, err
	}
	defer c.CloseNow()
	op, _ := json.Marshal(map[string]any{"op": 1, "nonce": 1, "args": map[string]any{"language": lang, "code": p.Code}})
	start := time.Now()
	if err := c.Write(ctx, websocket.MessageText, op); err != nil {
		return 0, err
	}
	var out strings.Builder
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return 0, err
		}
		var ev struct {
			Code int `json:"code"`
			Data struct {
				Stdout *string `json:"stdout"`
				Stderr *string `json:"stderr"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			return 0, fmt.Errorf("event %q: %v", b, err)
		}
		switch ev.Code {
		case 1:
			return 0, fmt.Errorf("ERROR: %s", b)
		case 3:
			if ev.Data.Stdout != nil {
				out.WriteString(*ev.Data.Stdout)
			}
		case 4:
			took := time.Since(start)
			if out.String() != p.Output {
				return 0, fmt.Errorf("ranna %s printed %q", lang, out.String())
			}
			return took, c.Close(websocket.StatusNormalClosure, "")
		}
	}
}

// Paired is what Interleaved measured: each side's latencies, and the
// median of the pairs' differences (a − b, each pair run back to back,
// which a machine's load shifts far less than either side).
type Paired struct {
	A, B     Latencies
	PairDiff time.Duration
}

// Timed is a run that says how long its measured part took.
type Timed func() (time.Duration, error)

// Whole times all of f.
func Whole(f func() error) Timed {
	return func() (time.Duration, error) {
		start := time.Now()
		err := f()
		return time.Since(start), err
	}
}

// Interleaved times n runs of a and n of b, one at a time, in pairs
// alternating which goes first, after one untimed run of each.
func Interleaved(n int, a, b Timed) (Paired, error) {
	if _, err := a(); err != nil {
		return Paired{}, err
	}
	if _, err := b(); err != nil {
		return Paired{}, err
	}
	da, db, diffs := make([]time.Duration, 0, n), make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	for i := range n {
		for j := range 2 {
			run, ds := a, &da
			if (i+j)%2 == 1 {
				run, ds = b, &db
			}
			d, err := run()
			if err != nil {
				return Paired{}, err
			}
			*ds = append(*ds, d)
		}
		diffs = append(diffs, da[i]-db[i])
	}
	return Paired{A: percentiles(da), B: percentiles(db), PairDiff: percentiles(diffs).P50}, nil
}

// AsyRun sends AsyFigure to asyonline's /asy (options svg, the file,
// start) on a connection of its own and reads up to complete and the
// close, checking the result is an SVG picture.
func (s *EngineServer) AsyRun() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, s.base()+"/asy", &websocket.DialOptions{Subprotocols: []string{"asyonline.asy"}})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	c.SetReadLimit(8 << 20)
	for _, f := range []struct {
		typ websocket.MessageType
		b   string
	}{
		{websocket.MessageText, `options {"format":"svg"}`},
		{websocket.MessageText, `input {"filename":"figure.asy"}`},
		{websocket.MessageBinary, AsyFigure},
		{websocket.MessageText, `start {"main":"figure.asy"}`},
	} {
		if err := c.Write(ctx, f.typ, []byte(f.b)); err != nil {
			return err
		}
	}
	var image []byte
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		verb, body, _ := strings.Cut(string(b), " ")
		switch verb {
		case "output", "result":
			_, blob, err := c.Read(ctx)
			if err != nil {
				return err
			}
			if verb == "result" {
				image = blob
			}
		case "status":
		case "complete":
			if body != "{}" || !isSVG(image) {
				return fmt.Errorf("complete %s after %d bytes of picture", body, len(image))
			}
			_, _, err := c.Read(ctx)
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				return fmt.Errorf("after complete: %v", err)
			}
			return nil
		default:
			return fmt.Errorf("unexpected %q", b)
		}
	}
}

// AsyBare runs asy on AsyFigure directly, as the asymptote runner does
// in the sandbox (the same arguments, fresh TeX and Asymptote caches in
// a fresh directory), and checks the picture.
func AsyBare() error {
	dir, err := os.MkdirTemp("", "pid1-bench-asy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "figure.asy"), []byte(AsyFigure), 0o644); err != nil {
		return err
	}
	cmd := exec.Command("/usr/bin/asy", "-noV", "-safe", "-noglobalread", "-render", "0", "-f", "svg", "-o", "out", "figure.asy")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "TEXMFVAR=" + filepath.Join(dir, "texmf-var"), "ASYMPTOTE_HOME=" + filepath.Join(dir, ".asy")}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("asy: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.svg"))
	if err != nil {
		return err
	}
	if !isSVG(b) {
		return errors.New("asy wrote no SVG picture")
	}
	return nil
}

func isSVG(b []byte) bool {
	return bytes.Contains(b, []byte("<svg")) && bytes.Contains(b, []byte("</svg>")) && bytes.Contains(b, []byte("<path"))
}
