// Package server assembles a pid1 server: the workspace, the signing key,
// the default services and the hub. The pid1 command adds init duties and
// flags on top; conman-repl and the end-to-end tests embed it directly.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/engines/ato"
	"github.com/pid1/pid1/internal/auth"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/ports"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/internal/wire"
	"github.com/pid1/pid1/services/audio"
	"github.com/pid1/pid1/services/ranna"
)

// Options configure a Server.
type Options struct {
	Workspace string // created if absent
	StateDir  string // holds the signing key; must not be inside Workspace
	Logger    *slog.Logger
	Hub       conman.Config // limits; Registry, Authenticate and Logger are filled in
	// Reaper starts and waits for every process the services run. Nil
	// makes a private one that waits only for its own children (for
	// embedding in tests and conman-repl); the pid1 command passes the
	// init reaper.
	Reaper *reaper.Reaper
	// Storage is the bucket URL gcsfiles and snapshot persist to; ""
	// means file://<StateDir>/storage.
	Storage string
	// Restore makes the workspace equal to its latest snapshot at start.
	Restore bool
	// Language is the workspace's language when neither a .replit nor its
	// files say which (run2 and interp2 use it).
	Language string
	// RunAs, if set, is the user the workspace's programs run as, and who
	// owns what pid1 writes into the workspace; pid1 must be root. Nil
	// runs them as pid1's own user.
	RunAs *jobs.User
	// WorkspaceID names the workspace's snapshots in Storage; "" derives
	// one from the workspace's resolved path (see defaultWorkspaceID).
	WorkspaceID string
	// TokenPublicKeys, if any, are files of PEM public keys: pid1 then
	// verifies tokens with them only and never holds a signing key.
	TokenPublicKeys []string
	// Engine runs the ato and ranna services' programs (the pid1 command
	// passes the engine its native endpoints use); without one their runs
	// are refused.
	Engine ranna.Engine
	// Asy runs the asy service's tasks (the pid1 command passes the one
	// /asy uses, for one queue and one restore cache); nil refuses them.
	Asy *asy.Asy
	// NoOTLog turns off the ot service's op log and its recovery at
	// start: an acknowledged edit is then lost if pid1 is killed before
	// a flush. For measuring what the log costs.
	NoOTLog bool
	// AudioDir holds the audio service's request pipe (audio) and status
	// file (audioStatus.json); the pid1 command's default is /tmp, where
	// Replit's libraries look. "" plays no audio: an audio channel
	// then says so.
	AudioDir string
	// SocketAnyDestination lets the socket service connect beyond the
	// loopback addresses.
	SocketAnyDestination bool
	// ChatScrollbackCommand sends a session joining a chat channel its
	// scrollback as one chatScrollback command (goval's form) instead of
	// one chatMessage per saved message.
	ChatScrollbackCommand bool
	// OTLogSyncInterval is how the op log fsyncs (otlog's
	// Store.SetSyncInterval): zero fsyncs each write before the edits in it
	// are acknowledged; a positive interval acknowledges once the OS holds
	// the write and fsyncs within the interval.
	OTLogSyncInterval time.Duration
}

// Server is an assembled pid1 without its listener.
type Server struct {
	hub         *conman.Hub
	registry    *services.Registry
	tokens      *tokens
	stopReaper  context.CancelFunc // for a private reaper
	workspace   string
	workspaceID string
	jobs        jobs.Deps // what every service that starts processes is built with
	dir         *fsroot.Dir
	watcher     *fswatch.Watcher
	bucket      *storage.Bucket
	snapshots   *snapstore.Store
	engine      ato.Engine    // nil when the engines are off
	asy         *asy.Asy      // the asy service's tasks; nil when off
	otLog       *otlog.Store  // nil without one
	audio       *audio.Player // nil without one
	ports       *ports.Watcher
	log         *slog.Logger
}

