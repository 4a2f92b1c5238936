package files

import (
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"strconv"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
)

// transfer is one chunked upload in progress.
type transfer struct {
	owner int32 // the session that started it
	path  string
	size  int64 // declared size; 0 if unknown
	w     *fsroot.Pending
	crc   hash.Hash32
}

func (h *Handler) transferStart(s services.Session, cmd *api.Command, ts *api.TransferStart) error {
	switch {
	case ts.GetPath() == "":
		return errors.New(`transferStart needs a path, e.g. { transferStart: { path: "big.bin", size: 1048576 } }`)
	case ts.GetSize() < 0:
		return fmt.Errorf("transferStart: size %d is negative", ts.GetSize())
	case ts.GetSize() > h.cfg.MaxTransfer:
		return fmt.Errorf("transferStart %s: %s is more than the %s a transfer may write",
			ts.GetPath(), fsroot.Size(ts.GetSize()), fsroot.Size(h.cfg.MaxTransfer))
	case len(h.transfers) >= maxTransfers:
		return fmt.Errorf("transferStart: %d transfers are already open on this channel; complete or cancel one first", maxTransfers)
	}
	w, err := h.cfg.Dir.Create(ts.GetPath())
	if err != nil {
		return err
	}
	h.nextID++
	id := strconv.FormatUint(h.nextID, 10)
	h.transfers[id] = &transfer{owner: s.ID, path: clean(ts.GetPath()), size: ts.GetSize(), w: w, crc: crc32.New(crcTable)}
	h.reply(s, cmd, &api.Command{Body: &api.Command_Transfer{Transfer: &api.Transfer{Id: id}}})
	return nil
}

func (h *Handler) lookup(s services.Session, op, id string) (*transfer, error) {
	t, ok := h.transfers[id]
	if !ok || t.owner != s.ID {
		return nil, fmt.Errorf("%s: no transfer %q is open (start one with transferStart)", op, id)
	}
	return t, nil
}

func (h *Handler) transferChunk(s services.Session, cmd *api.Command, tc *api.TransferChunk) error {
	t, err := h.lookup(s, "transferChunk", tc.GetId())
	if err != nil {
		return err
	}
	limit := h.cfg.MaxTransfer
	if t.size > 0 {
		limit = t.size
	}
	if t.w.Written()+int64(len(tc.GetContent())) > limit {
		h.abort(tc.GetId())
		return fmt.Errorf("transferChunk %s: the data passes the %s the transfer may write; the transfer was cancelled",
			t.path, fsroot.Size(limit))
	}
	if _, err := t.w.Write(tc.GetContent()); err != nil {
		h.abort(tc.GetId())
		return fmt.Errorf("transferChunk %s: %w; the transfer was cancelled", t.path, err)
	}
	t.crc.Write(tc.GetContent())
	h.reply(s, cmd, services.OK())
	return nil
}

func (h *Handler) transferComplete(s services.Session, cmd *api.Command, tc *api.TransferComplete) error {
	t, err := h.lookup(s, "transferComplete", tc.GetId())
	if err != nil {
		return err
	}
	delete(h.transfers, tc.GetId())
	if t.size > 0 && t.w.Written() != t.size {
		t.w.Abort()
		return fmt.Errorf("transferComplete %s: %d bytes arrived but transferStart announced %d; nothing was written",
			t.path, t.w.Written(), t.size)
	}
	if got := t.crc.Sum32(); got != tc.GetCrc32() {
		t.w.Abort()
		return fmt.Errorf("transferComplete %s: crc32 mismatch: the data has %d, the client sent %d; nothing was written",
			t.path, got, tc.GetCrc32())
	}
	return h.done(s, cmd, t.w.Commit(), h.wrote(t.path))
}

func (h *Handler) transferCancel(s services.Session, cmd *api.Command, id string) error {
	if _, err := h.lookup(s, "transferCancel", id); err != nil {
		return err
	}
	h.abort(id)
	h.reply(s, cmd, services.OK())
	return nil
}

func (h *Handler) abort(id string) {
	if t, ok := h.transfers[id]; ok {
		t.w.Abort()
		delete(h.transfers, id)
	}
}
