package gcsfiles

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/services/files"
)

// DefaultIgnoreDirs are directories that are rebuilt, not persisted.
var DefaultIgnoreDirs = []string{"node_modules", "__pycache__", "venv"}

// Config is what every gcsfiles channel shares.
type Config struct {
	Files      files.Config
	Bucket     *storage.Bucket
	IgnoreDirs []string // nil means DefaultIgnoreDirs
}

// Descriptor registers the service with cfg.
func Descriptor(cfg Config) services.Descriptor {
	if cfg.IgnoreDirs == nil {
		cfg.IgnoreDirs = DefaultIgnoreDirs
	}
	return services.Descriptor{Name: "gcsfiles", Writes: files.Writes.With("persist", "persistMirror"), New: func(ch services.Channel) (services.Service, error) {
		if cfg.Bucket == nil || cfg.Files.Dir == nil {
			return nil, errors.New("gcsfiles: no storage configured")
		}
		g := &gcsfiles{ch: ch}
		g.p = &persister{dir: cfg.Files.Dir, bucket: cfg.Bucket, ignore: ignoreSet(cfg.IgnoreDirs), ctx: ch.Context()}
		g.h = files.NewHandler(cfg.Files, ch, g.p)
		return g, nil
	}}
}

type gcsfiles struct {
	ch services.Channel
	h  *files.Handler
	p  *persister
}

func (g *gcsfiles) Detach(s services.Session) { g.h.Detach(s) }
func (g *gcsfiles) Close()                    { g.h.Close() }

func (g *gcsfiles) Command(s services.Session, cmd *api.Command) error {
	if handled, err := g.h.Command(s, cmd); handled {
		return err
	}
	var err error
	switch b := cmd.Body.(type) {
	case *api.Command_Persist:
		err = g.p.persist(b.Persist.GetPath(), false)
	case *api.Command_PersistMirror:
		err = g.p.persist(b.PersistMirror.GetPath(), true)
	default:
		return fmt.Errorf("gcsfiles takes %s, persist and persistMirror, not %s", files.Ops, services.BodyName(cmd))
	}
	if err != nil {
		return err
	}
	services.Reply(g.ch, s, cmd, services.OK())
	return nil
}
