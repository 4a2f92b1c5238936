package textot

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// checkDiff fails the test unless Diff(a, b) is a valid op in normal form
// that turns a into b, and returns it.
func checkDiff(t testing.TB, a, b string) Op {
	t.Helper()
	return checkDiffWith(t, &differ{maxEdits: diffMaxEdits, budget: diffBudget, lineBudget: diffLineBudget, lineSplit: diffLineSplit}, a, b)
}

func checkDiffWith(t testing.TB, d *differ, a, b string) Op {
	t.Helper()
	op := d.diff(a, b)
	if err := Validate(op); err != nil {
		t.Fatalf("Diff(%.200q, %.200q) = %.300v: %v", a, b, op, err)
	}
	if !isNormal(op) || op == nil {
		t.Fatalf("Diff(%.200q, %.200q) = %.300v is not in normal form", a, b, op)
	}
	got, err := Apply(a, op)
	if err != nil || got != b {
		t.Fatalf("Diff(%.200q, %.200q) = %.300v, which gives %.200q, %v", a, b, op, got, err)
	}
	return op
}

// edited returns how many code points op inserts and deletes.
func edited(op Op) int {
	n := 0
	for _, c := range op {
		if c.kind != KindSkip {
			n += c.n
		}
	}
	return n
}

func TestDiffCases(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want Op // nil to check only that the op works
	}{
		{"", "", Op{}},
		{"same", "same", Op{}},
		{"", "new", Op{Insert("new")}},
		{"old", "", Op{Delete(3)}},
		{"abc", "abXc", Op{Skip(2), Insert("X")}},
		{"abXc", "abc", Op{Skip(2), Delete(1)}},
		{"aa", "aaa", Op{Skip(2), Insert("a")}},
		{"aaa", "a", Op{Skip(1), Delete(2)}},
		// Shared leading or trailing bytes of different code points must
		// not be kept apart from the rest of their code point.
		{"é", "è", Op{Delete(1), Insert("è")}},
		{"xé", "xè", Op{Skip(1), Delete(1), Insert("è")}},
		{"😭", "😮", Op{Delete(1), Insert("😮")}},
		{"a😭b", "a😮b", Op{Skip(1), Delete(1), Insert("😮")}},
		{"中", "丮", Op{Delete(1), Insert("丮")}},
		{"é😭", "😭", Op{Delete(1)}},
		{"𝔸𝔹𝔸", "𝔸𝔸", Op{Skip(1), Delete(1)}},
		{"the cat sat", "the bat sat", Op{Skip(4), Delete(1), Insert("b")}},
		{"abcabba", "cbabac", nil},
		{"line 1\nline 2\nline 3\n", "line 1\nline two\nline 3\nline 4\n", nil},
	} {
		op := checkDiff(t, c.a, c.b)
		if c.want != nil && !equalOps(op, c.want) {
			t.Errorf("Diff(%q, %q) = %v, want %v", c.a, c.b, op, c.want)
		}
	}
}

// TestDiffInvalidUTF8 checks that invalid input does not panic, and that
// the op is still right when only the bytes common to both are invalid.
func TestDiffInvalidUTF8(t *testing.T) {
	for _, c := range [][2]string{
		{"\xff", "a"}, {"a\xffb", "a\xfeb"}, {"\xe4\xb8", "\xe4\xb8\xad"}, {"é\x80x", "é\x80y"},
		{"\xed\xa0\x80", "\xed\xa0"}, {"a\xf0\x9f\x98", "\xf0\x9f\x98\xad"}, {"\x80\x80", "\x80"},
		{"ab\xff", "ab\xffcd"}, {"\xff日本", "\xff日x本"},
	} {
		op := Diff(c[0], c[1])
		if utf8.ValidString(c[1]) {
			if err := Validate(op); err != nil {
				t.Errorf("Diff(%q, %q) = %v: %v", c[0], c[1], op, err)
			}
		}
	}
	if op := Diff("a\xffb", "a\xffc"); !equalOps(op, Op{Skip(2), Delete(1), Insert("c")}) {
		t.Errorf("Diff with a common invalid byte = %v", op)
	}
}

