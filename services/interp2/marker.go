package interp2

import (
	"strconv"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// markPrefix starts the mark the REPLs' prompts print: an OSC sequence no
// terminal acts on, carrying the number of the REPL that printed it (so a
// prompt still in flight from a REPL that was replaced is not taken for
// the new one's), ended by BEL.
const markPrefix = "\x1b]7717;pid1-prompt-"

// maxDigits bounds the number in a mark, so that output that only starts
// like one is not held back for long.
const maxDigits = 18

// markLiteral is the mark of REPL n as a string literal that Python and
// JavaScript both read.
func markLiteral(n int) string {
	return `'\x1b]7717;pid1-prompt-` + strconv.Itoa(n) + `\x07'`
}

// promptWatcher is told, on the channel's actor, when REPL n prompts.
type promptWatcher interface{ prompted(n int) }

// markChannel is the filter (terminal.Stack.Filter) that removes the marks
// from the output and reports each one to the service through its
// promptWatcher.
type markChannel struct {
	services.Channel
	watcher promptWatcher
	carry   string // the start of a mark cut between two messages
}

// Send runs on the actor (termed posts its output there). It sends what
// the program printed, then reports the prompt, then the prompt itself:
// as the seed shows, state Stopped comes before ">>> ".
func (m *markChannel) Send(cmd *api.Command) {
	out, ok := cmd.Body.(*api.Command_Output)
	if !ok {
		m.Channel.Send(cmd)
		return
	}
	text := m.carry + out.Output
	m.carry = ""
	emit := func(s string) {
		if s != "" {
			m.Channel.Send(&api.Command{Session: cmd.Session, Ref: cmd.Ref, Body: &api.Command_Output{Output: s}})
		}
	}
	var kept strings.Builder // text that is not a mark, scanned already
	for {
		i := strings.Index(text, markPrefix)
		if i < 0 {
			break
		}
		digits := text[i+len(markPrefix):]
		d := 0
		for d < len(digits) && d <= maxDigits && digits[d] >= '0' && digits[d] <= '9' {
			d++
		}
		switch {
		case d == len(digits) && d <= maxDigits:
			// The rest of the mark may come next.
			kept.WriteString(text[:i])
			m.carry, text = text[i:], ""
		case d > 0 && d <= maxDigits && digits[d] == '\x07':
			n, _ := strconv.Atoi(digits[:d])
			kept.WriteString(text[:i])
			emit(kept.String())
			kept.Reset()
			if m.watcher != nil {
				m.watcher.prompted(n)
			}
			text = digits[d+1:]
			continue
		default: // looks like a mark but is not one: it is output
			kept.WriteString(text[:i+len(markPrefix)])
			text = digits
			continue
		}
		break
	}
	text = kept.String() + text
	// A mark may also be cut inside its prefix.
	for k := len(markPrefix) - 1; k > 0 && m.carry == ""; k-- {
		if strings.HasSuffix(text, markPrefix[:k]) {
			m.carry, text = markPrefix[:k], text[:len(text)-k]
		}
	}
	emit(text)
}
