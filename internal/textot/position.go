package textot

// TransformPosition returns where a cursor at pos (in code points) ends up
// after op is applied. This is ot-text-unicode's transformPosition, and its
// rule for ties is:
//
//   - an insert strictly before the cursor pushes it right by the inserted
//     length;
//   - an insert exactly at the cursor does not move it: the cursor stays
//     before the new text. ot-text-unicode 4.0.0 makes no exception for the
//     cursor owner's own op (the older ot-text's transformSelection had an
//     isOwnOp flag that moved the cursor to the end of the op; this type
//     dropped it), so a client moves its own cursor past its own insert
//     itself;
//   - a delete before the cursor pulls it left, and a delete that covers
//     the cursor moves it to the start of the deleted range.
//
// TransformPosition does not check op against a document and never fails:
// components that Validate rejects count as nothing, and positions beyond
// the end of the document are shifted like any other.
func TransformPosition(pos int, op Op) int {
	at := 0 // position in the new document reached by the components so far
	for _, c := range op {
		// Once the components reach the cursor nothing after can move it;
		// stopping here is what keeps an insert at the cursor behind it.
		if pos <= at {
			break
		}
		if c.n <= 0 {
			continue
		}
		switch c.kind {
		case KindSkip:
			at += c.n
		case KindInsert:
			at += c.n
			pos += c.n
		case KindDelete:
			pos -= min(c.n, pos-at)
		}
	}
	return pos
}