// mutate returns s with up to edits random changes of up to size code
// points each, using alpha for new text.
func mutate(rng *rand.Rand, s string, alpha []rune, edits, size int) string {
	rs := []rune(s)
	for range 1 + rng.IntN(edits) {
		at := rng.IntN(len(rs) + 1)
		del := min(rng.IntN(size+1), len(rs)-at)
		ins := []rune(randText(rng, alpha, rng.IntN(size+1)))
		rs = slices.Replace(rs, at, at+del, ins...)
	}
	return string(rs)
}

// TestDiffRandom diffs random pairs: edited copies, unrelated strings,
// empty and identical ones, in every alphabet.
func TestDiffRandom(t *testing.T) {
	rng := newRand(11)
	for i := range 4000 {
		alpha := docAlphabets[i%len(docAlphabets)]
		if i%7 == 0 {
			alpha = alphabets["mixed"]
		}
		a := randDoc(rng, alpha, []int{0, 5, 40, 400}[i%4])
		var b string
		switch rng.IntN(5) {
		case 0:
			b = randDoc(rng, alpha, 60)
		case 1:
			b = a
		default:
			b = mutate(rng, a, alpha, 6, 5)
		}
		if rng.IntN(2) == 0 {
			a, b = b, a
		}
		op := checkDiff(t, a, b)
		if a == b && len(op) != 0 {
			t.Fatalf("Diff of equal strings %q = %v", a, op)
		}
	}
}

