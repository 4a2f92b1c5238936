package packager2

import (
	"context"
	"fmt"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/services/internal/packagerwork"
)

// Descriptor registers the service; its tools run with deps.
func Descriptor(deps jobs.Deps) services.Descriptor {
	return NewDescriptor(packagerwork.Config{Deps: deps})
}

// NewDescriptor registers the service with cfg.
func NewDescriptor(cfg packagerwork.Config) services.Descriptor {
	return services.Descriptor{Name: "packager2", WellKnown: "packager2", Writes: services.BodySet("ensurePackages"),
		New: func(ch services.Channel) (services.Service, error) {
			w, err := packagerwork.New(cfg, ch)
			if err != nil {
				return nil, err
			}
			return &service{Worker: w}, nil
		}}
}

type service struct{ *packagerwork.Worker }

func (s *service) Command(from services.Session, cmd *api.Command) error {
	b, ok := cmd.Body.(*api.Command_EnsurePackages)
	if !ok {
		return fmt.Errorf("packager2 takes ensurePackages, not %s", services.BodyName(cmd))
	}
	install := b.EnsurePackages.GetInstall()
	var files []string
	if p := b.EnsurePackages.GetFile().GetPath(); p != "" {
		c, err := fsroot.Clean(p)
		if err != nil {
			return err
		}
		files = []string{c}
	}
	s.Submit(packagerwork.Op{From: from, Req: cmd, Changes: true, StopsWithSender: true, Do: func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
		if install {
			_, err := packagerwork.Ensure(ctx, be, ws, files, true, true)
			return nil, err
		}
		guessed, err := be.Guess(ctx, ws, files)
		if err != nil {
			return nil, err
		}
		if len(guessed) == 0 {
			s.Say("nothing to add: every import is provided\n")
		} else {
			s.Say("would add: " + strings.Join(guessed, " ") + "\n")
		}
		return nil, nil
	}})
	return nil
}
