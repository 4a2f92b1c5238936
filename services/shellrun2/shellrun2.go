package shellrun2

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/middleware/terminal"
	"github.com/pid1/pid1/services/shell"
)

// Config is what every shellrun2 channel shares.
type Config struct {
	Shell shell.Config // the channel's own shell, in the workspace where .replit is looked for
	// Dial opens pid1's own in-process session on the hub, for the
	// shared run2 and interp2 channels.
	Dial services.Dialer
}

// Descriptor registers the service.
func Descriptor(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "shellrun2", Starts: true, Writes: terminal.Writes.With("runMain", "clear"), New: func(ch services.Channel) (services.Service, error) {
		if cfg.Shell.Deps.Workspace == nil || cfg.Dial == nil {
			return nil, errors.New("shellrun2: no workspace or hub connection configured")
		}
		sh, err := shell.New(cfg.Shell)(ch)
		if err != nil {
			return nil, err
		}
		return &service{cfg: cfg, ch: ch, shell: sh, targets: map[string]services.PeerChannel{}}, nil
	}}
}

// connectTimeout bounds attaching to a shared channel.
const connectTimeout = 10 * time.Second

// service runs on its channel's actor; the shared channels' streams are
// read by goroutines that post what they get.
type service struct {
	cfg     Config
	ch      services.Channel
	shell   services.Service
	conn    services.Peer
	targets map[string]services.PeerChannel // "run2", "interp2" once attached
	active  string                          // the target input goes to, or ""
	running bool                            // the active target said Running
}

func (s *service) Attach(se services.Session) {
	services.Attach(s.shell, se)
	services.To(s.ch, se.ID, services.State(s.active != "" && s.running))
}

func (s *service) Detach(se services.Session) { services.Detach(s.shell, se) }

func (s *service) Close() {
	services.Close(s.shell)
	if s.conn != nil {
		s.conn.Close()
	}
}

func (s *service) Command(se services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		return s.runMain(cmd)
	case *api.Command_Clear:
		if s.active != "" {
			s.forward(s.active, cmd)
			s.active, s.running = "", false
		}
		return nil
	case *api.Command_Input:
		if s.active == "" {
			return s.shell.Command(se, cmd)
		}
		s.forward(s.active, cmd)
		return nil
	case *api.Command_ResizeTerm, *api.Command_SaneTerm:
		for name := range s.targets {
			s.forward(name, cmd)
		}
		return s.shell.Command(se, cmd)
	}
	return fmt.Errorf("shellrun2 takes runMain, clear, input, resizeTerm and saneTerm, not %s", services.BodyName(cmd))
}

// runMain starts the program on run2 when the workspace has a .replit and
// on interp2 otherwise.
func (s *service) runMain(cmd *api.Command) error {
	target := "interp2"
	if _, exists, err := s.cfg.Shell.Deps.Workspace.Stat(".replit"); err != nil {
		return err
	} else if exists {
		target = "run2"
	}
	if err := s.attach(target); err != nil {
		return err
	}
	if s.active != "" && s.active != target {
		s.forward(s.active, &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}})
	}
	s.active, s.running = target, false
	s.forward(target, cmd)
	return nil
}

// attach joins the shared channel named target, once.
func (s *service) attach(target string) error {
	if s.targets[target] != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(s.ch.Context(), connectTimeout)
	defer cancel()
	if s.conn == nil {
		c, err := s.cfg.Dial(ctx)
		if err != nil {
			return fmt.Errorf("shellrun2: connecting to the %s channel: %w", target, err)
		}
		s.conn = c
	}
	tc, err := s.conn.Open(ctx, target, target, api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		return fmt.Errorf("shellrun2: attaching to the %s channel: %w", target, err)
	}
	s.targets[target] = tc
	s.ch.Go(func(ctx context.Context) {
		for {
			select {
			case cmd, ok := <-tc.Stream():
				if !ok || !s.ch.Post(func() { s.relay(target, cmd) }) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	})
	return nil
}

// forward sends cmd to the shared channel target, without its ref: what
// the target answers reaches everyone, like the rest of its output.
func (s *service) forward(target string, cmd *api.Command) {
	tc := s.targets[target]
	if tc == nil {
		return
	}
	out := &api.Command{Body: cmd.Body}
	if err := tc.Send(s.ch.Context(), out); err != nil {
		services.Broadcast(s.ch, services.ErrorCommand(fmt.Sprintf("shellrun2: the %s channel is gone: %v", target, err)))
	}
}

// relay passes on what a shared channel broadcast, and follows its state.
func (s *service) relay(target string, cmd *api.Command) {
	if st, ok := cmd.Body.(*api.Command_State); ok && target == s.active {
		switch {
		case st.State == api.State_Running:
			s.running = true
		case s.running: // the run that runMain started is over
			s.running = false
			// run2 gives the terminal back to the shell; interp2's REPL
			// keeps it, with the program's variables, until clear.
			if target == "run2" {
				s.active = ""
			}
		}
	}
	services.Broadcast(s.ch, &api.Command{Body: cmd.Body})
}
