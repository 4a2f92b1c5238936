package packager3

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/services/internal/packagerwork"
)

// Writes are the commands that change the workspace.
var Writes = services.BodySet("packageAdd", "packageRemove", "packageInstall", "packageCacheSave")

// Descriptor registers the service; its tools run with deps.
func Descriptor(deps jobs.Deps) services.Descriptor {
	return NewDescriptor(packagerwork.Config{Deps: deps})
}

// NewDescriptor registers the service with cfg (tests choose the
// backends and the HTTP client).
func NewDescriptor(cfg packagerwork.Config) services.Descriptor {
	return services.Descriptor{Name: "packager3", WellKnown: "packager3", Writes: Writes,
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
	switch b := cmd.Body.(type) {
	case *api.Command_PackageSearch:
		query := strings.TrimSpace(b.PackageSearch.GetQuery())
		if query == "" {
			return errors.New(`packageSearch needs a query, e.g. { packageSearch: { query: "left-pad" } }`)
		}
		s.Query(from, cmd, func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			r, err := be.Search(ctx, ws, query)
			if err != nil {
				return nil, err
			}
			if r.Note != "" {
				s.Hint(from, r.Note)
			}
			return &api.Command{Body: &api.Command_PackageSearchResp{PackageSearchResp: &api.PackageSearchResp{Results: packagerwork.ToAPIs(r.Pkgs)}}}, nil
		})
		return nil
	case *api.Command_PackageInfo:
		name := strings.TrimSpace(b.PackageInfo.GetPkg().GetName())
		if name == "" {
			return errors.New(`packageInfo needs a package name, e.g. { packageInfo: { pkg: { name: "left-pad" } } }`)
		}
		s.Query(from, cmd, func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			p, err := be.Info(ctx, ws, name)
			if err != nil {
				return nil, err
			}
			return &api.Command{Body: &api.Command_PackageInfoResp{PackageInfoResp: &api.PackageInfoResp{Pkg: packagerwork.ToAPI(p)}}}, nil
		})
		return nil
	case *api.Command_PackageListSpecfile:
		s.Submit(packagerwork.Op{From: from, Req: cmd, Do: func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			pkgs, err := be.ListSpecfile(ctx, ws)
			if err != nil {
				return nil, err
			}
			return &api.Command{Body: &api.Command_PackageListSpecfileResp{PackageListSpecfileResp: &api.PackageListSpecfileResp{Pkgs: packagerwork.ToAPIs(pkgs)}}}, nil
		}})
		return nil
	case *api.Command_PackageAdd:
		pkgs := packagerwork.FromAPI(b.PackageAdd.GetPkgs())
		if len(pkgs) == 0 {
			return errors.New(`packageAdd needs packages, e.g. { packageAdd: { pkgs: [{ name: "left-pad" }] } }`)
		}
		s.Submit(packagerwork.Op{From: from, Req: cmd, Changes: true, Do: func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			if err := be.Add(ctx, ws, pkgs); err != nil {
				return nil, err
			}
			if b.PackageAdd.GetUseNewResponse() {
				return &api.Command{Body: &api.Command_PackageAddResponse{PackageAddResponse: &api.PackageAddResponse{}}}, nil
			}
			return nil, nil
		}})
		return nil
	case *api.Command_PackageRemove:
		pkgs := packagerwork.FromAPI(b.PackageRemove.GetPkgs())
		if len(pkgs) == 0 {
			return errors.New(`packageRemove needs packages, e.g. { packageRemove: { pkgs: [{ name: "left-pad" }] } }`)
		}
		names := make([]string, len(pkgs))
		for i, p := range pkgs {
			names[i] = p.Name
		}
		s.Submit(packagerwork.Op{From: from, Req: cmd, Changes: true, Do: func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			return nil, be.Remove(ctx, ws, names)
		}})
		return nil
	case *api.Command_PackageInstall:
		req := b.PackageInstall
		s.Submit(packagerwork.Op{From: from, Req: cmd, Changes: true, Do: func(ctx context.Context, be packager.Backend, ws packager.Workspace) (*api.Command, error) {
			e, err := packagerwork.Ensure(ctx, be, ws, nil, true, !req.GetDisableGuess())
			if err != nil || !req.GetUseNewResponse() {
				return nil, err
			}
			return &api.Command{Body: &api.Command_PackageInstallResponse{PackageInstallResponse: &api.PackageInstallResponse{
				GuessedPkgs: e.Guessed, UpmGuessDurationMs: e.Guess.Milliseconds(), UpmAddDurationMs: e.Add.Milliseconds(),
				UpmLockDurationMs: e.Install.Milliseconds(), TotalDurationMs: e.Total.Milliseconds()}}}, nil
		}})
		return nil
	case *api.Command_PackageCacheSave:
		s.OK(from, cmd) // pid1 keeps no package cache of its own: the tools' caches are on disk already
		return nil
	}
	return fmt.Errorf("packager3 takes packageSearch, packageInfo, packageAdd, packageRemove, packageInstall and packageListSpecfile, not %s", services.BodyName(cmd))
}
