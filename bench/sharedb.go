package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// ShareDBResult is what bench/node/sharedb_ot.mjs reports.
type ShareDBResult struct {
	Node                  string          `json:"node"`
	ShareDB               string          `json:"sharedb"`
	CommittedOpsPerSec    float64         `json:"committedOpsPerSec"`
	TransformPassMicros   float64         `json:"transformAgainst1000HistoryMicros"`
	BytesPerDocWith10kOps float64         `json:"bytesPerDocWith10kOps"`
	BytesPerDocNoHistory  float64         `json:"bytesPerDocNoHistory"`
	HistoryDocLength      int             `json:"historyDocLength"`
	HistoryDocFNV1a32     uint32          `json:"historyDocFNV1a32"`
	TransformOp0          json.RawMessage `json:"transformOp0"`
	TransformResult       json.RawMessage `json:"transformResult"`
}

// ShareDB runs the ShareDB baseline of the ot benchmark in Node (its
// packages installed by scripts/test-deps.sh) with the given arguments.
func ShareDB(args ...string) (ShareDBResult, error) {
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "node", "sharedb_ot.mjs")
	var stderr bytes.Buffer
	cmd := exec.Command("node", append([]string{"--expose-gc", script}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return ShareDBResult{}, fmt.Errorf("node %s: %v\n%s", filepath.Base(script), err, stderr.Bytes())
	}
	var r ShareDBResult
	if err := json.Unmarshal(out, &r); err != nil {
		return ShareDBResult{}, fmt.Errorf("node %s printed %q: %v", filepath.Base(script), out, err)
	}
	return r, nil
}

// ShareDBArgs are the script's arguments for ops timed ops, seed and docs
// documents in the memory phase.
func ShareDBArgs(ops, docs int, seed uint32) []string {
	return []string{"--ops", strconv.Itoa(ops), "--seed", strconv.FormatUint(uint64(seed), 10), "--mem-docs", strconv.Itoa(docs)}
}
