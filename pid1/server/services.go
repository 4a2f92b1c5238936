package server

import (
	"context"

	"github.com/pid1/pid1/engines/asy"

	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/middleware"
	asysvc "github.com/pid1/pid1/services/asy"
	"github.com/pid1/pid1/services/ato"
	"github.com/pid1/pid1/services/audio"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/deprecated"
	"github.com/pid1/pid1/services/exec"
	"github.com/pid1/pid1/services/files"
	"github.com/pid1/pid1/services/fsevents"
	"github.com/pid1/pid1/services/gcsfiles"
	"github.com/pid1/pid1/services/interp2"
	"github.com/pid1/pid1/services/lsp"
	"github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/services/packager2"
	"github.com/pid1/pid1/services/packager3"
	"github.com/pid1/pid1/services/presence"
	"github.com/pid1/pid1/services/ranna"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/services/shell"
	"github.com/pid1/pid1/services/shellrun"
	"github.com/pid1/pid1/services/shellrun2"
	"github.com/pid1/pid1/services/snapshot"
	"github.com/pid1/pid1/services/socket"
)

// deps is what services need from the server.
type deps struct {
	jobs      jobs.Deps // for every service that starts processes
	dir       *fsroot.Dir
	watcher   *fswatch.Watcher
	files     *storage.Bucket // for gcsfiles
	snapshots *snapstore.Store
	dial      services.Dialer // pid1's own in-process sessions on its hub
	engine    ranna.Engine    // the execution engines' core; nil when off
	asy       *asy.Asy        // asyonline's queue and cache, shared with /asy; nil when off
	otLog     *otlog.Store    // nil: no op log
	audio     *audio.Player   // nil: no audio, for the reason audioOff
	audioOff  error
	socketAny bool // the socket service may connect beyond loopback
	// chatScrollbackCommand: chat's scrollback as one chatScrollback
	chatScrollbackCommand bool
}

// ensureBeforeRun is what run2 and interp2 call before a run whose .replit
// asks for it: packager2's ensurePackages, through pid1's own session.
func (d deps) ensureBeforeRun() services.EnsurePackages {
	if d.dial == nil {
		return nil
	}
	return func(ctx context.Context, out func(string)) error { return packager2.EnsureBeforeRun(ctx, d.dial, out) }
}

// defaultServices is the one place that lists the services pid1 serves,
// each wrapped in the cross-cutting middleware.
func defaultServices(d deps) *services.Registry {
	ds := []services.Descriptor{
		chat.DescriptorWith(chat.Config{ScrollbackCommand: d.chatScrollbackCommand}),
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
		run2.EnsuringDescriptor(d.jobs, d.ensureBeforeRun()),
		interp2.EnsuringDescriptor(d.jobs, d.ensureBeforeRun()),
		shellrun.Descriptor(d.jobs, ""),
		shellrun2.Descriptor(shellrun2.Config{Shell: shell.Config{Deps: d.jobs}, Dial: d.dial}),
		ato.Descriptor(d.engine),
		ranna.Descriptor(d.engine),
		asysvc.Descriptor(d.asy),
		audio.Descriptor(d.audio, d.audioOff),
		lsp.Descriptor(d.jobs),
		socket.Descriptor(socket.Config{AnyDestination: d.socketAny}),
		packager2.Descriptor(d.jobs),
		packager3.Descriptor(d.jobs))
	for i := range ds {
		ds[i].New = services.Chain(ds[i].New, middleware.Log)
	}
	return services.NewRegistry(ds...)
}
