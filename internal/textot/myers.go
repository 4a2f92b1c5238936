package textot

import "math"

// Myers' O(ND) difference algorithm (E. W. Myers, "An O(ND) Difference
// Algorithm and Its Variations", 1986).
//
// An edit script turning a into b is a path through the grid of points
// (x, y), 0 <= x <= len(a), 0 <= y <= len(b), from (0, 0) to (len(a),
// len(b)): a step right deletes a[x], a step down inserts b[y], and a
// diagonal step, allowed where a[x] == b[y], keeps it for free. A snake is
// a run of diagonal steps. Diagonal k holds the points with x - y == k. A
// search that has made e edits keeps, for each diagonal it has reached,
// the furthest x a path of e edits gets to on it, stepping right or down
// from the diagonals on either side and then following the snake.
//
// A script of D edits is found by searching forward from (0, 0) for D
// rounds and retracing the search (forward), which takes O(N + D²) time
// for inputs of N elements that have much in common, and O(D²) memory; or,
// for long scripts, by searching from both ends at once to find the
// script's middle snake and solving the two sides of it in turn
// (middleSnake), in linear memory.

// traceMax is the longest edit script that forward looks for; longer ones
// are split at their middle snake first.
const traceMax = 512

// longScript is the dist of a problem not worth a forward search.
const longScript = math.MaxInt

// diagonalCost is what trying a diagonal costs, in d.work, next to 1 for
// comparing two elements: about how many times longer it takes.
const diagonalCost = 4

// forwardLimit returns the longest script forward looks for in inputs of n
// elements in all: at most traceMax, and such that the trace, of about
// D²/2 entries, takes at most twice as many as the inputs.
func forwardLimit(n int) int {
	limit := 0
	for limit < traceMax && (limit+2)*(limit+3)/2 <= 2*n {
		limit++
	}
	return limit
}

// myers appends to d.matches, in order, the common runs of a shortest edit
// script turning a into b, where a and b start at ao and bo in the whole
// sequences; with d.split set, of a short one. dist is the script's length
// or more, -1 if unknown, or longScript if known to be long. It reports
// false if the script is longer than d.maxEdits or d.work runs out, leaving
// part of a script in d.matches.
func myers[T comparable](d *differ, a, b []T, ao, bo, dist int) bool {
	// Common ends are part of some shortest script: take them first.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	d.work -= p + s
	d.addMatch(ao, bo, p)
	a, b = a[p:len(a)-s], b[p:len(b)-s]
	ao, bo = ao+p, bo+p
	if len(a) > 0 && len(b) > 0 {
		// Search forward if the script is short enough, or may be: most
		// scripts are short. Otherwise, or if it is not, split it first.
		limit := min(forwardLimit(len(a)+len(b)), d.maxEdits)
		found := false
		if dist <= limit {
			if dist >= 0 {
				limit = dist
			}
			found = forward(d, a, b, ao, bo, limit)
			if d.work < 0 {
				return false
			}
		}
		if !found {
			// Too long for one forward search: split it at its middle
			// snake, which also tells how long the two sides are (or at
			// the point the search got furthest to, with d.split).
			x0, y0, x1, y1, before, after, ok := middleSnake(d, a, b)
			if !ok || !myers(d, a[:x0], b[:y0], ao, bo, before) {
				return false
			}
			d.addMatch(ao+x0, bo+y0, x1-x0)
			if !myers(d, a[x1:], b[y1:], ao+x1, bo+y1, after) {
				return false
			}
		}
	}
	d.addMatch(ao+len(a), bo+len(b), s)
	return true
}

// addMatch appends a common run of n elements at a and b to d.matches,
// joining it to the previous run if it continues it.
func (d *differ) addMatch(a, b, n int) {
	if n == 0 {
		return
	}
	if last := len(d.matches) - 1; last >= 0 {
		if m := &d.matches[last]; m.a+m.n == a && m.b+m.n == b {
			m.n += n
			return
		}
	}
	d.matches = append(d.matches, match{a: a, b: b, n: n})
}

