package audiofile

// resampler converts mono samples from a file's rate to Rate by linear
// interpolation. Its position is kept as an exact fraction (an index into
// the pending samples and a remainder in units of 1/Rate of a sample), so
// no error accumulates over a long file.
type resampler struct {
	rate int // the input's sample rate
	i    int // index of the current input sample in the pending ones
	frac int // how far past it the next output lies, in 1/Rate of a sample
}

func newResampler(rate int) resampler { return resampler{rate: rate} }

// next writes up to len(dst) output samples from the pending input *in,
// drops the input it has moved past, and returns how many it wrote. With
// final set no more input will come, so the last sample is used on its
// own instead of waiting for a neighbour.
func (r *resampler) next(dst []int32, in *[]int32, final bool) int {
	m := *in
	n := 0
	for n < len(dst) {
		switch {
		case r.i < len(m) && r.frac == 0:
			dst[n] = m[r.i]
		case r.i+1 < len(m):
			x0, x1 := int64(m[r.i]), int64(m[r.i+1])
			dst[n] = int32(x0 + (x1-x0)*int64(r.frac)/Rate)
		case final && r.i < len(m):
			dst[n] = m[r.i]
		default:
			*in = r.drop(m)
			return n
		}
		n++
		r.frac += r.rate
		r.i += r.frac / Rate
		r.frac %= Rate
	}
	*in = r.drop(m)
	return n
}

// drop removes the input samples before the current one, keeping the
// buffer's storage.
func (r *resampler) drop(m []int32) []int32 {
	k := min(r.i, len(m))
	r.i -= k
	return append(m[:0], m[k:]...)
}
