package engines

import (
	"fmt"
	"time"
)

// Limits bound what a request may ask for, and fill in what it leaves out.
type Limits struct {
	DefaultTimeout, MaxTimeout time.Duration
	DefaultOutput, MaxOutput   int64 // per stream
	MaxFiles                   int
}

// DefaultLimits are ATO's: 60 s, 128 KiB of each stream.
var DefaultLimits = Limits{
	DefaultTimeout: 60 * time.Second, MaxTimeout: 60 * time.Second,
	DefaultOutput: 128 << 10, MaxOutput: 1 << 20,
	MaxFiles: 64,
}

func (l Limits) check() error {
	if l.DefaultTimeout <= 0 || l.MaxTimeout < l.DefaultTimeout {
		return fmt.Errorf("engines: timeouts: default %v must be positive and at most the maximum %v", l.DefaultTimeout, l.MaxTimeout)
	}
	if l.DefaultOutput <= 0 || l.MaxOutput < l.DefaultOutput {
		return fmt.Errorf("engines: output caps: default %d must be positive and at most the maximum %d", l.DefaultOutput, l.MaxOutput)
	}
	return nil
}
