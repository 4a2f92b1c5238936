package literal

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/pid1/pid1/api"
)

// alwaysShown are fields printed even when they hold their zero value,
// because the zero is an event kind rather than an absence.
var alwaysShown = map[protoreflect.FullName]bool{
	"replit.goval.api.FileEvent.op": true,
}

// Format prints the body of cmd, the part a transcript shows:
// { chatMessage: { username: "ada", text: "hi" } }. A command without a
// body prints as {}.
func Format(cmd *api.Command) string {
	m := cmd.ProtoReflect()
	oo := m.Descriptor().Oneofs().ByName("body")
	fd := m.WhichOneof(oo)
	if fd == nil {
		return "{}"
	}
	var b strings.Builder
	b.WriteString("{ ")
	b.WriteString(fd.JSONName())
	b.WriteString(": ")
	writeSingular(&b, fd, m.Get(fd))
	b.WriteString(" }")
	return b.String()
}

// FormatMessage prints every set field of m.
func FormatMessage(m proto.Message) string {
	var b strings.Builder
	writeMessage(&b, m.ProtoReflect())
	return b.String()
}

func writeMessage(b *strings.Builder, m protoreflect.Message) {
	md := m.Descriptor()
	if md.FullName() == "google.protobuf.Timestamp" {
		f := md.Fields()
		t := time.Unix(m.Get(f.ByName("seconds")).Int(), m.Get(f.ByName("nanos")).Int()).UTC()
		writeString(b, t.Format(time.RFC3339Nano), false)
		return
	}
	fields := md.Fields()
	first := true
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) && !alwaysShown[fd.FullName()] {
			continue
		}
		if first {
			b.WriteString("{ ")
			first = false
		} else {
			b.WriteString(", ")
		}
		writeKey(b, fd.JSONName())
		b.WriteString(": ")
		writeField(b, fd, m.Get(fd))
	}
	if first {
		b.WriteString("{}")
		return
	}
	b.WriteString(" }")
}

// writeListing prints a Files message as the list of its entries, each
// with its type: [ { path: "a", type: "Regular" } ].
func writeListing(b *strings.Builder, m protoreflect.Message) {
	l := m.Get(m.Descriptor().Fields().ByName("files")).List()
	if l.Len() == 0 {
		b.WriteString("[]")
		return
	}
	b.WriteString("[ ")
	for i := range l.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		f := l.Get(i).Message()
		fds := f.Descriptor().Fields()
		b.WriteString("{ path: ")
		writeString(b, f.Get(fds.ByName("path")).String(), false)
		b.WriteString(", type: ")
		writeString(b, fileTypeNames[f.Get(fds.ByName("type")).Enum()], false)
		if c := fds.ByName("content"); f.Has(c) {
			b.WriteString(", content: ")
			writeString(b, string(f.Get(c).Bytes()), true)
		}
		b.WriteString(" }")
	}
	b.WriteString(" ]")
}

// fileTypeNames are the seed's spellings of File.Type in listings.
var fileTypeNames = map[protoreflect.EnumNumber]string{0: "Regular", 1: "Directory"}

func writeField(b *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch {
	case fd.IsMap():
		mp := v.Map()
		keys := make([]protoreflect.MapKey, 0, mp.Len())
		mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k)
			return true
		})
		slices.SortFunc(keys, func(a, c protoreflect.MapKey) int { return strings.Compare(a.String(), c.String()) })
		if len(keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeKey(b, k.String())
			b.WriteString(": ")
			writeSingular(b, fd.MapValue(), mp.Get(k))
		}
		b.WriteString(" }")
	case fd.IsList():
		l := v.List()
		if l.Len() == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[ ")
		for i := range l.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeSingular(b, fd, l.Get(i))
		}
		b.WriteString(" ]")
	default:
		writeSingular(b, fd, v)
	}
}

func writeSingular(b *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if m := v.Message(); m.Descriptor().FullName() == "replit.goval.api.Files" {
			writeListing(b, m) // as the seed prints a listing
			return
		}
		writeMessage(b, v.Message())
	case protoreflect.StringKind:
		writeString(b, v.String(), false)
	case protoreflect.BytesKind:
		writeString(b, string(v.Bytes()), true)
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			writeString(b, string(ev.Name()), false)
		} else {
			b.WriteString(strconv.Itoa(int(v.Enum())))
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		writeFloat(b, v.Float(), fd.Kind() == protoreflect.FloatKind)
	case protoreflect.BoolKind:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	default:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	}
}

func writeFloat(b *strings.Builder, f float64, single bool) {
	switch {
	case math.IsNaN(f):
		b.WriteString("NaN")
	case math.IsInf(f, 1):
		b.WriteString("Infinity")
	case math.IsInf(f, -1):
		b.WriteString("-Infinity")
	case single:
		out, _ := json.Marshal(float32(f))
		b.Write(out)
	default:
		out, _ := json.Marshal(f)
		b.Write(out)
	}
}

// writeKey prints an object key bare when it is an identifier.
func writeKey(b *strings.Builder, k string) {
	ident := k != "" && isIdentStart(k[0])
	for i := 1; ident && i < len(k); i++ {
		ident = isIdentPart(k[i])
	}
	if ident {
		b.WriteString(k)
		return
	}
	writeString(b, k, false)
}

const hexDigits = "0123456789abcdef"

// writeString quotes s as encoding/json does (HTML-safe). With binary set,
// bytes that are not UTF-8 print as \xHH, which Parse reads back as those
// bytes into a bytes field; otherwise they print as \ufffd, as in JSON.
func writeString(b *strings.Builder, s string, binary bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\b':
				b.WriteString(`\b`)
			case c == '\f':
				b.WriteString(`\f`)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1 && binary:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