// lcs returns the length of the longest common subsequence of a and b, by
// dynamic programming.
func lcs(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			default:
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestDiffMinimal checks on small random pairs, over small alphabets where
// many alignments tie, that Diff inserts and deletes no more code points
// than it must: len(a)+len(b)-2*LCS(a, b).
func TestDiffMinimal(t *testing.T) {
	rng := newRand(12)
	small := [][]rune{[]rune("ab"), []rune("abc"), []rune("aé😭"), []rune("x中\n"), []rune("abcdefgh")}
	for i := range 20000 {
		alpha := small[i%len(small)]
		a := randDoc(rng, alpha, 1+i%16)
		b := randDoc(rng, alpha, 1+i%13)
		if i%3 == 0 {
			b = mutate(rng, a, alpha, 3, 3)
		}
		checkMinimal(t, a, b)
	}
	// Longer ones, whose scripts are split at their middle snake, over and
	// over.
	for i := range 300 {
		alpha := small[i%len(small)]
		a := randDoc(rng, alpha, 300)
		b := mutate(rng, a, alpha, 40, 4)
		if i%3 == 0 {
			b = randDoc(rng, alpha, 300)
		}
		checkMinimal(t, a, b)
	}
}

func checkMinimal(t *testing.T, a, b string) {
	t.Helper()
	op := checkDiff(t, a, b)
	ra, rb := []rune(a), []rune(b)
	if got, want := edited(op), len(ra)+len(rb)-2*lcs(ra, rb); got != want {
		t.Fatalf("Diff(%q, %q) = %v edits %d code points, want %d", a, b, op, got, want)
	}
}

// TestDiffFallback diffs with tiny limits, so that the line diff, the
// refinement of changed lines and the replacement of the middle all run,
// and checks the ops still work.
func TestDiffFallback(t *testing.T) {
	rng := newRand(13)
	limits := []differ{
		{maxEdits: 2, budget: 1 << 20, lineBudget: 1 << 20, lineSplit: 1},
		{maxEdits: 8, budget: 30, lineBudget: 200, lineSplit: 2},
		{maxEdits: 1000, budget: 5, lineBudget: 1 << 20, lineSplit: 3},
		{maxEdits: 4, budget: 50, lineBudget: 40, lineSplit: 0},
		{maxEdits: 0, budget: 0, lineBudget: 0},
	}
	for i := range 4000 {
		alpha := docAlphabets[i%len(docAlphabets)]
		alpha = append(slices.Clone(alpha), '\n', '\n')
		a := randDoc(rng, alpha, 200)
		b := mutate(rng, a, alpha, 8, 6)
		if i%5 == 0 {
			b = randDoc(rng, alpha, 200)
		}
		d := limits[i%len(limits)]
		op := checkDiffWith(t, &d, a, b)
		// However coarse, the op never touches the common ends.
		p, s := commonEnds(a, b)
		if limit := runeLen(a) + runeLen(b) - runeLen(a[:p]) - runeLen(b[:p]) - 2*runeLen(a[len(a)-s:]); edited(op) > limit {
			t.Fatalf("Diff(%q, %q) = %v edits %d code points, more than the %d between the common ends", a, b, op, edited(op), limit)
		}
	}
}

// scatter returns doc with n small edits spread over it.
func scatter(rng *rand.Rand, doc string, alpha []rune, n int) string {
	rs := []rune(doc)
	var sb strings.Builder
	at := 0
	for _, p := range sortedPositions(rng, len(rs), n) {
		if p < at {
			continue
		}
		sb.WriteString(string(rs[at:p]))
		at = min(p+rng.IntN(4), len(rs))
		sb.WriteString(randText(rng, alpha, rng.IntN(4)))
	}
	sb.WriteString(string(rs[at:]))
	return sb.String()
}

func sortedPositions(rng *rand.Rand, length, n int) []int {
	ps := make([]int, n)
	for i := range ps {
		ps[i] = rng.IntN(length + 1)
	}
	slices.Sort(ps)
	return ps
}

// TestDiffLarge diffs a 1 MiB document against copies with one change,
// scattered small changes (few enough for a code point diff, and too many),
// and against an unrelated document, logging how long each takes.
func TestDiffLarge(t *testing.T) {
	rng := newRand(14)
	line := "le renard brun rapide 🦊 saute 中文 über 𝔸 den faulen Hund\n"
	doc := strings.Repeat(line, (1<<20)/len(line))
	// Make the lines differ, as real text does.
	doc = scatter(rng, doc, []rune("0123456789"), 3000)
	alpha := docAlphabets[4]
	oneChange := []rune(doc)
	oneChange[len(oneChange)/3] = '!'
	unrelated := strings.Repeat("the quick brown fox jumps over the lazy dog\n", (1<<20)/44)
	for _, c := range []struct {
		name string
		b    string
	}{
		{"one change", string(oneChange)},
		{"50 changes", scatter(rng, doc, alpha, 50)},
		{"500 changes", scatter(rng, doc, alpha, 500)},
		{"5000 changes", scatter(rng, doc, alpha, 5000)},
		{"unrelated", unrelated},
		{"unrelated random", randText(rng, alpha, 1<<18)},
	} {
		start := time.Now()
		op := Diff(doc, c.b)
		elapsed := time.Since(start)
		checkDiff(t, doc, c.b)
		t.Logf("%s: %d and %d bytes, diff in %v: %d components, %d code points inserted or deleted",
			c.name, len(doc), len(c.b), elapsed, len(op), edited(op))
		if c.name == "one change" && len(op) != 3 {
			t.Errorf("one change gave %d components: %.200v", len(op), op)
		}
	}
}

// FuzzDiff checks that Diff turns any valid a into any valid b with a
// valid op in normal form, and does not panic on invalid input.
func FuzzDiff(f *testing.F) {
	f.Add("", "")
	f.Add("hello world", "hello, world")
	f.Add("abcabba", "cbabac")
	f.Add("é😭中\n", "😭é\n中")
	f.Add("line 1\nline 2\n", "line 1\nline 2 changed\nline 3\n")
	f.Add("a\xffb", "a\xfeb")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			Diff(a, b)
			return
		}
		op := checkDiff(t, a, b)
		if a == b && len(op) != 0 {
			t.Fatalf("Diff of equal strings %q = %v", a, op)
		}
		// Tiny limits, to fuzz the fallbacks too.
		checkDiffWith(t, &differ{maxEdits: 2, budget: 20, lineBudget: 100, lineSplit: 1}, a, b)
	})
}
