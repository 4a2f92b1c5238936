package fsevents

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fswatch"
)

// Config is what every fsevents channel shares.
type Config struct {
	Watcher *fswatch.Watcher
}

// Descriptor registers the service with cfg.
func Descriptor(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "fsevents", New: func(ch services.Channel) (services.Service, error) {
		if cfg.Watcher == nil {
			return nil, errors.New("fsevents: no watcher configured")
		}
		f := &fsevents{ch: ch}
		f.sub = cfg.Watcher.Subscribe(f.deliver)
		return f, nil
	}}
}

type fsevents struct {
	ch  services.Channel
	sub *fswatch.Subscription
}

// deliver runs on the watcher's goroutine; it only queues sends, which
// never block.
func (f *fsevents) deliver(evs []fswatch.Event, err error) {
	if err != nil {
		services.Broadcast(f.ch, services.ErrorCommand(err.Error()))
	}
	for _, e := range evs {
		services.Broadcast(f.ch, &api.Command{Body: &api.Command_FileEvent{FileEvent: e.Proto()}})
	}
}

func (f *fsevents) Close() { f.sub.Close() }

func (f *fsevents) Command(s services.Session, cmd *api.Command) error {
	sf, ok := cmd.Body.(*api.Command_SubscribeFile)
	if !ok {
		return fmt.Errorf("fsevents takes subscribeFile, not %s", services.BodyName(cmd))
	}
	paths := make([]string, len(sf.SubscribeFile.GetFiles()))
	for i, file := range sf.SubscribeFile.GetFiles() {
		paths[i] = file.GetPath()
	}
	if len(paths) == 0 {
		return errors.New(`subscribeFile needs files, e.g. { subscribeFile: { files: [{ path: "" }] } }`)
	}
	if err := f.sub.Add(paths); err != nil {
		return err
	}
	services.Reply(f.ch, s, cmd, services.OK())
	return nil
}
