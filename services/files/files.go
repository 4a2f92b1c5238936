package files

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
)

// DefaultMaxTransfer is the largest file a chunked transfer may write.
const DefaultMaxTransfer = 1 << 30

// maxTransfers bounds the transfers open at once on one channel.
const maxTransfers = 16

// Config is what every files channel shares.
type Config struct {
	Dir         *fsroot.Dir
	MaxTransfer int64 // 0 means DefaultMaxTransfer
}

// Mirror is told about each change after it was made on disk; gcsfiles
// uses it to persist. An error is reported to the client.
type Mirror interface {
	Wrote(path string) error
	Removed(path string) error
	Moved(from, to string) error
}

// Descriptors registers the service as "files" and as "file".
func Descriptors(cfg Config) []services.Descriptor {
	ctor := func(ch services.Channel) (services.Service, error) {
		if cfg.Dir == nil {
			return nil, errors.New("files: no workspace configured")
		}
		return &service{h: NewHandler(cfg, ch, nil)}, nil
	}
	return []services.Descriptor{{Name: "files", New: ctor, Writes: Writes}, {Name: "file", New: ctor, Writes: Writes}}
}

// service adapts a Handler to services.Service.
type service struct{ h *Handler }

func (s *service) Detach(se services.Session) { s.h.Detach(se) }
func (s *service) Close()                     { s.h.Close() }
func (s *service) Command(se services.Session, cmd *api.Command) error {
	if handled, err := s.h.Command(se, cmd); handled {
		return err
	}
	return fmt.Errorf("files takes %s, not %s", Ops, services.BodyName(cmd))
}

// Ops lists the commands Handler understands, for error messages.
const Ops = "read, write, remove, tryRemove, move, mkdir, readdir, stat and transferStart/Chunk/Complete/Cancel"

// Writes are the file commands a read-only session may not send. A
// service built on Handler declares them, with any of its own.
var Writes = services.BodySet("write", "remove", "tryRemove", "move", "mkdir",
	"transferStart", "transferChunk", "transferComplete")
