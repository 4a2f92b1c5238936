package server

import (
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/middleware"
	"github.com/pid1/pid1/services"
	"github.com/pid1/pid1/services/ato"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/deprecated"
	"github.com/pid1/pid1/services/exec"
	"github.com/pid1/pid1/services/files"
	"github.com/pid1/pid1/services/fsevents"
	"github.com/pid1/pid1/services/gcsfiles"
	"github.com/pid1/pid1/services/interp2"
	"github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/services/presence"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/services/shell"
	"github.com/pid1/pid1/services/shellrun"
	"github.com/pid1/pid1/services/shellrun2"
	"github.com/pid1/pid1/services/snapshot"
)

// deps is what services need from the server.
type deps struct {
	jobs      jobs.Deps // for every service that starts processes
	dir       *fsroot.Dir
	watcher   *fswatch.Watcher
	files     *storage.Bucket // for gcsfiles
	snapshots *snapstore.Store
	dial      services.Dialer // pid1's own in-process sessions on its hub
	engine    ato.Engine      // the execution engines' core; nil when off
	otLog     *otlog.Store    // nil: no op log
}

// defaultServices is the one place that lists the services pid1 serves,
// each wrapped in the cross-cutting middleware.
func defaultServices(d deps) *services.Registry {
	ds := []services.Descriptor{
		chat.Descriptor,
		presence.Descriptor,
		exec.Descriptor(d.jobs),
	}
	ds = append(ds, files.Descriptors(files.Config{Dir: d.dir})...)
	ds = append(ds, deprecated.Descriptors()...)
	ds = append(ds, fsevents.Descriptor(fsevents.Config{Watcher: d.watcher}),
		gcsfiles.Descriptor(gcsfiles.Config{Files: files.Config{Dir: d.dir}, Bucket: d.files}),
		snapshot.Descriptor(d.snapshots),
		ot.Descriptor(ot.Config{Dir: d.dir, Watcher: d.watcher, Log: d.otLog}),
		shell.Descriptor(shell.Config{Deps: d.jobs}),
		run2.Descriptor(d.jobs),
		interp2.Descriptor(d.jobs),
		shellrun.Descriptor(d.jobs, ""),
		shellrun2.Descriptor(shellrun2.Config{Shell: shell.Config{Deps: d.jobs}, Dial: d.dial}),
		ato.Descriptor(d.engine))
	for i := range ds {
		ds[i].New = services.Chain(ds[i].New, middleware.Log)
	}
	return services.NewRegistry(ds...)
}
