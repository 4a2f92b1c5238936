package textot

import (
	"fmt"
	"math"

	"github.com/pid1/pid1/api"
)

// FromProto converts the components of an api.OTPacket to an Op. It
// rejects nil components, components with no kind set, zero counts, empty
// or invalid UTF-8 inserts and counts too large for MaxSpan, with errors
// wrapping [ErrInvalidProto] or the error [Validate] returns. It does not
// normalize: the op keeps the client's shape.
func FromProto(pb []*api.OTOpComponent) (Op, error) {
	op := make(Op, 0, len(pb))
	for i, pc := range pb {
		if pc == nil {
			return nil, fmt.Errorf("component %d: %w (nil)", i, ErrInvalidProto)
		}
		// A typed nil in the oneof cannot come off the wire, but a Go
		// caller can build one, so each case checks for it.
		switch v := pc.GetOpComponent().(type) {
		case nil:
			return nil, noKind(i)
		case *api.OTOpComponent_Skip:
			if v == nil {
				return nil, noKind(i)
			}
			n, err := protoCount(i, v.Skip)
			if err != nil {
				return nil, err
			}
			op = append(op, Skip(n))
		case *api.OTOpComponent_Delete:
			if v == nil {
				return nil, noKind(i)
			}
			n, err := protoCount(i, v.Delete)
			if err != nil {
				return nil, err
			}
			op = append(op, Delete(n))
		case *api.OTOpComponent_Insert:
			if v == nil {
				return nil, noKind(i)
			}
			op = append(op, Insert(v.Insert))
		default:
			return nil, fmt.Errorf("component %d: %w (unknown type %T)", i, ErrInvalidProto, v)
		}
	}
	if err := Validate(op); err != nil {
		return nil, err
	}
	return op, nil
}

func noKind(i int) error {
	return fmt.Errorf("component %d: %w (no skip, insert or delete)", i, ErrInvalidProto)
}

// protoCount converts a wire count, which on 32-bit platforms may not fit
// in an int.
func protoCount(i int, n uint32) (int, error) {
	if uint64(n) > uint64(MaxSpan) {
		return 0, fmt.Errorf("component %d: %w (count %d is larger than MaxSpan)", i, ErrInvalidProto, n)
	}
	return int(n), nil
}

// ToProto converts op to protobuf components. It validates op and fails
// with an error wrapping [ErrInvalidProto] if a count does not fit in the
// wire's uint32. It does not normalize.
func ToProto(op Op) ([]*api.OTOpComponent, error) {
	if err := Validate(op); err != nil {
		return nil, err
	}
	pb := make([]*api.OTOpComponent, len(op))
	for i, c := range op {
		if c.kind != KindInsert && uint64(c.n) > math.MaxUint32 {
			return nil, fmt.Errorf("component %d: %w (%v of %d does not fit in uint32)", i, ErrInvalidProto, c.kind, c.n)
		}
		switch c.kind {
		case KindSkip:
			pb[i] = &api.OTOpComponent{OpComponent: &api.OTOpComponent_Skip{Skip: uint32(c.n)}}
		case KindDelete:
			pb[i] = &api.OTOpComponent{OpComponent: &api.OTOpComponent_Delete{Delete: uint32(c.n)}}
		case KindInsert:
			pb[i] = &api.OTOpComponent{OpComponent: &api.OTOpComponent_Insert{Insert: c.text}}
		}
	}
	return pb, nil
}
