package socket

import (
	"fmt"
	"net/netip"
	"syscall"
)

// destinationError is a connect to an address that is not allowed.
type destinationError struct{ addr string }

func (e *destinationError) Error() string {
	return fmt.Sprintf("%s is not a loopback address: only connections inside the container are allowed", e.addr)
}

// destinationCheck returns the dialer's Control: unless anywhere is set, it
// refuses an address that is not loopback. It sees the address after name
// resolution, the one the socket is about to connect to, so a name that
// resolves elsewhere is refused too.
func destinationCheck(anywhere bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if anywhere {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &destinationError{address}
		}
		if !ap.Addr().Unmap().IsLoopback() {
			return &destinationError{address}
		}
		return nil
	}
}
