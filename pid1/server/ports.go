package server

import (
	"net/netip"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/ports"
	"github.com/pid1/pid1/internal/reaper"
)

// portCommand is the channel-0 command that tells clients of a change:
// portOpen with the listening process, or portClose.
func portCommand(p ports.Port) *api.Command {
	addr := p.Addr.Addr().String()
	if p.Closed {
		return &api.Command{Body: &api.Command_PortClose{PortClose: &api.PortClose{
			Port: uint32(p.Addr.Port()), Address: addr}}}
	}
	chain := make([]uint32, len(p.Chain))
	for i, pid := range p.Chain {
		chain[i] = uint32(pid)
	}
	return &api.Command{Body: &api.Command_PortOpen{PortOpen: &api.PortOpen{
		Port: uint32(p.Addr.Port()), Address: addr, Comm: p.Comm, Cmdline: p.Cmdline,
		Pid: uint32(p.PID), PidChain: chain}}}
}

// openPorts is what a session is greeted with: a portOpen for each port
// the workspace's programs listen on now.
func (s *Server) openPorts() []*api.Command {
	if s.ports == nil {
		return nil
	}
	var out []*api.Command
	for _, p := range s.ports.Open() {
		out = append(out, portCommand(p))
	}
	return out
}

// openPort is the address a workspace program listens on at port, for
// the preview proxy.
func (s *Server) openPort(port int) (netip.Addr, bool) {
	for _, p := range s.ports.Open() {
		if int(p.Addr.Port()) == port {
			return p.Addr.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// owns is which of pid1's children the ports watcher counts as the
// workspace's. With the pid1 command's reaper (given), every one: pid1 is
// the container's init, and a daemon whose parent exited is reparented to
// it. With a private one (conman-repl's and the tests' servers, several
// in one process), only those this server's reaper started.
func owns(given, rp *reaper.Reaper) func(child int) bool {
	if given != nil {
		return nil
	}
	return func(child int) bool {
		for _, p := range rp.Live() {
			if p.Pid == child {
				return true
			}
		}
		return false
	}
}
