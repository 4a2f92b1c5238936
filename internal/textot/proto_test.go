package textot

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/pid1/pid1/api"
	"google.golang.org/protobuf/proto"
)

func pbSkip(n uint32) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Skip{Skip: n}}
}

func pbDelete(n uint32) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Delete{Delete: n}}
}

func pbInsert(s string) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Insert{Insert: s}}
}

func TestProtoRoundTrip(t *testing.T) {
	ops := []Op{
		{},
		{Skip(3), Insert("hé😭"), Delete(2)},
		{Insert("a"), Insert("b"), Skip(1)}, // not normalized: kept as is
	}
	if strconv.IntSize == 64 {
		// The largest wire counts; a variable keeps this compiling where
		// int is 32 bits and they would not fit.
		var maxU32 uint64 = math.MaxUint32
		ops = append(ops, Op{Skip(int(maxU32)), Delete(int(maxU32))})
	}
	for _, op := range ops {
		pb, err := ToProto(op)
		if err != nil {
			t.Fatalf("ToProto(%v): %v", op, err)
		}
		// Through the wire format too, as a packet would travel.
		b, err := proto.Marshal(&api.OTPacket{Op: pb})
		if err != nil {
			t.Fatal(err)
		}
		var packet api.OTPacket
		if err := proto.Unmarshal(b, &packet); err != nil {
			t.Fatal(err)
		}
		back, err := FromProto(packet.GetOp())
		if err != nil {
			t.Fatalf("FromProto(ToProto(%v)): %v", op, err)
		}
		if !equalOps(back, op) {
			t.Errorf("round trip of %v gave %v", op, back)
		}
	}
}

func TestFromProtoErrors(t *testing.T) {
	tests := []struct {
		name string
		pb   []*api.OTOpComponent
		want error
	}{
		{"nil component", []*api.OTOpComponent{pbSkip(1), nil}, ErrInvalidProto},
		{"no oneof", []*api.OTOpComponent{{}}, ErrInvalidProto},
		{"typed nil skip", []*api.OTOpComponent{{OpComponent: (*api.OTOpComponent_Skip)(nil)}}, ErrInvalidProto},
		{"typed nil delete", []*api.OTOpComponent{{OpComponent: (*api.OTOpComponent_Delete)(nil)}}, ErrInvalidProto},
		{"typed nil insert", []*api.OTOpComponent{{OpComponent: (*api.OTOpComponent_Insert)(nil)}}, ErrInvalidProto},
		{"zero skip", []*api.OTOpComponent{pbSkip(0)}, ErrZeroSkip},
		{"zero delete", []*api.OTOpComponent{pbInsert("a"), pbDelete(0)}, ErrZeroDelete},
		{"empty insert", []*api.OTOpComponent{pbInsert("")}, ErrEmptyInsert},
		{"invalid UTF-8", []*api.OTOpComponent{pbInsert("\xff")}, ErrInvalidUTF8},
	}
	for _, tt := range tests {
		if op, err := FromProto(tt.pb); !errors.Is(err, tt.want) {
			t.Errorf("%s: FromProto = %v, %v; want %v", tt.name, op, err, tt.want)
		}
	}
	if op, err := FromProto(nil); err != nil || op == nil || len(op) != 0 {
		t.Errorf("FromProto(nil) = %#v, %v; want an empty op", op, err)
	}
}

func TestToProtoErrors(t *testing.T) {
	tests := []struct {
		op   Op
		want error
	}{
		{Op{Skip(0)}, ErrZeroSkip},
		{Op{{}}, ErrInvalidComponent},
		{Op{Insert("")}, ErrEmptyInsert},
	}
	if strconv.IntSize == 64 {
		var tooBig uint64 = math.MaxUint32 + 1
		tests = append(tests, []struct {
			op   Op
			want error
		}{
			{Op{Skip(int(tooBig))}, ErrInvalidProto},
			{Op{Insert("x"), Delete(int(tooBig))}, ErrInvalidProto},
		}...)
	}
	for _, tt := range tests {
		if pb, err := ToProto(tt.op); !errors.Is(err, tt.want) {
			t.Errorf("ToProto(%v) = %v, %v; want %v", tt.op, pb, err, tt.want)
		}
	}
}
