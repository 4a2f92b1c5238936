package textot

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on the work of Diff. Past them it gives up on a minimal diff for a
// coarser one, so that even a diff of two unrelated megabytes takes only
// tens of milliseconds. Work is counted in elements compared by myers, and
// diagonals tried (see diagonalCost): about a nanosecond each.
const (
	// diffMaxEdits is the longest edit script, in code points inserted and
	// deleted, that the code point diff looks for.
	diffMaxEdits = 4096
	// diffBudget is how much work the code point diff may take.
	diffBudget = 16 << 20
	// diffLineBudget is how much work the line diff and refining the
	// changed lines it finds may take together.
	diffLineBudget = 8 << 20
	// diffLineSplit is how many rounds the line diff searches for the
	// middle of a script before it settles for one that may not be
	// shortest.
	diffLineSplit = 64
)

// Diff returns an op in normal form that turns a into b: Apply(a, Diff(a,
// b)) returns b. It is meant for turning a change made outside the editor,
// such as a file rewritten on disk, into an op.
//
// Diff keeps the common prefix and suffix, then finds a shortest edit
// script for what lies between them, counted in code points, with Myers'
// O(ND) algorithm, so the op inserts and deletes as few code points as
// possible. Its work is bounded: when that script would be longer than
// 4096 code points or take too long to find, Diff diffs lines instead,
// with GNU diff's heuristic for when many lines changed, and refines each
// changed run of lines by code points while a second budget lasts; failing
// that, the op deletes the middle and inserts the new one. Diff of
// megabyte documents takes tens of milliseconds at most, and a few when
// they differ in a few places.
//
// a and b must be valid UTF-8. Diff does not panic on invalid input, but
// then each invalid byte counts as one code point and the op may fail
// [Validate] or [Apply].
func Diff(a, b string) Op {
	d := differ{maxEdits: diffMaxEdits, budget: diffBudget, lineBudget: diffLineBudget, lineSplit: diffLineSplit}
	return d.diff(a, b)
}

// differ holds the limits and scratch space of one Diff.
type differ struct {
	maxEdits, budget, lineBudget, lineSplit int
	// split, when set, makes myers give up on the shortest script after
	// that many rounds (see middleSnake): lineSplit for the line diff.
	split   int
	work    int     // steps left in the current stage
	matches []match // common runs found by the last myers
	// The code points or bytes being diffed, kept from one diff to the
	// next (of changed lines) so as to allocate them once.
	runesA, runesB []rune
	bytesA, bytesB []byte
	// Scratch space of the searches: every round of forward, and the
	// furthest-reaching paths of middleSnake, forward and backward, by
	// diagonal.
	trace     []int32
	fwd, back []int
}

// match is a run of n elements common to the two sequences, at a in the
// first and b in the second.
type match struct{ a, b, n int }

func (d *differ) diff(a, b string) Op {
	var out builder
	p, s := commonEnds(a, b)
	out.push(Skip(utf8.RuneCountInString(a[:p])))
	a, b = a[p:len(a)-s], b[p:len(b)-s]
	d.work = d.budget
	if !d.codePoints(&out, a, b) && !d.lines(&out, a, b) {
		replace(&out, a, b)
	}
	// The common suffix is a trailing skip, which finish drops.
	return out.finish()
}

// replace pushes the op that deletes all of a and inserts b.
func replace(out *builder, a, b string) {
	out.push(Delete(utf8.RuneCountInString(a)))
	out.push(Insert(b))
}

// commonEnds returns the lengths in bytes of the longest common prefix and
// suffix of a and b that end and start between code points and do not
// overlap.
func commonEnds(a, b string) (prefix, suffix int) {
	n := min(len(a), len(b))
	// Whole blocks first, compared as strings, which is much faster than
	// byte by byte.
	const block = 64
	for prefix+block <= n && a[prefix:prefix+block] == b[prefix:prefix+block] {
		prefix += block
	}
	for prefix < n && a[prefix] == b[prefix] {
		prefix++
	}
	// Back off to a code point boundary in both.
	for prefix > 0 && (continuation(a, prefix) || continuation(b, prefix)) {
		prefix--
	}
	n -= prefix
	for suffix+block <= n && a[len(a)-suffix-block:len(a)-suffix] == b[len(b)-suffix-block:len(b)-suffix] {
		suffix += block
	}
	for suffix < n && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	// The suffixes are equal, so a boundary in one is a boundary in both.
	for suffix > 0 && continuation(a, len(a)-suffix) {
		suffix--
	}
	return prefix, suffix
}

// continuation reports whether s[i] is a UTF-8 continuation byte, so that i
// is inside a code point; it is false at the end of s.
func continuation(s string, i int) bool { return i < len(s) && s[i]&0xc0 == 0x80 }

