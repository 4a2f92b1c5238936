package literal

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/pid1/pid1/api"
)

// Parse reads one command body, such as { chatMessage: { text: "hi" } }.
// The literal must name exactly one command.
func Parse(src string) (*api.Command, error) {
	n, err := parseSource(src)
	if err != nil {
		return nil, err
	}
	cmd := &api.Command{}
	if err := assignMessage(cmd.ProtoReflect(), n); err != nil {
		return nil, err
	}
	if cmd.Body == nil {
		return nil, errAt(n.pos, "no command in the literal: name one, e.g. { ping: {} } (the keys of a Command's body)")
	}
	return cmd, nil
}

// ParseMessage reads src into m, which it resets first.
func ParseMessage(src string, m proto.Message) error {
	n, err := parseSource(src)
	if err != nil {
		return err
	}
	proto.Reset(m)
	return assignMessage(m.ProtoReflect(), n)
}

// aliases are other spellings people use for a field, by message.
var aliases = map[protoreflect.FullName]map[string]protoreflect.Name{
	"replit.goval.api.OTPacket":       {"ops": "op", "crc": "crc32"},
	"replit.goval.api.OTStatus":       {"content": "contents"},
	"replit.goval.api.OTFetchRequest": {"from": "versionFrom", "to": "versionTo"},
}

func assignMessage(m protoreflect.Message, n node) error {
	md := m.Descriptor()
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		if n.kind != kObject { // an object sets seconds and nanos as fields
			return assignTimestamp(m, n)
		}
	case "replit.goval.api.File":
		if n.kind == kObject && len(n.fields) == 1 && n.fields[0].key == "file" {
			// the seed writes { persistMirror: { file: { path } } }
			return assignMessage(m, n.fields[0].val)
		}
		if n.kind == kString {
			path := md.Fields().ByName("path")
			v, err := singular(nil, path, n)
			if err != nil {
				return err
			}
			m.Set(path, v)
			return nil
		}
	case "replit.goval.api.Files":
		if n.kind == kArray { // the seed writes { files: [ ... ] } for a listing
			return assignField(m, md.Fields().ByName("files"), n)
		}
	}
	if n.kind != kObject {
		return errAt(n.pos, "expected an object for %s, found %s", md.Name(), n.kind)
	}
	for _, f := range n.fields {
		fd := lookupField(md, f.key)
		if fd == nil {
			return errAt(f.keyPos, "%s has no field %q%s", describeMessage(md), f.key, suggest(md, f.key))
		}
		if oo := fd.ContainingOneof(); oo != nil && !oo.IsSynthetic() {
			if set := m.WhichOneof(oo); set != nil {
				return errAt(f.keyPos, "%q and %q are both set, but %s holds one of them", set.JSONName(), fd.JSONName(), describeOneof(md, oo))
			}
		}
		if f.val.kind == kNull {
			continue // null leaves the field unset
		}
		if err := assignField(m, fd, f.val); err != nil {
			return err
		}
	}
	return nil
}

func describeMessage(md protoreflect.MessageDescriptor) string {
	if md.FullName() == "replit.goval.api.Command" {
		return "a Command"
	}
	return string(md.Name())
}

func describeOneof(md protoreflect.MessageDescriptor, oo protoreflect.OneofDescriptor) string {
	if md.FullName() == "replit.goval.api.Command" && oo.Name() == "body" {
		return "a Command"
	}
	return fmt.Sprintf("%s.%s", md.Name(), oo.Name())
}

func lookupField(md protoreflect.MessageDescriptor, key string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByJSONName(key); fd != nil {
		return fd
	}
	if fd := fields.ByName(protoreflect.Name(key)); fd != nil {
		return fd
	}
	if alias, ok := aliases[md.FullName()][key]; ok {
		return fields.ByName(alias)
	}
	return nil
}

