package ports

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// listener is one listening socket of the kernel's table.
type listener struct {
	addr  netip.AddrPort
	inode uint64
}

// stateListen is TCP_LISTEN in the st column.
const stateListen = "0A"

// parseTable reads /proc/net/tcp or tcp6 and returns its listening
// sockets. A line it cannot read is an error: the format is the kernel's,
// so that means something is badly wrong rather than a line to skip.
func parseTable(r io.Reader) ([]listener, error) {
	var out []listener
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for n := 0; sc.Scan(); n++ {
		if n == 0 {
			continue // the header
		}
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			return nil, fmt.Errorf("line %d: %d fields", n+1, len(f))
		}
		if f[3] != stateListen {
			continue
		}
		addr, err := parseAddr(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: inode %q", n+1, f[9])
		}
		out = append(out, listener{addr, inode})
	}
	return out, sc.Err()
}

// parseAddr reads the table's ADDR:PORT: the address is hex of the
// in-memory words (each 32-bit word in host order, little-endian here),
// the port big-endian hex.
func parseAddr(s string) (netip.AddrPort, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("address %q without a port", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port %q", p)
	}
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return netip.AddrPort{}, fmt.Errorf("address %q", h)
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}
