//go:build linux

package sandbox

import (
	"os"
	"strconv"
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
type netPool = slotPool[*os.File]

func newNetPool(slots int) *netPool {
	return newSlotPool(slots, func(f *os.File) { f.Close() })
}

// openNetNS opens the network namespace of a live process (the helper,
// between its start and its report).
func openNetNS(pid int) (*os.File, error) {
	return os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
}
