package snapshot

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/snapstore"
)

// Descriptor registers the service; every channel shares store.
func Descriptor(store *snapstore.Store) services.Descriptor {
	return services.Descriptor{Name: "snapshot", Writes: services.BodySet("fsSnapshot"), New: func(ch services.Channel) (services.Service, error) {
		if store == nil {
			return nil, errors.New("snapshot: no storage configured")
		}
		return &service{ch: ch, store: store}, nil
	}}
}

type service struct {
	ch    services.Channel
	store *snapstore.Store
}

// Command takes the snapshot off the channel's actor, so the channel keeps
// answering (and can be closed) while a large workspace is stored.
func (s *service) Command(se services.Session, cmd *api.Command) error {
	if _, ok := cmd.Body.(*api.Command_FsSnapshot); !ok {
		return fmt.Errorf("snapshot takes fsSnapshot, not %s", services.BodyName(cmd))
	}
	ctx := s.ch.Context()
	go func() {
		res, err := s.store.Take(ctx)
		reply := services.OK()
		if err != nil {
			reply = services.ErrorCommand(err.Error())
		} else {
			s.ch.Logger().Info("snapshot taken", "manifest", res.Manifest, "files", res.Files,
				"uploaded", res.Uploaded, "uploaded_bytes", res.UploadedBytes)
		}
		s.ch.Post(func() { services.Reply(s.ch, se, cmd, reply) }) // not after Close
	}()
	return nil
}
