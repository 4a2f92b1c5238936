package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/textot"
	"github.com/pid1/pid1/test/kit/otclient"
)

// The ot workload is defined in bench/node/sharedb_ot.mjs, which runs it on
// ShareDB; this file runs the same edits on pid1's ot service.

// OTDocLen is the length of the benchmark document, in ASCII characters.
const OTDocLen = 102400

// otFile is the document's file in the workspace.
const otFile = "bench.txt"

// OTDocument is the 100 KiB benchmark document.
func OTDocument() string {
	const line = "the quick brown fox jumps over the lazy dog\n"
	return strings.Repeat(line, OTDocLen/len(line)+1)[:OTDocLen]
}

// xorshift is the workload's 32-bit PRNG: stream k of seed s starts at
// s + 7919k (1 if that is 0).
type xorshift uint32

func newStream(seed, k uint32) *xorshift {
	x := xorshift(seed + k*7919)
	if x == 0 {
		x = 1
	}
	return &x
}

func (x *xorshift) next() uint32 {
	v := uint32(*x)
	v ^= v << 13
	v ^= v >> 17
	v ^= v << 5
	*x = xorshift(v)
	return v
}

func (x *xorshift) rand(n int) int { return int(x.next() % uint32(n)) }

// edit is the workload's random edit on a text of n code points.
func (x *xorshift) edit(n int) textot.Op {
	var op textot.Op
	if r := x.rand(10); r < 7 || n < 10 {
		k := 1 + x.rand(4)
		b := make([]byte, k)
		for i := range b {
			b[i] = byte('a' + x.rand(26))
		}
		if p := x.rand(n + 1); p > 0 {
			op = append(op, textot.Skip(p))
		}
		return append(op, textot.Insert(string(b)))
	}
	k := 1 + x.rand(3)
	if p := x.rand(n - 3); p > 0 {
		op = append(op, textot.Skip(p))
	}
	return append(op, textot.Delete(k))
}

// OTResult is what one throughput run measured.
type OTResult struct {
	OpsPerSec float64
	Versions  uint32
	FinalLen  int
}

// OTLog is how the hub OTThroughput measures keeps its op log.
type OTLog string

const (
	OTLogEachAck  OTLog = "ot"       // each write fsynced before its ack (-ot-log-sync 0)
	OTLogInterval OTLog = "ot-lazy"  // acked once written, fsynced every 200 ms (pid1's default)
	OTLogOff      OTLog = "ot-nolog" // no op log
)

