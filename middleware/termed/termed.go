package termed

import (
	"fmt"
	"os"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services"
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

// From finds the Terminal termed put on a channel.
func From(ch services.Channel) (Terminal, bool) {
	tc, ok := services.Find[*termChannel](ch)
	if !ok {
		return nil, false
	}
	return tc.t, true
}

// New is the termed middleware.
func New(next services.Constructor) services.Constructor {
	return func(ch services.Channel) (services.Service, error) {
		t, err := open(ch)
		if err != nil {
			return nil, fmt.Errorf("termed: %w", err)
		}
		inner, err := next(&termChannel{Channel: ch, t: t})
		if err != nil {
			t.close()
			return nil, err
		}
		go t.pump()
		return &service{Wrapped: services.Wrapped{Service: inner}, t: t}, nil
	}
}

// termChannel is the channel the wrapped service sees.
type termChannel struct {
	services.Channel
	t *term
}

func (c *termChannel) Unwrap() services.Channel { return c.Channel }

// service handles the terminal's commands and passes on the rest.
type service struct {
	services.Wrapped
	t *term
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
	s.t.close()
}

// term is one pty.
type term struct {
	ch     services.Channel // where output goes (through outer middleware)
	master *os.File         // non-blocking, so Close interrupts reads
	raw    syscall.RawConn  // master's descriptor, for reads that never wait
	tty    *os.File
	rows   uint16
	cols   uint16
	in     chan string
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

func open(ch services.Channel) (*term, error) {
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
	t := &term{ch: ch, master: master, raw: raw, tty: tty,
		in: make(chan string, inputDepth), drains: make(chan chan struct{}, 4), done: make(chan struct{})}
	if err := t.resize(DefaultRows, DefaultCols); err != nil {
		t.close()
		return nil, err
	}
	go t.writeInput()
	return t, nil
}

func (t *term) TTY() *os.File             { return t.tty }
func (t *term) Size() (rows, cols uint16) { return t.rows, t.cols }

// resize sets the window size; the foreground process gets SIGWINCH.
func (t *term) resize(rows, cols uint32) error {
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
func (t *term) Sane() error { return t.sane() }

func (t *term) sane() error {
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

func (t *term) close() {
	select {
	case <-t.done:
		return
	default:
	}
	close(t.done)
	t.master.Close()
	t.tty.Close()
}