// codePoints pushes a shortest op that turns a into b, diffing code points.
// It reports false, having pushed nothing, if that would be longer than
// maxEdits or take more work than is left.
func (d *differ) codePoints(out *builder, a, b string) bool {
	if a == "" || b == "" {
		replace(out, a, b)
		return true
	}
	// Every script inserts or deletes at least the difference in length,
	// and compares all but maxEdits code points of the shorter text:
	// check both before converting anything.
	n, m := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if n-m > d.maxEdits || m-n > d.maxEdits || min(n, m)-d.maxEdits > d.work {
		return false
	}
	d.matches = d.matches[:0]
	if n == len(a) && m == len(b) {
		// One byte per code point (ASCII, or invalid bytes): compare
		// bytes, in a quarter of the memory.
		d.bytesA, d.bytesB = append(d.bytesA[:0], a...), append(d.bytesB[:0], b...)
		if !myers(d, d.bytesA, d.bytesB, 0, 0, -1) {
			return false
		}
		emit(out, d.matches, n, m, b, nil)
		return true
	}
	d.runesA, d.runesB = appendRunes(d.runesA[:0], a, n), appendRunes(d.runesB[:0], b, m)
	if !myers(d, d.runesA, d.runesB, 0, 0, -1) {
		return false
	}
	emit(out, d.matches, n, m, b, &runeCursor{s: b})
	return true
}

// appendRunes appends the n code points of s to rs, each invalid byte as
// U+FFFD.
func appendRunes(rs []rune, s string, n int) []rune {
	rs = slices.Grow(rs, n)
	for _, r := range s {
		rs = append(rs, r)
	}
	return rs
}

// emit pushes the op that turns a, of n code points, into b, of m, keeping
// the common runs ms (in code points, in order). cur finds the code points
// of b in bytes, or is nil if they are one byte each.
func emit(out *builder, ms []match, n, m int, b string, cur *runeCursor) {
	offset := func(i int) int {
		if cur == nil {
			return i
		}
		return cur.offset(i)
	}
	pa, pb := 0, 0
	for _, r := range append(ms, match{a: n, b: m}) {
		if r.a > pa {
			out.push(Delete(r.a - pa))
		}
		if r.b > pb {
			out.push(Insert(b[offset(pb):offset(r.b)]))
		}
		if r.n > 0 {
			out.push(Skip(r.n))
		}
		pa, pb = r.a+r.n, r.b+r.n
	}
}

// runeCursor turns code point indexes of s, asked for in increasing order,
// into byte offsets, decoding s once from start to end.
type runeCursor struct {
	s     string
	i, at int // code point i starts at byte at
}

func (c *runeCursor) offset(i int) int {
	for c.i < i {
		_, size := utf8.DecodeRuneInString(c.s[c.at:])
		c.at += size
		c.i++
	}
	return c.at
}

// lines pushes an op that turns a into b, diffing them as sequences of
// lines and then refining each changed run of lines by code points. It
// reports false, having pushed nothing, if the line diff takes more than
// d.lineBudget steps.
func (d *differ) lines(out *builder, a, b string) bool {
	ids := make(map[string]int32)
	la, sa := lineIDs(a, ids)
	lb, sb := lineIDs(b, ids)
	// What the line diff leaves of the budget goes to refining the changed
	// runs of lines, in order: once it is spent, the rest are replaced.
	d.work = d.lineBudget
	d.matches = d.matches[:0]
	// However many lines changed, but with GNU diff's heuristic (see
	// middleSnake) to keep the work down when many did: the script may
	// then not be the shortest.
	maxEdits := d.maxEdits
	d.maxEdits, d.split = math.MaxInt32, d.lineSplit
	ok := myers(d, la, lb, 0, 0, -1)
	d.maxEdits, d.split = maxEdits, 0
	if !ok {
		return false
	}
	ms := slices.Clone(d.matches)
	pa, pb := 0, 0
	for _, m := range append(ms, match{a: len(la), b: len(lb)}) {
		if m.a > pa || m.b > pb {
			d.hunk(out, a[sa[pa]:sa[m.a]], b[sb[pb]:sb[m.b]])
		}
		if m.n > 0 {
			out.push(Skip(utf8.RuneCountInString(a[sa[m.a]:sa[m.a+m.n]])))
		}
		pa, pb = m.a+m.n, m.b+m.n
	}
	return true
}

// hunk pushes an op that turns a into b, changed runs of lines, by code
// points if the work left allows and by replacing them otherwise.
func (d *differ) hunk(out *builder, a, b string) {
	p, s := commonEnds(a, b)
	out.push(Skip(utf8.RuneCountInString(a[:p])))
	if !d.codePoints(out, a[p:len(a)-s], b[p:len(b)-s]) {
		replace(out, a[p:len(a)-s], b[p:len(b)-s])
	}
	out.push(Skip(utf8.RuneCountInString(a[len(a)-s:])))
}

// lineIDs splits s into lines, each with its "\n" but for a last line
// without one, and returns each line's id in ids (adding new ones) and
// where each line starts in s, followed by len(s).
func lineIDs(s string, ids map[string]int32) (lines []int32, starts []int) {
	n := strings.Count(s, "\n") + 1
	lines = make([]int32, 0, n)
	starts = make([]int, 0, n+1)
	for i := 0; i < len(s); {
		end := len(s)
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		id, ok := ids[s[i:end]]
		if !ok {
			id = int32(len(ids))
			ids[s[i:end]] = id
		}
		lines = append(lines, id)
		starts = append(starts, i)
		i = end
	}
	return lines, append(starts, len(s))
}
