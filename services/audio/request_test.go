package audio

import (
	"slices"
	"strings"
	"testing"
)

// Documents are cut out of whatever the pipe delivers: split across
// reads, run together, with or without newlines, garbage between.
func TestSplitter(t *testing.T) {
	var s splitter
	var docs, junk []string
	feed := func(p string) {
		d, g := s.feed([]byte(p))
		for _, x := range d {
			docs = append(docs, string(x))
		}
		for _, x := range g {
			junk = append(junk, string(x))
		}
	}
	feed(`{"File": "a.wav"}{"File"`)
	feed(`: "b {}\" }.wav"}` + "\n")
	feed(`oops {"ID": 1, "Args": {"Path": "x"}}`)
	feed("  \n")
	want := []string{`{"File": "a.wav"}`, `{"File": "b {}\" }.wav"}`, `{"ID": 1, "Args": {"Path": "x"}}`}
	if !slices.Equal(docs, want) {
		t.Fatalf("docs %q, want %q", docs, want)
	}
	if !slices.Equal(junk, []string{"oops "}) {
		t.Fatalf("garbage %q", junk)
	}
	if len(s.buf) != 0 {
		t.Fatalf("left %q", s.buf)
	}
}

// An object that never closes is dropped once it passes maxDoc, and the
// objects after its first brace are found again.
func TestSplitterDropsRunawayDocuments(t *testing.T) {
	var s splitter
	docs, junk := s.feed([]byte(`{"Files": [` + strings.Repeat("1,", maxDoc/2)))
	if len(junk) == 0 || len(docs) != 0 {
		t.Fatalf("docs %q, junk %d", docs, len(junk))
	}
	if len(s.buf) > 0 {
		t.Fatalf("holding %d bytes", len(s.buf))
	}
	docs, _ = s.feed([]byte(`{"Files": [{"File": "inner.wav"}, ` + strings.Repeat(" ", maxDoc) + `{"File": "next.wav"}`))
	want := []string{`{"File": "inner.wav"}`, `{"File": "next.wav"}`}
	if len(docs) != 2 || string(docs[0]) != want[0] || string(docs[1]) != want[1] {
		t.Fatalf("after the runaway document: %q", docs)
	}
}

func TestParseRequest(t *testing.T) {
	for doc, want := range map[string]string{
		`{"File": "a.wav"}`:                          "",
		`{"Args": {"Path": "a.wav"}, "Type": "wav"}`: "",
		`{"ID": 3, "Volume": 0}`:                     "",
		`{"Volume": 1}`:                              `a request needs "File"`,
		`{"File": "a.wav", "Volume": -0.5}`:          "volume -0.5",
		`{"File": "a.wav", "Volume": 1e9}`:           "volume 1e+09",
		`{"Type": "tone"}`:                           "a tone needs",
		`{"Type": "tone", "Args": {"Pitch": 440, "Seconds": 1, "WaveType": 9}}`: "WaveType 9",
		`{"File": 1}`: "not a request",
	} {
		_, err := parseRequest([]byte(doc))
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", doc, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

// FuzzSplitter: whatever is written to the pipe, every document returned
// is one balanced object (which JSON may still refuse), the buffer stays bounded and nothing panics.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte(`{"File": "a.wav"}garbage{"ID": 1}`), 7)
	f.Add([]byte(`{"File": "\"}{"`), 3)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		var s splitter
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		var docs [][]byte
		d, _ := s.feed(data[:cut])
		docs = append(docs, d...)
		d, _ = s.feed(data[cut:])
		docs = append(docs, d...)
		for _, doc := range docs {
			if end, ok := objectEnd(doc); doc[0] != '{' || !ok || end != len(doc) {
				t.Fatalf("document %q is not one balanced object", doc)
			}
			_, _ = parseRequest(doc)
		}
		if len(s.buf) > maxDoc+len(data) {
			t.Fatalf("buffer %d", len(s.buf))
		}
	})
}