func assignField(m protoreflect.Message, fd protoreflect.FieldDescriptor, n node) error {
	switch {
	case fd.IsMap():
		if n.kind != kObject {
			return errAt(n.pos, "%s is a map: expected an object such as { KEY: \"value\" }, found %s", fd.JSONName(), n.kind)
		}
		mp := m.Mutable(fd).Map()
		for _, f := range n.fields {
			k, err := mapKey(fd.MapKey(), f)
			if err != nil {
				return err
			}
			v, err := singular(mp.NewValue, fd.MapValue(), f.val)
			if err != nil {
				return err
			}
			mp.Set(k, v)
		}
		return nil
	case fd.IsList():
		if n.kind != kArray {
			return errAt(n.pos, "%s is a list: expected [ ... ], found %s", fd.JSONName(), n.kind)
		}
		l := m.Mutable(fd).List()
		for _, e := range n.elems {
			if e.kind == kNull {
				return errAt(e.pos, "null in the list %s", fd.JSONName())
			}
			v, err := singular(l.NewElement, fd, e)
			if err != nil {
				return err
			}
			l.Append(v)
		}
		return nil
	}
	v, err := singular(func() protoreflect.Value { return m.NewField(fd) }, fd, n)
	if err != nil {
		return err
	}
	m.Set(fd, v)
	return nil
}

func mapKey(fd protoreflect.FieldDescriptor, f member) (protoreflect.MapKey, error) {
	n := node{kind: kString, pos: f.keyPos, text: f.key}
	if fd.Kind() != protoreflect.StringKind {
		n.kind = kNumber
		if fd.Kind() == protoreflect.BoolKind {
			n = node{kind: kBool, pos: f.keyPos, bool: f.key == "true", text: f.key}
			if f.key != "true" && f.key != "false" {
				return protoreflect.MapKey{}, errAt(f.keyPos, "map key %q is not true or false", f.key)
			}
		}
	}
	v, err := singular(nil, fd, n)
	if err != nil {
		return protoreflect.MapKey{}, err
	}
	return v.MapKey(), nil
}

// singular converts one value for a field of fd's kind. newMessage makes
// the message to fill for message fields.
func singular(newMessage func() protoreflect.Value, fd protoreflect.FieldDescriptor, n node) (protoreflect.Value, error) {
	name := fd.JSONName()
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		v := newMessage()
		return v, assignMessage(v.Message(), n)
	case protoreflect.StringKind:
		if n.kind != kString {
			return protoreflect.Value{}, errAt(n.pos, "%s is a string: expected quotes, found %s", name, n.kind)
		}
		if !utf8.ValidString(n.text) {
			return protoreflect.Value{}, errAt(n.pos, "%s is not valid UTF-8", name)
		}
		return protoreflect.ValueOfString(n.text), nil
	case protoreflect.BytesKind:
		if n.kind != kString {
			return protoreflect.Value{}, errAt(n.pos, "%s is bytes: expected a string, found %s", name, n.kind)
		}
		return protoreflect.ValueOfBytes(append([]byte{}, n.raw...)), nil
	case protoreflect.BoolKind:
		if n.kind != kBool {
			return protoreflect.Value{}, errAt(n.pos, "%s is a boolean: expected true or false, found %s", name, n.kind)
		}
		return protoreflect.ValueOfBool(n.bool), nil
	case protoreflect.EnumKind:
		return enumValue(fd, n)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f, err := floatValue(name, n)
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f)), err
		}
		return protoreflect.ValueOfFloat64(f), err
	}
	return intValue(fd, n)
}

func floatValue(name string, n node) (float64, error) {
	if n.kind == kWord && n.text == "NaN" {
		return math.NaN(), nil
	}
	if n.kind == kWord && n.text == "Infinity" {
		return math.Inf(1), nil
	}
	if n.kind != kNumber {
		return 0, errAt(n.pos, "%s is a number, found %s", name, n.kind)
	}
	f, _ := numberValue(n.text)
	return f, nil
}

var intRanges = map[protoreflect.Kind][2]float64{
	protoreflect.Int32Kind: {math.MinInt32, math.MaxInt32}, protoreflect.Sint32Kind: {math.MinInt32, math.MaxInt32},
	protoreflect.Sfixed32Kind: {math.MinInt32, math.MaxInt32}, protoreflect.Uint32Kind: {0, math.MaxUint32},
	protoreflect.Fixed32Kind: {0, math.MaxUint32},
}

