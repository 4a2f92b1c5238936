package ot

// Limits bound what one buffer may hold. Zero fields take the defaults.
type Limits struct {
	// DocBytes is the largest text, in bytes of UTF-8 (default 32 MiB).
	DocBytes int
	// HistoryOps is how many versions are kept for fetches and for
	// transforming ops made against older versions (default 50,000).
	HistoryOps int
	// HistoryBytes bounds the memory the kept versions take, counting
	// their inserted text and a fixed overhead per op (default 32 MiB).
	HistoryBytes int
	// CursorsPerSession bounds each session's cursors (default 64).
	CursorsPerSession int
	// LogBytes bounds a linked buffer's op log: once the entries after its
	// base take more than this or than the base, whichever is more, the
	// log starts over from a new base (default 1 MiB). The log's records
	// then never take more than about twice its base (the file's text
	// and the buffer's) plus this.
	LogBytes int
}

func (l Limits) withDefaults() Limits {
	if l.DocBytes <= 0 {
		l.DocBytes = 32 << 20
	}
	if l.HistoryOps <= 0 {
		l.HistoryOps = 50_000
	}
	if l.HistoryBytes <= 0 {
		l.HistoryBytes = 32 << 20
	}
	if l.CursorsPerSession <= 0 {
		l.CursorsPerSession = 64
	}
	if l.LogBytes <= 0 {
		l.LogBytes = 1 << 20
	}
	return l
}