// OTThroughput runs editors concurrent editors on one 100 KiB document over
// real WebSockets to a pid1 hub; each makes one edit, waits for its ack,
// and goes on, until ops ops are committed (after 1,000 untimed ones). The
// document is a file the buffer is linked to, as in the IDE; opLog says
// how the ot service logs each op before its ack. The hub runs in a
// process of its own, self re-executed (see ServeChild), as pid1 does: in
// the editors' process its writer would wait for a CPU behind them each
// time an fsync returns.
func OTThroughput(self string, editors, ops int, seed uint32, opLog OTLog) (OTResult, error) {
	kind := string(opLog)
	srv, url, err := startChild(self, kind)
	if err != nil {
		return OTResult{}, err
	}
	defer srv.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	eds := make([]*otclient.Editor, editors)
	for i := range eds {
		c, err := client.Dial(ctx, url, nil)
		if err != nil {
			return OTResult{}, err
		}
		defer c.Close()
		ch, err := c.Open(ctx, "ot", "ot:"+otFile, api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			return OTResult{}, err
		}
		st := (<-ch.Stream()).GetOtstatus()
		if eds[i], err = otclient.New(ch, st); err != nil {
			return OTResult{}, err
		}
		if i == 0 { // the document arrives as version 1
			r, err := ch.Request(ctx, &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: otFile}}}})
			if err != nil {
				return OTResult{}, err
			}
			if r.GetOtLinkFileResponse() == nil {
				return OTResult{}, fmt.Errorf("otLinkFile: %v", r)
			}
			if err := eds[0].WaitVersion(ctx, 1); err != nil {
				return OTResult{}, err
			}
		}
	}
	streams := make([]*xorshift, editors)
	for i := range streams {
		streams[i] = newStream(seed, uint32(i))
	}
	round := func(total int) error {
		var wg sync.WaitGroup
		errs := make([]error, editors)
		for i, e := range eds {
			n := total / editors
			if i < total%editors {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					if err := e.EditWith(ctx, streams[i].edit); err != nil {
						errs[i] = err
						return
					}
					if err := e.WaitSynced(ctx); err != nil {
						errs[i] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	if err := round(1000); err != nil {
		return OTResult{}, err
	}
	start := time.Now()
	if err := round(ops); err != nil {
		return OTResult{}, err
	}
	secs := time.Since(start).Seconds()
	// Everyone must agree at the end.
	last := uint32(0)
	for _, e := range eds {
		last = max(last, e.Version())
	}
	for i, e := range eds {
		if err := e.WaitVersion(ctx, last); err != nil {
			return OTResult{}, err
		}
		if e.Text() != eds[0].Text() {
			return OTResult{}, fmt.Errorf("editor %d diverged", i)
		}
	}
	return OTResult{OpsPerSec: float64(ops) / secs, Versions: last, FinalLen: eds[0].Len()}, nil
}

// otHistory makes the transform phase's 1,000 edits in sequence on the
// document, and one edit against the original; it returns the document
// after the history too.
func otHistory(seed uint32) (string, []textot.Op, textot.Op) {
	doc, _ := textot.NewDoc(OTDocument())
	hs := newStream(seed, 0)
	history := make([]textot.Op, 1000)
	for i := range history {
		history[i] = hs.edit(doc.Len())
		doc.Apply(history[i]) // the generator only makes edits that fit
	}
	return doc.String(), history, newStream(seed+1, 0).edit(OTDocLen)
}

// OTTransformPass returns the mean time, in ns, of transforming one op made
// against the original document past a history of 1,000 ops, one at a
// time, with ot.TransformPast as the server does for an op 1,000 versions
// behind.
func OTTransformPass(seed uint32) (float64, error) {
	_, history, op0 := otHistory(seed)
	pass := func() error {
		_, err := textot.TransformPast(op0, history, textot.Right)
		return err
	}
	if err := pass(); err != nil { // warm-up
		return 0, err
	}
	n, start := 0, time.Now()
	for n < 200 || time.Since(start) < time.Second {
		if err := pass(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}

// OTMemoryPerDoc returns the heap, in bytes, that one open 100 KiB document
// with ops versions of history adds to a pid1 hub (docs of them, the
// clients gone, after GC).
func OTMemoryPerDoc(docs, ops int) (float64, error) {
	h, err := StartHub()
	if err != nil {
		return 0, err
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	url, err := h.URL("mem")
	if err != nil {
		return 0, err
	}
	before := heap()
	for k := range docs {
		if err := fillDoc(ctx, url, fmt.Sprintf("ot:d%d", k), newStream(1, uint32(k)), ops); err != nil {
			return 0, err
		}
	}
	return float64(heap()-before) / float64(docs), nil
}

// fillDoc creates a named buffer with the document and ops edits, sent
// up to 256 ahead of their acks (each based on the version the one before
// it gets), then disconnects.
func fillDoc(ctx context.Context, url, name string, x *xorshift, ops int) error {
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	ch, err := c.Open(ctx, "ot", name, api.OpenChannel_CREATE)
	if err != nil {
		return err
	}
	acks := make(chan error, ops+1)
	go func() {
		for cmd := range ch.Stream() {
			switch {
			case cmd.GetError() != "":
				acks <- errors.New(cmd.GetError())
			case cmd.GetOk() != nil:
				acks <- nil
			}
		}
		acks <- fmt.Errorf("stream ended: %v", c.Err())
	}()
	doc, _ := textot.NewDoc("")
	inflight := 0
	wait := func() error {
		inflight--
		select {
		case err := <-acks:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for v := range ops + 1 {
		op := textot.Op{textot.Insert(OTDocument())}
		if v > 0 {
			op = x.edit(doc.Len())
		}
		if err := doc.Apply(op); err != nil {
			return err
		}
		pb, err := textot.ToProto(op)
		if err != nil {
			return err
		}
		if err := ch.Send(ctx, &api.Command{Ref: "r", Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: uint32(v), Op: pb}}}); err != nil {
			return err
		}
		if inflight++; inflight > 256 {
			if err := wait(); err != nil {
				return err
			}
		}
	}
	for inflight > 0 {
		if err := wait(); err != nil {
			return err
		}
	}
	return nil
}

func heap() uint64 {
	var m runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
