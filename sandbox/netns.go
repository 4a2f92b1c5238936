//go:build linux

package sandbox

import (
	"os"
	"strconv"
	"sync"
)

// netPool keeps, for each run slot, the network namespace of the slot's
// last run when that run left it as it was made (nsinit.Report's
// NetUntouched: its loopback never carried a packet), and the slot's next
// run joins it instead of having a new one. Making a network namespace
// and the kernel's tearing it down afterwards (cleanup_net, in a kernel
// worker) are the largest cost a run pays for any one namespace, about
// 1.5 ms of CPU on the machines we measure on. A namespace is owned by
// pid1's user namespace, never the run's, so no run can change it (its
// root has no capability there); one that carried traffic is dropped.
// Only runs started through the C helper as real root (the native path)
// take part: a namespace made inside a run's user namespace is never kept.
type netPool struct {
	mu     sync.Mutex
	ns     []*os.File // by slot; nil: none kept
	closed bool
}

func newNetPool(slots int) *netPool { return &netPool{ns: make([]*os.File, slots)} }

// take returns the slot's kept namespace, or nil; the caller owns it.
func (p *netPool) take(slot int) *os.File {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.ns[slot]
	p.ns[slot] = nil
	return f
}

// keep makes f the slot's namespace for its next run (closing any other
// it held, and f itself once the pool is closed).
func (p *netPool) keep(slot int, f *os.File) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		f.Close()
		return
	}
	if old := p.ns[slot]; old != nil && old != f {
		old.Close()
	}
	p.ns[slot] = f
}

// close releases every kept namespace.
func (p *netPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for i, f := range p.ns {
		if f != nil {
			f.Close()
			p.ns[i] = nil
		}
	}
}

// openNetNS opens the network namespace of a live process (the helper,
// between its start and its report).
func openNetNS(pid int) (*os.File, error) {
	return os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
}
