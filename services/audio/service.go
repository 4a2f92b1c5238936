package audio

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Descriptor registers the service: each audio channel hears what p plays.
// Listening changes nothing, so the service declares no writes. With a nil
// p (pid1 plays no audio) a channel still opens, since crosis takes a
// refused openChan as fatal to the whole connection, and tells each
// session that joins, and each command, why it stays silent: off.
func Descriptor(p *Player, off error) services.Descriptor {
	if p == nil && off == nil {
		off = errors.New("pid1 runs without an audio directory")
	}
	return services.Descriptor{Name: "audio", New: func(ch services.Channel) (services.Service, error) {
		if p == nil {
			return silent{ch: ch, msg: "audio is off: " + off.Error()}, nil
		}
		p.subscribe(ch)
		return &service{p: p, ch: ch}, nil
	}}
}

// service is one audio channel.
type service struct {
	p  *Player
	ch services.Channel
}

// Command refuses everything: the channel only carries sound out.
func (s *service) Command(_ services.Session, cmd *api.Command) error {
	return fmt.Errorf("audio takes no commands (not %s): a program plays a file by writing {\"File\": \"path\"} to %s",
		services.BodyName(cmd), s.p.Pipe())
}

// Close stops the channel's share of the sound.
func (s *service) Close() { s.p.unsubscribe(s.ch) }

// silent is an audio channel of a pid1 that plays no audio.
type silent struct {
	ch  services.Channel
	msg string
}

// Attach tells s why nothing will come.
func (a silent) Attach(s services.Session) { services.To(a.ch, s.ID, services.ErrorCommand(a.msg)) }

// Command refuses everything, saying why.
func (a silent) Command(services.Session, *api.Command) error { return errors.New(a.msg) }
