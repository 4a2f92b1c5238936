package bench

import (
	"hash/fnv"
	"os"
	"testing"

	"github.com/pid1/pid1/internal/textot"
)

// The Go side of the ot benchmark must make exactly the edits the ShareDB
// baseline makes: the Node script reports its history document and one
// transform for checking a port, and they must match ours.
func TestOTWorkloadMatchesTheNodeBaseline(t *testing.T) {
	js, err := ShareDB("--phases", "transform", "--seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	doc, history, op0 := otHistory(7)
	h := fnv.New32a()
	h.Write([]byte(doc))
	if len(doc) != js.HistoryDocLength || h.Sum32() != js.HistoryDocFNV1a32 {
		t.Fatalf("history document: Go %d bytes fnv %d, Node %d bytes fnv %d", len(doc), h.Sum32(), js.HistoryDocLength, js.HistoryDocFNV1a32)
	}
	op := op0
	for _, x := range history {
		op, err = textot.Transform(op, x, textot.Right)
		if err != nil {
			t.Fatal(err)
		}
	}
	if op0.String() != string(js.TransformOp0) || op.String() != string(js.TransformResult) {
		t.Fatalf("transform: Go %s → %s, Node %s → %s", op0, op, js.TransformOp0, js.TransformResult)
	}
}

func TestOTHarnesses(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, opLog := range []OTLog{OTLogEachAck, OTLogInterval, OTLogOff} {
		r, err := OTThroughput(self, 3, 300, 1, opLog)
		if err != nil || r.OpsPerSec <= 0 || r.Versions != 1+1000+300 || r.FinalLen < OTDocLen {
			t.Fatalf("throughput, op log %v: %+v %v", opLog, r, err)
		}
	}
	if m, err := OTMemoryPerDoc(2, 300); err != nil || m < OTDocLen {
		t.Fatalf("memory per doc: %v %v", m, err)
	}
}