// forward appends to d.matches the common runs of a shortest edit script
// turning a into b, at offsets ao and bo, if it has at most maxD edits and
// d.work lasts; otherwise it reports false and appends nothing. It keeps
// every round of the search in d.trace and retraces the path from the end.
//
// Round e of the trace holds the furthest x on diagonals -e, -e+2, ..., e,
// between two entries of -1 for diagonals -e-2 and e+2, which make the
// rounds' ends need no special case. A round -1 of [-1, 0] starts round 0
// at (0, 0).
func forward[T comparable](d *differ, a, b []T, ao, bo, maxD int) bool {
	n, m := len(a), len(b)
	if n > math.MaxInt32-maxD || m > math.MaxInt32-maxD {
		return false // the trace holds int32s
	}
	trace := append(d.trace[:0], -1, 0)
	defer func() { d.trace = trace[:0] }()
	work := d.work
	for e := 0; e <= maxD; e++ {
		// Diagonals k-1 and k+1 of round e-1, entries i and i+1 of it.
		prev := len(trace) - (e + 2)
		trace = append(trace, -1)
		for k := -e; k <= e; k += 2 {
			i := prev + (k+e)/2
			// Step down from diagonal k+1 or right from k-1, whichever
			// gets further.
			x := furthest(int(trace[i+1]), int(trace[i])+1)
			y := x - k
			sx := x
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			trace = append(trace, int32(x))
			work -= diagonalCost + x - sx
			if x >= n && y >= m {
				d.work = work
				d.retrace(trace, e, k, ao, bo)
				return true
			}
			if work < 0 {
				d.work = work
				return false
			}
		}
		trace = append(trace, -1)
	}
	d.work = work
	return false
}

// retrace appends to d.matches the snakes of the path that forward found
// ending in round e on diagonal k.
func (d *differ) retrace(trace []int32, e, k, ao, bo int) {
	start := len(d.matches)
	for ; e >= 0; e-- {
		round := 2 + e*(e+5)/2 // where round e starts: rounds -1 to e-1 hold 2, 3, ..., e+2
		prev := round - (e + 2)
		i := (k + e) / 2
		// The step forward took: down from k+1 if that got as far.
		x, from := int(trace[prev+i])+1, k-1
		if down := int(trace[prev+i+1]); down >= x {
			x, from = down, k+1
		}
		if end := int(trace[round+1+i]); end > x {
			d.matches = append(d.matches, match{a: ao + x, b: bo + x - k, n: end - x})
		}
		k = from
	}
	// The snakes came last first; put them in order, joining them to what
	// precedes.
	runs := d.matches[start:]
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	d.matches = d.matches[:start]
	for _, r := range runs {
		d.addMatch(r.a, r.b, r.n)
	}
}

