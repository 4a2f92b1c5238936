// Package textot is the operational-transform core for plain text: applying,
// transforming and composing text edits so that several editors can change
// the same document concurrently and still converge.
//
// # Op model
//
// An [Op] is a list of [Component]s that walk a cursor over the document
// from its start:
//
//   - [Skip](n) keeps the next n code points and moves past them;
//   - [Insert](s) inserts s at the cursor and moves past the inserted text;
//   - [Delete](n) removes the next n code points.
//
// Whatever follows the last component is kept, so an op never needs a
// trailing skip. All counts and positions are in Unicode code points, never
// bytes or UTF-16 units: "😭" is one code point although it is four bytes in
// UTF-8 and two units in a JavaScript string.
//
// An op is in normal form when it has no empty components, no two adjacent
// components of the same kind and no trailing skip. [Normalize] produces
// that form; [Transform] and [Compose] always return it, and accept any op
// that [Validate] accepts (they normalize their inputs first).
//
// Cursors are code point positions too; [TransformPosition] moves one
// across an op. An insert exactly at a cursor leaves the cursor before the
// new text, even when the cursor's owner made the insert.
//
// # Compatibility
//
// The semantics, including tie-breaking and the exact shape of transformed
// and composed ops, are those of the npm package ot-text-unicode 4.0.0
// (ShareJS's "text-unicode" type), so a JavaScript client and this package
// produce JSON-identical ops: [Op] and [Component] marshal to that package's
// JSON form ([3, "hi", {"d": 2}]). reference_test.go checks thousands of
// random cases against the real package. The differences are all about
// input that package would reject or handle loosely:
//
//   - [Apply] refuses a delete past the end of the document, which
//     ot-text-unicode silently shortens;
//   - a trailing skip and adjacent components of one kind are accepted and
//     normalized away, where ot-text-unicode throws on a trailing skip or
//     adjacent skips, and treats adjacent inserts one by one in transform;
//   - documents and inserted text must be valid UTF-8 (a JavaScript string
//     may hold a lone surrogate, which has no UTF-8 form);
//   - a delete carrying its text ({"d": "abc"}) decodes to a delete of its
//     length; ops are not invertible and there is no invert or
//     transformSelection.
//
// # Transforming against a history
//
// An op made against an old version of a document must be transformed
// against each later op in turn: for each op h in the history,
// op = Transform(op, h, Right) (a server lets the committed op win ties).
// [TransformPast] takes those steps with two reused buffers instead of a
// new op per step. Transforming once against the composition
// of the history is not equivalent: an insert that lands in text the
// history deleted and then re-filled can end up on the other side of the
// new text, so the result would disagree with what clients computed one op
// at a time.
//
// # Cost
//
// With k components and t bytes of inserted text, [Transform], [Compose] and
// [Normalize] are O(k + t) and [TransformPosition] is O(k). [Apply] on a
// string is O(len(doc) + t): it checks and copies the whole document. [Doc]
// is a gap buffer of UTF-8 for large documents, taking one byte per byte
// of text plus the gap: [Doc.Apply] costs O(k + t + g), where g is how far
// the gap moves, from the previous op's last edit to this op's first and
// on to its last, so edits near each other cost almost nothing however
// large the document. (Moving the gap walks the UTF-8 it passes to count
// code points, eight bytes at a time, starting from the gap or from the
// nearer end of the document.) [Doc.CRC32] and [Doc.AppendTo] read the
// text where it lies. [Diff] of texts of n code points that differ by D
// takes about O(n + D²) time, and a bounded time whatever they are.
//
// What each costs is measured by BenchmarkApply, BenchmarkDoc,
// BenchmarkDiff and BenchmarkTransformAgainstHistory; `make bench` reports
// the figures (bench/results.md), with ot-text-unicode in Node as the
// baseline of the transform. Apply on a string copies and validates the
// whole document, so an editor's buffer is a Doc, whose edits cost about
// the distance the gap moves; TransformPast reuses two buffers across a
// history instead of allocating per op.
package textot
