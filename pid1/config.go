package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pid1/pid1/internal/auth"
)

// config is what the serve and token commands share: a token minted with
// the same configuration is valid for the server.
type config struct {
	listen    string
	workspace string
	stateDir  string

	subreaper bool
	grace     time.Duration
	printURL  bool
	logLevel  string
	logFormat string

	maxFrame    size
	memBudget   size
	maxSessions int
	maxChannels int
	// per-user limits and the life of abandoned process channels
	maxUserSessions int
	maxUserProcs    int
	idleChannel     time.Duration
	otLogSync       time.Duration
	origins         string

	storage     string
	restore     bool
	language    string
	runAs       string
	workspaceID string
	audioDir    string
	socketAny   bool
	chatCommand bool

	tokenPublicKey string // comma-separated files of PEM public keys: verify only
	metricsListen  string

	engines engineFlags
}

func (c *config) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.stateDir, "state-dir", auth.DefaultStateDir(), "pid1's own state (signing key); must be outside the workspace")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8283", "address to serve on")
	fs.StringVar(&c.tokenPublicKey, "token-public-key", "", "verify tokens with the Ed25519 public keys in these comma-separated PEM files only, and hold no signing key (tokens are minted elsewhere: pid1 token -signing-key)")
}

func (c *config) serveFlags(fs *flag.FlagSet) {
	c.commonFlags(fs)
	fs.StringVar(&c.workspace, "workspace", "workspace", "the workspace directory (created if absent)")
	fs.BoolVar(&c.subreaper, "subreaper", false, "reap orphans as a child subreaper when not PID 1")
	fs.DurationVar(&c.grace, "grace", 5*time.Second, "shutdown grace period before SIGKILL")
	fs.BoolVar(&c.printURL, "print-url", true, "print a ready-to-use URL with a fresh token at start")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	c.maxFrame = 16 << 20
	fs.Var(&c.memBudget, "memory-budget", "bytes of output pid1 may hold for clients that have not read it, across all sessions (a user gets half); beyond, who holds the most is cut off. Default: a quarter of the container's memory limit, at most 2GiB")
	fs.Var(&c.maxFrame, "max-frame-bytes", "largest frame a client may send (close 1009 beyond), in bytes or with KiB, MiB, GiB")
	fs.IntVar(&c.maxSessions, "max-sessions", 1024, "concurrent sessions")
	fs.IntVar(&c.maxChannels, "max-channels", 256, "open channels per session")
	fs.IntVar(&c.maxUserSessions, "max-sessions-per-user", 64, "concurrent sessions of one user (HTTP 503 beyond)")
	fs.IntVar(&c.maxUserProcs, "max-process-channels-per-user", 32, "open channels running a process (shell, run2, interp2...) one user may have created")
	fs.DurationVar(&c.otLogSync, "ot-log-sync", 200*time.Millisecond, "ot edits are acknowledged once their op log is written (they survive pid1 being killed) and the log is fsynced within this time; 0 fsyncs it before each acknowledgement (they survive a crash of the machine too, at a cost in throughput)")
	fs.DurationVar(&c.idleChannel, "idle-channel-timeout", 30*time.Minute, "close a named channel running a process once nobody has been attached for this long (negative: never)")
	fs.StringVar(&c.storage, "storage", "", "bucket URL for gcsfiles and snapshots: file:///dir, s3://bucket?region=... or gs://bucket (default file://STATE-DIR/storage)")
	fs.BoolVar(&c.restore, "restore", false, "at start, make the workspace equal to the latest snapshot (removing what it does not hold)")
	fs.StringVar(&c.runAs, "run-as", "", "the user the workspace's programs run as (NAME, UID or UID:GID; needs root); default: runner when pid1 is root and that user exists; self: pid1's own user")
	fs.StringVar(&c.language, "language", "", "the workspace's language when neither a .replit nor its files say (python3, nodejs, go, c, bash)")
	fs.StringVar(&c.workspaceID, "workspace-id", "", "the id this workspace's snapshots are kept under in -storage (default: derived from the workspace's resolved path); give each workspace sharing a bucket its own")
	fs.StringVar(&c.audioDir, "audio-dir", "/tmp", "where the audio service's request pipe (audio) and status file (audioStatus.json) are made; empty: no audio")
	fs.BoolVar(&c.socketAny, "socket-any-destination", false, "let the socket service connect beyond the container's loopback addresses")
	fs.BoolVar(&c.chatCommand, "chat-scrollback-command", false, "send a session joining a chat channel its scrollback as one chatScrollback command (goval's form) instead of one chatMessage per saved message")
	fs.StringVar(&c.metricsListen, "metrics-listen", "127.0.0.1:9283", "address to serve /metrics on (empty: no metrics listener)")
	fs.StringVar(&c.origins, "origins", "", "comma-separated Origin host patterns allowed to connect; empty allows any (the token is the credential)")
	c.engines.register(fs, true)
}

// parse parses args after taking defaults from PID1_* variables.
func parse(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "PID1_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

func (c *config) publicKeyFiles() []string { return auth.SplitList(c.tokenPublicKey) }

func (c *config) originList() []string {
	var out []string
	for _, o := range strings.Split(c.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
