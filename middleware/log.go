package middleware

import (
	"log/slog"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Log records every event a service handles on its channel's logger
// (which already names the service and channel): attach and detach, and
// each command with the session, user, body and how long the handler
// took, at debug level; a command the service refuses at info, with the
// error the client gets.
func Log(next services.Constructor) services.Constructor {
	return func(ch services.Channel) (services.Service, error) {
		inner, err := next(ch)
		if err != nil {
			ch.Logger().Info("service refused the channel", "err", err)
			return nil, err
		}
		return logged{Wrapped: services.Wrapped{Service: inner}, log: ch.Logger()}, nil
	}
}

type logged struct {
	services.Wrapped
	log *slog.Logger
}

func who(s services.Session) slog.Attr {
	return slog.Group("from", "session", s.ID, "user", s.User.Name)
}

func (l logged) Attach(s services.Session) {
	l.log.Debug("attach", who(s))
	services.Attach(l.Service, s)
}

func (l logged) Detach(s services.Session) {
	l.log.Debug("detach", who(s))
	services.Detach(l.Service, s)
}

func (l logged) Command(s services.Session, cmd *api.Command) error {
	start := time.Now()
	err := l.Service.Command(s, cmd)
	took := time.Since(start)
	if err != nil {
		l.log.Info("command refused", who(s), "body", services.BodyName(cmd), "ref", cmd.GetRef(), "took", took, "err", err)
	} else {
		l.log.Debug("command", who(s), "body", services.BodyName(cmd), "ref", cmd.GetRef(), "took", took)
	}
	return err
}
