package snapstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// encode writes what encoding/json reads back to the same manifest.
func TestEncodeRoundTrips(t *testing.T) {
	m := &Manifest{Version: 1, Workspace: "ws-1", Created: time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC), Entries: []Entry{
		{Path: "a", Kind: "dir", Mode: 0o755},
		{Path: "a/quote\"back\\slash\ttab\u2028ünï 😭", Kind: "file", Mode: 0o644, Size: 12, Hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{Path: "ctl\x01\x1f", Kind: "link", Mode: 0o777, Target: "../x\n"},
		{Path: "bad\xffutf8", Kind: "dir", Mode: 0o700},
	}}
	var got Manifest
	if err := json.Unmarshal(encode(m), &got); err != nil {
		t.Fatalf("%v\n%s", err, encode(m))
	}
	for i := range got.Entries {
		if e := &got.Entries[i]; len(e.PathBytes) > 0 {
			e.Path, e.PathBytes = string(e.PathBytes), nil
		}
	}
	if !reflect.DeepEqual(&got, m) {
		t.Fatalf("got %+v\nwant %+v", got, *m)
	}
}
