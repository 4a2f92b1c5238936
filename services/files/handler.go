package files

import (
	"errors"
	"hash/crc32"

	"golang.org/x/sync/semaphore"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/bufpool"
	"github.com/pid1/pid1/internal/fsroot"
)

// readBufs holds buffers for read replies, so that reading a large file
// does not cost a fresh buffer (cold memory, and garbage) each time; the
// files rows of `make bench` measure it.
var readBufs = bufpool.Pool{Max: 4 << 20}

// readMemory bounds the bytes of files that reads hold at once across
// pid1 (each also holds its encoded reply until it is queued, where the
// hub's memory budget takes over), so that many clients asking for large
// files at once cannot grow pid1 by the sum of them.
var readMemory = semaphore.NewWeighted(readMemoryLimit)

// readMemoryLimit is readMemory's bound; readReserve is what a read of a
// file whose size is not known yet takes.
const (
	readMemoryLimit = 32 << 20
	readReserve     = 64 << 10
)

// Handler carries out file commands for one channel. Its methods run on
// the channel's actor.
type Handler struct {
	cfg       Config
	ch        services.Channel
	mirror    Mirror
	transfers map[string]*transfer
	nextID    uint64
}

// NewHandler returns a handler replying on ch; mirror may be nil.
func NewHandler(cfg Config, ch services.Channel, mirror Mirror) *Handler {
	if cfg.MaxTransfer <= 0 {
		cfg.MaxTransfer = DefaultMaxTransfer
	}
	return &Handler{cfg: cfg, ch: ch, mirror: mirror, transfers: map[string]*transfer{}}
}

// Dir is the workspace the handler works on.
func (h *Handler) Dir() *fsroot.Dir { return h.cfg.Dir }

// Command handles cmd if it is a file command; handled is false otherwise.
// A non-nil error is to be sent to s with cmd's ref.
func (h *Handler) Command(s services.Session, cmd *api.Command) (handled bool, err error) {
	d := h.cfg.Dir
	switch b := cmd.Body.(type) {
	case *api.Command_Read:
		// A file being read and its encoded reply are held at once, by
		// every channel reading at the same time: bound the sum.
		n := int64(readReserve)
		if info, exists, err := d.Stat(b.Read.GetPath()); err == nil && exists {
			n = min(max(info.Size, 1), readMemoryLimit)
		}
		if err := readMemory.Acquire(h.ch.Context(), n); err != nil {
			return true, err
		}
		defer readMemory.Release(n)
		data, err := d.ReadInto(b.Read.GetPath(), readBufs.Get())
		if err != nil {
			return true, err
		}
		defer readBufs.Put(data)
		c, _ := fsroot.Clean(b.Read.GetPath())
		// Send is done with the reply when it returns, so the buffer can
		// go back to the pool.
		h.reply(s, cmd, &api.Command{Body: &api.Command_File{File: &api.File{Path: c, Content: data}}})
	case *api.Command_Write:
		if b.Write.GetPath() == "" {
			return true, errors.New(`write needs a path, e.g. { write: { path: "notes.txt", content: "hi" } }`)
		}
		return true, h.done(s, cmd, d.Write(b.Write.GetPath(), b.Write.GetContent()), h.wrote(b.Write.GetPath()))
	case *api.Command_Remove:
		return true, h.done(s, cmd, d.Remove(b.Remove.GetPath()), h.removed(b.Remove.GetPath()))
	case *api.Command_TryRemove:
		return true, h.done(s, cmd, d.TryRemove(b.TryRemove.GetPath()), h.removed(b.TryRemove.GetPath()))
	case *api.Command_Move:
		from, to := b.Move.GetOldPath(), b.Move.GetNewPath()
		if from == "" || to == "" {
			return true, errors.New(`move needs oldPath and newPath, e.g. { move: { oldPath: "a.txt", newPath: "b.txt" } }`)
		}
		return true, h.done(s, cmd, d.Move(from, to), func() error {
			if h.mirror == nil {
				return nil
			}
			return h.mirror.Moved(clean(from), clean(to))
		})
	case *api.Command_Mkdir:
		return true, h.done(s, cmd, d.Mkdir(b.Mkdir.GetPath()), nil)
	case *api.Command_Readdir:
		return true, h.readdir(s, cmd, b.Readdir.GetPath())
	case *api.Command_Stat:
		return true, h.stat(s, cmd, b.Stat.GetPath())
	case *api.Command_TransferStart:
		return true, h.transferStart(s, cmd, b.TransferStart)
	case *api.Command_TransferChunk:
		return true, h.transferChunk(s, cmd, b.TransferChunk)
	case *api.Command_TransferComplete:
		return true, h.transferComplete(s, cmd, b.TransferComplete)
	case *api.Command_TransferCancel:
		return true, h.transferCancel(s, cmd, b.TransferCancel.GetId())
	case *api.Command_CheckChanges:
		return true, errors.New("checkChanges is deprecated: subscribe to changes with the fsevents service")
	default:
		return false, nil
	}
	return true, nil
}

func clean(p string) string {
	c, _ := fsroot.Clean(p)
	return c
}

func (h *Handler) wrote(p string) func() error {
	if h.mirror == nil {
		return nil
	}
	return func() error { return h.mirror.Wrote(clean(p)) }
}

func (h *Handler) removed(p string) func() error {
	if h.mirror == nil {
		return nil
	}
	return func() error { return h.mirror.Removed(clean(p)) }
}

// done replies ok when err is nil and the mirror (if any) agrees.
func (h *Handler) done(s services.Session, cmd *api.Command, err error, mirror func() error) error {
	if err != nil {
		return err
	}
	if mirror != nil {
		if err := mirror(); err != nil {
			return err
		}
	}
	h.reply(s, cmd, services.OK())
	return nil
}

func (h *Handler) reply(s services.Session, req, body *api.Command) {
	services.Reply(h.ch, s, req, body)
}

func (h *Handler) readdir(s services.Session, cmd *api.Command, p string) error {
	es, err := h.cfg.Dir.ReadDir(p)
	if err != nil {
		return err
	}
	out := make([]*api.File, len(es))
	for i, e := range es {
		out[i] = &api.File{Path: e.Name, Type: fileType(e.Dir)}
	}
	h.reply(s, cmd, &api.Command{Body: &api.Command_Files{Files: &api.Files{Files: out}}})
	return nil
}

func (h *Handler) stat(s services.Session, cmd *api.Command, p string) error {
	info, exists, err := h.cfg.Dir.Stat(p)
	if err != nil {
		return err
	}
	res := &api.StatResult{Exists: exists}
	if exists {
		res.Type = fileType(info.Dir)
		res.Size = info.Size
		res.FileMode = info.Mode.String()
		res.ModTime = info.ModTime.Unix()
	}
	h.reply(s, cmd, &api.Command{Body: &api.Command_StatRes{StatRes: res}})
	return nil
}

func fileType(dir bool) api.File_Type {
	if dir {
		return api.File_DIRECTORY
	}
	return api.File_REGULAR
}

// Detach cancels the transfers s left unfinished.
func (h *Handler) Detach(s services.Session) {
	for id, t := range h.transfers {
		if t.owner == s.ID {
			t.w.Abort()
			delete(h.transfers, id)
		}
	}
}

// Close cancels every unfinished transfer.
func (h *Handler) Close() {
	for id, t := range h.transfers {
		t.w.Abort()
		delete(h.transfers, id)
	}
}

var crcTable = crc32.IEEETable
