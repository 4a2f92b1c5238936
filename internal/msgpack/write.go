package msgpack

import "math"

// AppendNil appends nil.
func AppendNil(b []byte) []byte { return append(b, 0xc0) }

// AppendBool appends a boolean.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

// AppendInt appends an integer in its shortest encoding.
func AppendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return AppendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v))
	case v >= math.MinInt8:
		return append(b, 0xd0, byte(v))
	case v >= math.MinInt16:
		return be.AppendUint16(append(b, 0xd1), uint16(v))
	case v >= math.MinInt32:
		return be.AppendUint32(append(b, 0xd2), uint32(v))
	}
	return be.AppendUint64(append(b, 0xd3), uint64(v))
}

// AppendUint appends a non-negative integer in its shortest encoding.
func AppendUint(b []byte, v uint64) []byte {
	switch {
	case v <= 0x7f:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return be.AppendUint16(append(b, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return be.AppendUint32(append(b, 0xce), uint32(v))
	}
	return be.AppendUint64(append(b, 0xcf), v)
}

// AppendString appends a str.
func AppendString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n <= 31:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		b = be.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = be.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

// AppendBytes appends a bin.
func AppendBytes(b, p []byte) []byte {
	n := len(p)
	switch {
	case n <= math.MaxUint8:
		b = append(b, 0xc4, byte(n))
	case n <= math.MaxUint16:
		b = be.AppendUint16(append(b, 0xc5), uint16(n))
	default:
		b = be.AppendUint32(append(b, 0xc6), uint32(n))
	}
	return append(b, p...)
}

// AppendArrayHeader appends the header of an array of n values.
func AppendArrayHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		return be.AppendUint16(append(b, 0xdc), uint16(n))
	}
	return be.AppendUint32(append(b, 0xdd), uint32(n))
}

// AppendMapHeader appends the header of a map of n key/value pairs.
func AppendMapHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		return be.AppendUint16(append(b, 0xde), uint16(n))
	}
	return be.AppendUint32(append(b, 0xdf), uint32(n))
}