// middleSnake returns the snake from (x0, y0) to (x1, y1), possibly empty,
// in the middle of a shortest edit script turning a into b, and the number
// of edits before and after it. a and b must be non-empty and differ in
// their first and in their last elements, so that the script has at least
// two edits and each side of the snake is shorter. It reports false if the
// script is longer than d.maxEdits or d.work runs out.
//
// The forward search runs from (0, 0) and the backward one from the end,
// in turns, each one edit further per round; the first time a forward
// path reaches as far along a diagonal as a backward one, together they
// make a shortest script (Myers' lemma 3), and the last snake found is its
// middle.
//
// With d.split set, a search that has not met after d.split rounds stops
// there, and middleSnake returns instead the point either search got
// furthest to (the most elements behind it), as an empty snake: the script
// through it may not be shortest, but each side of it is a smaller
// problem, and the side the search came from has at most d.split edits.
// This is the heuristic GNU diff uses when a diff gets too expensive.
func middleSnake[T comparable](d *differ, a, b []T) (x0, y0, x1, y1, before, after int, ok bool) {
	n, m := len(a), len(b)
	delta := n - m // the diagonal the end is on
	// Every script has at least |delta| edits.
	if delta > d.maxEdits || -delta > d.maxEdits {
		return 0, 0, 0, 0, 0, 0, false
	}
	// A script of D edits shows up after ceil(D/2) rounds, and no script
	// has more than n+m edits.
	rounds := min((n+m+1)/2, (d.maxEdits+1)/2)
	if d.split > 0 {
		rounds = min(rounds, d.split)
	}
	// fwd[off+k] is the furthest x on diagonal k from the start;
	// back[off+c] the furthest u on diagonal c of the reversed problem,
	// where u = n-x and c = delta-k. The entries just outside each
	// round's diagonals are set to -1, so that its ends need no special
	// case.
	size := 2*rounds + 5
	if len(d.fwd) < size {
		d.fwd, d.back = make([]int, size), make([]int, size)
	}
	fwd, back, off := d.fwd, d.back, rounds+2
	work := d.work
	odd := delta%2 != 0
	for e := 0; e <= rounds; e++ {
		// With delta odd, a forward path on diagonal k may meet the
		// backward search, which has made e-1 rounds, on reversed
		// diagonal delta-k in -(e-1)..e-1; then the script has 2e-1
		// edits, e of them before the snake. With delta even, a backward
		// path on c may meet the forward search, which has made e rounds,
		// on delta-c in -e..e; then the script has 2e edits, e of them
		// after the snake. Out of range, klo > khi and clo > chi.
		klo, khi, clo, chi := 1, 0, 1, 0
		if odd {
			klo, khi = max(-e, delta-(e-1)), min(e, delta+(e-1))
		} else {
			clo, chi = max(-e, delta-e), min(e, delta+e)
		}
		fwd[off-e-1], fwd[off+e+1] = -1, -1
		if e == 0 {
			fwd[off+1] = 0 // as if a step down had led to (0, 0)
		}
		for k := -e; k <= e; k += 2 {
			// Step down from diagonal k+1 or right from k-1, whichever
			// gets further.
			x := furthest(fwd[off+k+1], fwd[off+k-1]+1)
			y := x - k
			sx, sy := x, y
			// (Comparing as uint checks both ends, so the compiler drops
			// its own bounds checks.)
			for uint(x) < uint(len(a)) && uint(y) < uint(len(b)) && a[x] == b[y] {
				x, y = x+1, y+1
			}
			fwd[off+k] = x
			work -= diagonalCost + x - sx
			if klo <= k && k <= khi && x >= n-back[off+delta-k] {
				d.work = work
				return sx, sy, x, y, e, e - 1, true
			}
			if work < 0 {
				d.work = work
				return 0, 0, 0, 0, 0, 0, false
			}
		}
		back[off-e-1], back[off+e+1] = -1, -1
		if e == 0 {
			back[off+1] = 0
		}
		for c := -e; c <= e; c += 2 {
			u := furthest(back[off+c+1], back[off+c-1]+1)
			v := u - c
			su, sv := u, v
			// i and j index the elements of a and b before (n-u, m-v).
			i, j := n-1-u, m-1-v
			for uint(i) < uint(len(a)) && uint(j) < uint(len(b)) && a[i] == b[j] {
				i, j = i-1, j-1
			}
			u, v = n-1-i, m-1-j
			back[off+c] = u
			work -= diagonalCost + u - su
			if clo <= c && c <= chi && fwd[off+delta-c] >= n-u {
				d.work = work
				return n - u, m - v, n - su, m - sv, e, e, true
			}
			if work < 0 {
				d.work = work
				return 0, 0, 0, 0, 0, 0, false
			}
		}
		if d.split > 0 && e == d.split {
			d.work = work
			return furthestPoint(fwd, back, off, e, n, m)
		}
	}
	d.work = work
	return 0, 0, 0, 0, 0, 0, false
}

// furthestPoint returns, as an empty snake, the point inside the grid
// that the forward or the backward search of middleSnake got furthest to
// after e rounds, with at most e edits on the side it came from and an
// unknown number on the other. It reports false if there is none but the
// start and the end.
func furthestPoint(fwd, back []int, off, e, n, m int) (x0, y0, x1, y1, before, after int, ok bool) {
	best, bx, by, forward := 0, 0, 0, true
	for k := -e; k <= e; k += 2 {
		if x, y := fwd[off+k], fwd[off+k]-k; x <= n && y <= m && x+y > best && x+y < n+m {
			best, bx, by, forward = x+y, x, y, true
		}
		if u, v := back[off+k], back[off+k]-k; u <= n && v <= m && u+v > best && u+v < n+m {
			best, bx, by, forward = u+v, n-u, m-v, false
		}
	}
	switch {
	case best == 0:
		return 0, 0, 0, 0, 0, 0, false
	case forward:
		return bx, by, bx, by, e, longScript, true
	}
	return bx, by, bx, by, longScript, e, true
}

// furthest returns max(down, right) without a branch, which would be
// mispredicted half the time: which step gets further is a coin toss.
func furthest(down, right int) int {
	diff := right - down
	return down + diff&^(diff>>63)
}
