package ports

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// Lines as the kernel writes them: 127.0.0.1:39051 and [::]:8080
// listening, one established connection left out.
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:988B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2406061 2 000000008c4baa96 100 0 0 10 0
   1: 0100007F:988B 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2406099 1 000000008c4baa96 20 4 30 10 -1
`
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 78 1 0000000000000000 100 0 0 10 0
   2: 00000000000000000000000001000000:0051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 79 1 0000000000000000 100 0 0 10 0
`

func TestParseTable(t *testing.T) {
	got, err := parseTable(strings.NewReader(tcp))
	if want := []listener{{netip.MustParseAddrPort("127.0.0.1:39051"), 2406061}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("tcp: %v %v", got, err)
	}
	got, err = parseTable(strings.NewReader(tcp6))
	want := []listener{
		{netip.MustParseAddrPort("[::]:8080"), 77},
		{netip.MustParseAddrPort("127.0.0.1:80"), 78}, // v4-mapped
		{netip.MustParseAddrPort("[::1]:81"), 79},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("tcp6: %v %v", got, err)
	}
	for _, bad := range []string{
		"header\n   0: 0100007F 00000000:0000 0A 0 0 0 0 0 1\n",
		"header\n   0: 0100007F:XYZW 00000000:0000 0A 0 0 0 0 0 1\n",
		"header\n   0: 01007F:0050 00000000:0000 0A 0 0 0 0 0 1\n",
		"header\n   0: 0100007F:0050 00000000:0000 0A 0 0 0 0 0 x\n",
		"header\n   0: 0100007F:0050\n",
	} {
		if _, err := parseTable(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseTable(f *testing.F) {
	f.Add(tcp)
	f.Add(tcp6)
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := parseTable(strings.NewReader(s))
		if err == nil {
			for _, l := range ls {
				if !l.addr.IsValid() {
					t.Fatalf("an invalid address from %q", s)
				}
			}
		}
	})
}
