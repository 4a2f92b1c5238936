package interp2

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// recorder collects what the mark filter passes on (it stands for the
// hub's channel, which is not what is tested here).
type recorder struct {
	services.Channel
	got []string
}

func (r *recorder) Send(cmd *api.Command) { r.got = append(r.got, cmd.GetOutput()) }

type prompts_ []int

func (p *prompts_) prompted(n int) { *p = append(*p, n) }

// Marks are removed wherever messages cut them, and reported between the
// output before them and the prompt after them.
func TestMarksAcrossMessages(t *testing.T) {
	full := "main ran\r\n\x1b]7717;pid1-prompt-12\x07>>> "
	for cut := 0; cut <= len(full); cut++ {
		rec := &recorder{}
		var seen prompts_
		m := &markChannel{Channel: rec, watcher: &seen}
		var order []string
		rec2 := func() { order = append(order, strings.Join(rec.got, "")); rec.got = nil }
		m.Send(&api.Command{Body: &api.Command_Output{Output: full[:cut]}})
		rec2()
		m.Send(&api.Command{Body: &api.Command_Output{Output: full[cut:]}})
		rec2()
		if got := strings.Join(order, ""); got != "main ran\r\n>>> " {
			t.Fatalf("cut at %d: passed on %q", cut, got)
		}
		if len(seen) != 1 || seen[0] != 12 {
			t.Fatalf("cut at %d: prompts %v", cut, seen)
		}
	}
}

var validMark = regexp.MustCompile("\x1b\\]7717;pid1-prompt-[0-9]{1,18}\x07")

// FuzzMarks feeds program output (untrusted: a program may print anything,
// marks included) in two pieces: the filter never panics, never passes a
// mark on, and loses nothing but marks.
func FuzzMarks(f *testing.F) {
	f.Add("main ran\r\n\x1b]7717;pid1-prompt-12\x07>>> ", 11)
	f.Add("\x1b]7717;pid1-prompt-\x07\x1b]7717;pid1-prompt-99999999999999999999\x07", 5)
	f.Add("\x1b]7717;pid1-pro", 3)
	f.Fuzz(func(t *testing.T, text string, cut int) {
		if cut < 0 || cut > len(text) {
			cut = len(text) / 2
		}
		rec := &recorder{}
		var seen prompts_
		m := &markChannel{Channel: rec, watcher: &seen}
		m.Send(&api.Command{Body: &api.Command_Output{Output: text[:cut]}})
		m.Send(&api.Command{Body: &api.Command_Output{Output: text[cut:]}})
		m.Send(&api.Command{Body: &api.Command_Output{Output: "\n"}}) // flushes a held-back partial mark
		out := strings.Join(rec.got, "")
		// With one mark and no other escape sequence, the mark is reported
		// once and removed. (Removing a mark may join the text around it
		// into something mark-shaped; that is output like any other.)
		if strings.Count(text, "\x1b]") == 1 && len(validMark.FindAllString(text, -1)) == 1 {
			if validMark.MatchString(out) || len(seen) != 1 {
				t.Fatalf("from %q: passed on %q, prompts %v", text, out, seen)
			}
		}
		if len(out) > len(text)+1 {
			t.Fatalf("the filter added text: %q from %q", out, text)
		}
	})
}
