package engines

import "time"

// Kind is what an Event reports.
type Kind uint8

// The events of a run, in order: Started once (the run has left the
// sandbox's queue and is starting; a run that never gets that far has
// none), any number of Stdout and Stderr chunks as the program writes
// them, Done once and last.
const (
	Started Kind = iota + 1
	Stdout
	Stderr
	Done
)

func (k Kind) String() string {
	switch k {
	case Started:
		return "started"
	case Stdout:
		return "stdout"
	case Stderr:
		return "stderr"
	case Done:
		return "done"
	}
	return "invalid"
}

// Event is one step of a run.
type Event struct {
	Kind Kind
	// Data is the output of a Stdout or Stderr event, at most the
	// request's ChunkSize bytes. It is the consumer's to keep.
	Data []byte
	// Result is set on the Done event of a run that happened.
	Result *Result
	// Err is set instead on the Done event of a run that could not
	// happen: ErrBusy when the queue was full, or a failure to start it.
	Err error
}

// Status is how a run's program ended.
type Status string

// The statuses, as ATO names them.
const (
	Exited     Status = "exited"      // returned from main or called exit; Value is the exit code
	Killed     Status = "killed"      // ended by a signal; Value is its number
	CoreDumped Status = "core_dumped" // ended by a signal that dumped core; Value is its number
	Unknown    Status = "unknown"     // Value is -1
)

// Result is how a run ended, with what the program used.
type Result struct {
	Status Status
	Value  int
	// TimedOut is a run killed because it passed its timeout; Killed one
	// ended by Kill or by its caller going away.
	TimedOut, Killed bool
	// Limit names the sandbox limit that ended the run, if one did.
	Limit                            string
	StdoutTruncated, StderrTruncated bool

	Real, User, Kernel time.Duration
	MaxMemKiB          int64 // peak memory
	Waits              int64 // voluntary context switches
	Preemptions        int64 // involuntary context switches
	MajorPageFaults    int64
	MinorPageFaults    int64
	InputOps           int64 // block input operations
	OutputOps          int64 // block output operations

	// Files are the files the runner collects after the run (an
	// Asymptote picture), those that exist.
	Files []File
}
