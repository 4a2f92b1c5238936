package termed

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/feed"
)

// Default terminal size.
const (
	DefaultRows = 24
	DefaultCols = 80
)

// Terminal is the pty termed gives the service it wraps.
type Terminal interface {
	// TTY is the pty's terminal side: a process's stdin, stdout, stderr
	// and controlling terminal.
	TTY() *os.File
	// Size is the terminal's size now.
	Size() (rows, cols uint16)
	// Drain sends what the pty holds now; call it when a process exits,
	// before announcing it, so that its last output comes first.
	Drain()
	// Sane restores the line discipline (as `stty sane`).
	Sane() error
}

// Pacer is what the pty reader asks before each output message; ratelimit's
// Limiter is one. Reserve takes a message from the allowance and returns
// 0, or takes nothing and returns how long until one is allowed, time the
// reader spends gathering more output into the next message. Pace waits
// for and takes one.
type Pacer interface {
	Reserve() time.Duration
	Pace(ctx context.Context) error
}

// Ctor builds a terminal service: ch is its channel, t the pty it runs
// its programs on. Because the terminal is a parameter, a service that
// needs one cannot be built without it.
type Ctor func(ch services.Channel, t Terminal) (services.Service, error)

// New is the constructor of the terminal service ctor builds, with an
// unpaced pty. Services that want the whole terminal stack (scrollback,
// rate limit, hints) use the terminal package instead.
func New(ctor Ctor) services.Constructor {
	return func(ch services.Channel) (services.Service, error) {
		t, err := Open(ch, nil)
		if err != nil {
			return nil, err
		}
		inner, err := ctor(ch, t)
		if err != nil {
			t.Close()
			return nil, err
		}
		return t.Serve(inner), nil
	}
}

// Open opens a pty whose output goes to ch as `output` broadcasts, paced
// by pacer (nil: as fast as clients take it). Nothing is read from it
// until Serve.
func Open(ch services.Channel, pacer Pacer) (*Term, error) {
	t, err := open(ch, pacer)
	if err != nil {
		return nil, fmt.Errorf("termed: %w", err)
	}
	return t, nil
}

// Serve starts streaming the pty's output and returns inner wrapped so
// that the terminal's own commands (input, resizeTerm, saneTerm) go to
// the pty and the pty closes with the channel.
func (t *Term) Serve(inner services.Service) services.Service {
	if !t.ch.Go(func(context.Context) { t.pump() }) || !t.ch.Go(func(context.Context) { t.writeInput() }) {
		t.Close()
	}
	return &service{Wrapped: services.Wrapped{Service: inner}, t: t}
}

// service handles the terminal's commands and passes on the rest.
type service struct {
	services.Wrapped
	t *Term
}

// Writes are the commands termed handles, none of which a read-only
// session may send: typing, and changing the terminal's size or modes
// (saneTerm would turn echo back on under a writer's `read -s`).
var Writes = services.BodySet("input", "resizeTerm", "saneTerm")

func (s *service) Command(se services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_Input:
		return s.t.input(b.Input)
	case *api.Command_ResizeTerm:
		return s.t.resize(b.ResizeTerm.GetRows(), b.ResizeTerm.GetCols())
	case *api.Command_SaneTerm:
		return s.t.sane()
	}
	return s.Service.Command(se, cmd)
}

func (s *service) Close() {
	services.Close(s.Service)
	s.t.Close()
}

// Term is one pty. It implements Terminal.
type Term struct {
	ch     services.Channel // where output goes (through outer middleware)
	pacer  Pacer            // nil: unpaced
	master *os.File         // non-blocking, so Close interrupts reads
	raw    syscall.RawConn  // master's descriptor, for reads that never wait
	tty    *os.File
	rows   uint16
	cols   uint16
	in     *feed.Queue
	drains chan chan struct{}
	done   chan struct{}
}

// OpenPTY opens a pty whose master side is non-blocking: os.File.Fd puts
// a file in blocking mode, where Close cannot interrupt a Read and read
// deadlines do nothing, so the master is a duplicate that goes through
// Go's poller.
func OpenPTY() (master, tty *os.File, err error) {
	m, tty, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		tty.Close()
		return nil, nil, err
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "/dev/ptmx"), tty, nil
}

func open(ch services.Channel, pacer Pacer) (*Term, error) {
	master, tty, err := OpenPTY()
	if err != nil {
		return nil, err
	}
	raw, err := master.SyscallConn()
	if err != nil {
		master.Close()
		tty.Close()
		return nil, err
	}
	t := &Term{ch: ch, pacer: pacer, master: master, raw: raw, tty: tty,
		in: feed.New(), drains: make(chan chan struct{}, 4), done: make(chan struct{})}
	if err := t.resize(DefaultRows, DefaultCols); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

func (t *Term) TTY() *os.File             { return t.tty }
func (t *Term) Size() (rows, cols uint16) { return t.rows, t.cols }

// resize sets the window size; the foreground process gets SIGWINCH.
func (t *Term) resize(rows, cols uint32) error {
	if rows == 0 || cols == 0 || rows > 1000 || cols > 1000 {
		return fmt.Errorf("resizeTerm needs rows and cols between 1 and 1000, got %d×%d", rows, cols)
	}
	ws := &unix.Winsize{Row: uint16(rows), Col: uint16(cols)}
	if err := unix.IoctlSetWinsize(int(t.tty.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		return fmt.Errorf("resizeTerm: %w", err)
	}
	t.rows, t.cols = uint16(rows), uint16(cols)
	return nil
}

// Sane restores the line discipline a shell expects (as `stty sane`).
func (t *Term) Sane() error { return t.sane() }

func (t *Term) sane() error {
	fd := int(t.tty.Fd())
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("saneTerm: %w", err)
	}
	tio.Iflag = unix.BRKINT | unix.ICRNL | unix.IMAXBEL | unix.IXON | unix.IUTF8
	tio.Oflag = unix.OPOST | unix.ONLCR
	tio.Cflag = tio.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8 | unix.CREAD
	tio.Lflag = unix.ISIG | unix.ICANON | unix.IEXTEN | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHOCTL | unix.ECHOKE
	cc := map[int]uint8{unix.VINTR: 3, unix.VQUIT: 28, unix.VERASE: 127, unix.VKILL: 21, unix.VEOF: 4,
		unix.VSTART: 17, unix.VSTOP: 19, unix.VSUSP: 26, unix.VWERASE: 23, unix.VLNEXT: 22, unix.VMIN: 1, unix.VTIME: 0}
	for i, v := range cc {
		tio.Cc[i] = v
	}
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		return fmt.Errorf("saneTerm: %w", err)
	}
	return nil
}

// Close closes the pty; the programs on it get a hangup.
func (t *Term) Close() {
	select {
	case <-t.done:
		return
	default:
	}
	close(t.done)
	t.master.Close()
	t.tty.Close()
}
