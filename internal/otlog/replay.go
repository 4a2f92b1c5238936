package otlog

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/internal/textot"
)

// checkpoints is about how many times Replay checks the text's CRC-32
// against a record: each check reads the whole text, so checking after
// every one of many small edits of a large text would take long.
const checkpoints = 256

// Replay applies the entries to the base. It returns the text on disk and
// the buffer's text after the last entry it could check, and how many
// entries that is. An entry whose version does not follow, whose op does
// not apply, or after which the text's CRC-32 differs from the record's
// stops it: err says which, and the texts are those of the last entry
// whose CRC-32 was checked (the base, if none was).
func (p Parsed) Replay() (disk, text []byte, applied int, err error) {
	d, errD := textot.NewDoc(string(p.Base.Disk))
	t, errT := textot.NewDoc(string(p.Base.Text))
	if errD != nil || errT != nil {
		return p.Base.Disk, p.Base.Text, 0, errors.New("the base record's text is not UTF-8")
	}
	good := struct {
		disk, text []byte
		n          int
	}{p.Base.Disk, p.Base.Text, 0}
	every := max(1, len(p.Entries)/checkpoints)
	version := p.Base.Version
	for i, e := range p.Entries {
		err := applyEntry(d, t, version, e)
		if err == nil && ((i+1)%every == 0 || i == len(p.Entries)-1 || e.Disk != nil) {
			if got := t.CRC32(); got != e.CRC {
				err = fmt.Errorf("version %d: the text's CRC-32 is %08x, the record says %08x", e.Version, got, e.CRC)
			} else if e.Disk != nil && d.CRC32() != e.Disk.CRC {
				err = fmt.Errorf("version %d: the text on disk's CRC-32 is %08x, the record says %08x", e.Version, d.CRC32(), e.Disk.CRC)
			} else {
				good.disk, good.text, good.n = d.AppendTo(nil), t.AppendTo(nil), i+1
			}
		}
		if err != nil {
			return good.disk, good.text, good.n, fmt.Errorf("record %d of %d: %w", i+1, len(p.Entries), err)
		}
		version = e.Version
	}
	return good.disk, good.text, good.n, nil
}

func applyEntry(d, t *textot.Doc, version uint32, e Entry) error {
	if e.Version != version+1 {
		return fmt.Errorf("version %d follows version %d", e.Version, version)
	}
	if err := t.Apply(e.Op); err != nil {
		return fmt.Errorf("version %d: %w", e.Version, err)
	}
	if e.Disk != nil {
		if err := d.Apply(e.Disk.Op); err != nil {
			return fmt.Errorf("version %d, the change on disk: %w", e.Version, err)
		}
	}
	return nil
}
