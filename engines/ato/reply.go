package ato

import (
	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/internal/msgpack"
)

// appendStats appends the fields message 2 (v0) and Done (v1) share,
// after a map header the caller wrote for extra+statFields pairs.
func appendStats(b []byte, r *engines.Result) []byte {
	b = msgpack.AppendString(msgpack.AppendString(b, "status_type"), string(r.Status))
	b = msgpack.AppendInt(msgpack.AppendString(b, "status_value"), int64(r.Value))
	b = msgpack.AppendBool(msgpack.AppendString(b, "timed_out"), r.TimedOut)
	b = msgpack.AppendBool(msgpack.AppendString(b, "stdout_truncated"), r.StdoutTruncated)
	b = msgpack.AppendBool(msgpack.AppendString(b, "stderr_truncated"), r.StderrTruncated)
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"real", r.Real.Nanoseconds()},
		{"kernel", r.Kernel.Nanoseconds()},
		{"user", r.User.Nanoseconds()},
		{"max_mem", r.MaxMemKiB},
		{"waits", r.Waits},
		{"preemptions", r.Preemptions},
		{"major_page_faults", r.MajorPageFaults},
		{"minor_page_faults", r.MinorPageFaults},
		{"input_ops", r.InputOps},
		{"output_ops", r.OutputOps},
	} {
		b = msgpack.AppendInt(msgpack.AppendString(b, f.name), f.v)
	}
	return b
}

// statFields is how many pairs appendStats writes.
const statFields = 15

// encodeReply is v0's message 2: the output and the statistics.
func encodeReply(stdout, stderr []byte, r *engines.Result) []byte {
	b := make([]byte, 0, len(stdout)+len(stderr)+256)
	b = msgpack.AppendMapHeader(b, 2+statFields)
	b = msgpack.AppendBytes(msgpack.AppendString(b, "stdout"), stdout)
	b = msgpack.AppendBytes(msgpack.AppendString(b, "stderr"), stderr)
	return appendStats(b, r)
}

// appendOutput is v1's {"Stdout": bin} or {"Stderr": bin}.
func appendOutput(b []byte, kind engines.Kind, data []byte) []byte {
	name := "Stdout"
	if kind == engines.Stderr {
		name = "Stderr"
	}
	b = msgpack.AppendMapHeader(b, 1)
	return msgpack.AppendBytes(msgpack.AppendString(b, name), data)
}

// appendDone is v1's {"Done": {...}}.
func appendDone(b []byte, r *engines.Result) []byte {
	b = msgpack.AppendMapHeader(b, 1)
	b = msgpack.AppendString(b, "Done")
	b = msgpack.AppendMapHeader(b, statFields)
	return appendStats(b, r)
}
