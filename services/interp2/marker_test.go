package interp2

import (
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services"
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