// New prepares the workspace and state directory and builds the hub.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ws, state, err := prepareDirs(o)
	if err != nil {
		return nil, err
	}
	dir, err := fsroot.Open(ws)
	if err != nil {
		return nil, fmt.Errorf("opening the workspace: %w", err)
	}
	tok, err := newTokens(o.TokenPublicKeys, state, o.Logger)
	if err != nil {
		dir.Close()
		return nil, err
	}
	bucket, err := openStorage(o.Storage, state, ws)
	if err != nil {
		dir.Close()
		return nil, err
	}
	if o.RunAs != nil {
		err := checkReachable(ws, o.RunAs)
		if err == nil {
			err = dir.SetOwner(int(o.RunAs.UID), int(o.RunAs.GID))
		}
		if err != nil {
			bucket.Close()
			dir.Close()
			return nil, fmt.Errorf("giving the workspace to user %s: %w", o.RunAs.Name, err)
		}
	}
	s := &Server{tokens: tok, workspace: ws, dir: dir, bucket: bucket, engine: o.Engine, asy: o.Asy, log: o.Logger, stopReaper: func() {}}
	if err := s.prepareWorkspace(o); err != nil {
		bucket.Close()
		dir.Close()
		return nil, err
	}
	// After a restore: edits acknowledged before a crash are merged into
	// the restored files.
	if !o.NoOTLog {
		if s.otLog, err = otlog.Open(state, dir, o.Logger.With("component", "otlog")); err != nil {
			o.Logger.Error("ot: no op log; acknowledged edits are lost if pid1 is killed before a flush", "err", err)
		} else {
			s.otLog.SetSyncInterval(o.OTLogSyncInterval)
		}
	}
	rp := o.Reaper
	if rp == nil {
		rp = reaper.New(reaper.Options{Logger: o.Logger.With("component", "reaper")})
		ctx, cancel := context.WithCancel(context.Background())
		go rp.Run(ctx)
		s.stopReaper = cancel
	}
	cfg := o.Hub
	s.watcher = fswatch.NewWatcher(dir, o.Logger.With("component", "fsevents"))
	s.jobs = jobs.Deps{Reaper: rp, Workspace: dir, User: o.RunAs, Language: o.Language, Vars: []string{
		"REPL_HOME=" + ws, "REPL_SLUG=" + filepath.Base(ws), "REPL_ID=" + s.workspaceID}}
	audioOff := s.startAudio(o, ws)
	s.registry = defaultServices(deps{jobs: s.jobs, dir: dir, watcher: s.watcher,
		files: bucket.Prefixed("files/"), snapshots: s.snapshots, dial: s.dialPeer, engine: o.Engine, asy: o.Asy,
		otLog: s.otLog, audio: s.audio, audioOff: audioOff, socketAny: o.SocketAnyDestination,
		chatScrollbackCommand: o.ChatScrollbackCommand})
	cfg.Registry = s.registry
	cfg.Logger = o.Logger
	cfg.Authenticate = s.authenticate
	cfg.Greeting = s.openPorts
	s.hub = conman.New(cfg)
	s.ports = ports.Start(ports.Config{Changed: func(p ports.Port) { s.hub.Announce(portCommand(p)) },
		Owns: owns(o.Reaper, rp), Logger: o.Logger.With("component", "ports")})
	if err := s.hub.Open("presence", "presencer"); err != nil {
		s.ports.Close()
		return nil, fmt.Errorf("creating the presencer channel: %w", err)
	}
	return s, nil
}

// startAudio starts the audio player in o.AudioDir; without one, or when
// it cannot start (pid1 serves on without sound), it returns why audio is
// off.
func (s *Server) startAudio(o Options, ws string) (off error) {
	if o.AudioDir == "" {
		return errors.New("pid1 runs without an audio directory (-audio-dir)")
	}
	p, err := audio.Start(audio.Config{Dir: o.AudioDir, Workspace: ws, User: o.RunAs,
		Logger: o.Logger.With("component", "audio")})
	if err != nil {
		o.Logger.Error("audio: not playing", "dir", o.AudioDir, "err", err)
		return err
	}
	s.audio = p
	return nil
}

// internalUser is who pid1's own sessions on its hub are (shellrun2
// attaching to the shared run2 and interp2 channels).
var internalUser = services.User{ID: auth.UserIDFor("pid1"), Name: "pid1", CanWrite: true}

// dialPeer opens an in-process session of pid1's own on the hub.
func (s *Server) dialPeer(ctx context.Context) (services.Peer, error) {
	return s.hub.Dial(ctx, internalUser)
}

// Handler serves /wsv2/{token}, /healthz, the preview proxy
// (/proxy/{port}/...) and the browser IDE (/, its assets and
// /ide/info.json).
func (s *Server) Handler() http.Handler { return s.handler() }

// MetricsHandler serves /metrics, for a listener of its own.
func (s *Server) MetricsHandler() http.Handler { return s.hub.MetricsHandler() }

// Connect opens an in-process session for user on the hub (see
// conman.Hub.Connect), for embedders and tests that need no socket.
func (s *Server) Connect(user services.User) (wire.Conn, error) { return s.hub.Connect(user) }

// Jobs is how the workspace's programs are started (the startup command
// starts with it too): who they run as, where, with what environment.
func (s *Server) Jobs() jobs.Deps { return s.jobs }

// Services is the registry of the services this server offers.
func (s *Server) Services() *services.Registry { return s.registry }

// Workspace is the absolute workspace path.
func (s *Server) Workspace() string { return s.workspace }

// Shutdown closes every channel and session (see conman.Hub.Shutdown);
// closing the channels kills the processes their services ran.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ports.Close()
	err := s.hub.Shutdown(ctx)
	if s.audio != nil {
		s.audio.Close()
	}
	s.stopReaper()
	s.watcher.Close()
	if s.otLog != nil {
		s.otLog.Close()
	}
	s.bucket.Close()
	s.dir.Close()
	return err
}
