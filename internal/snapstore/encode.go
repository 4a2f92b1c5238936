package snapstore

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"
)

// encode writes m as JSON, the same document encoding/json would write
// (it decodes with json.Unmarshal), several times faster: a snapshot of
// an unchanged workspace is mostly this and a walk. A path that is not
// valid UTF-8, which JSON cannot carry, goes in pathBytes (base64).
func encode(m *Manifest) []byte {
	b := make([]byte, 0, 64+len(m.Entries)*140)
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, int64(m.Version), 10)
	b = append(b, `,"workspace":`...)
	b = appendString(b, m.Workspace)
	b = append(b, `,"created":"`...)
	b = m.Created.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","entries":[`...)
	for i, e := range m.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		if utf8.ValidString(e.Path) {
			b = append(b, `{"path":`...)
			b = appendString(b, e.Path)
		} else {
			b = append(b, `{"path":"","pathBytes":"`...)
			b = base64.StdEncoding.AppendEncode(b, []byte(e.Path))
			b = append(b, '"')
		}
		b = append(b, `,"kind":"`...)
		b = append(b, e.Kind...)
		b = append(b, `","mode":`...)
		b = strconv.AppendUint(b, uint64(e.Mode), 10)
		if e.Size != 0 {
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, e.Size, 10)
		}
		if e.Hash != "" {
			b = append(b, `,"sha256":"`...)
			b = append(b, e.Hash...)
			b = append(b, '"')
		}
		if e.Target != "" {
			b = append(b, `,"target":`...)
			b = appendString(b, e.Target) // a link target that is not UTF-8 is rare; see below
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4&0xf], hex[r&0xf])
			if r > 0xff {
				b = append(b[:len(b)-4], hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
