package fsevents

// Pause stops the watcher from reading events until resume is called, so
// that a test can make the kernel's queue overflow for real.
func (w *Watcher) Pause() (resume func()) {
	ch := make(chan struct{})
	w.mu.Lock()
	w.paused = ch
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.paused = nil
		w.mu.Unlock()
		close(ch)
	}
}
