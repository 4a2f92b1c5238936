package audio

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services"
)

// Descriptor registers the service: each audio channel hears what p plays.
// Listening changes nothing, so the service declares no writes. With a nil
// p (pid1 plays no audio) opening a channel fails, saying why: off.
func Descriptor(p *Player, off error) services.Descriptor {
	return services.Descriptor{Name: "audio", New: func(ch services.Channel) (services.Service, error) {
		if p == nil {
			if off == nil {
				off = errors.New("pid1 runs without an audio directory")
			}
			return nil, fmt.Errorf("audio is off: %w", off)
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