func intValue(fd protoreflect.FieldDescriptor, n node) (protoreflect.Value, error) {
	name := fd.JSONName()
	text := n.text
	if n.kind == kString { // 64-bit integers may be quoted, as in proto3 JSON
		if _, ok := numberValue(text); !ok {
			return protoreflect.Value{}, errAt(n.pos, "%s is an integer; %q is not one", name, text)
		}
	} else if n.kind != kNumber {
		return protoreflect.Value{}, errAt(n.pos, "%s is an integer, found %s", name, n.kind)
	}
	text = strings.TrimPrefix(text, "+")
	unsigned := fd.Kind() == protoreflect.Uint32Kind || fd.Kind() == protoreflect.Fixed32Kind ||
		fd.Kind() == protoreflect.Uint64Kind || fd.Kind() == protoreflect.Fixed64Kind
	var i int64
	var u uint64
	var err error
	if unsigned {
		u, err = strconv.ParseUint(text, 0, 64)
	} else {
		i, err = strconv.ParseInt(text, 0, 64)
	}
	if err != nil {
		// Accept integral values written as floats (1e3, 5.0).
		f, _ := numberValue(text)
		if errors.Is(err, strconv.ErrRange) || f != math.Trunc(f) || math.IsInf(f, 0) ||
			f < -(1<<63) || f >= 1<<64 || unsigned && f < 0 || !unsigned && f >= 1<<63 {
			return protoreflect.Value{}, errAt(n.pos, "%s is an integer; %s is not one it can hold", name, n.text)
		}
		i, u = int64(f), uint64(f)
	}
	if r, ok := intRanges[fd.Kind()]; ok {
		v := float64(i)
		if unsigned {
			v = float64(u)
		}
		if v < r[0] || v > r[1] {
			return protoreflect.Value{}, errAt(n.pos, "%s is out of range for %s (%v to %v)", n.text, name, r[0], r[1])
		}
	}
	switch fd.Kind() {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(i)), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(u)), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(u), nil
	}
	return protoreflect.ValueOfInt64(i), nil
}

func enumValue(fd protoreflect.FieldDescriptor, n node) (protoreflect.Value, error) {
	ed := fd.Enum()
	values := ed.Values()
	switch n.kind {
	case kString, kWord:
		if v := values.ByName(protoreflect.Name(n.text)); v != nil {
			return protoreflect.ValueOfEnum(v.Number()), nil
		}
		for i := range values.Len() {
			if strings.EqualFold(string(values.Get(i).Name()), n.text) {
				return protoreflect.ValueOfEnum(values.Get(i).Number()), nil
			}
		}
		return protoreflect.Value{}, errAt(n.pos, "%s is a %s: %q is not one of %s", fd.JSONName(), ed.Name(), n.text, enumNames(ed))
	case kNumber:
		i, err := strconv.ParseInt(strings.TrimPrefix(n.text, "+"), 0, 32)
		if err != nil {
			return protoreflect.Value{}, errAt(n.pos, "%s is a %s: %s is not an enum number", fd.JSONName(), ed.Name(), n.text)
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(i)), nil
	}
	return protoreflect.Value{}, errAt(n.pos, "%s is a %s: expected one of %s, found %s", fd.JSONName(), ed.Name(), enumNames(ed), n.kind)
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	var names []string
	for i := range ed.Values().Len() {
		names = append(names, string(ed.Values().Get(i).Name()))
	}
	return strings.Join(names, ", ")
}

func assignTimestamp(m protoreflect.Message, n node) error {
	var t time.Time
	switch n.kind {
	case kString:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, n.text); err != nil {
			return errAt(n.pos, "%q is not an RFC 3339 time such as \"2026-01-02T15:04:05Z\"", n.text)
		}
	case kNumber:
		f, _ := numberValue(n.text)
		if math.IsInf(f, 0) || math.Abs(f) > 253402300799 {
			return errAt(n.pos, "%s seconds is outside the years 1 to 9999", n.text)
		}
		sec, frac := math.Modf(f)
		t = time.Unix(int64(sec), int64(math.Round(frac*1e9)))
	default:
		return errAt(n.pos, "expected a time (an RFC 3339 string or seconds), found %s", n.kind)
	}
	fields := m.Descriptor().Fields()
	m.Set(fields.ByName("seconds"), protoreflect.ValueOfInt64(t.Unix()))
	m.Set(fields.ByName("nanos"), protoreflect.ValueOfInt32(int32(t.Nanosecond())))
	return nil
}
