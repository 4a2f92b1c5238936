package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman-repl/literal"
)

// repl holds the clients and channels a session has opened.
type repl struct {
	dial dialer

	outMu sync.Mutex
	out   io.Writer

	mu      sync.Mutex
	clients map[string]*replClient // "" is the default client
	last    <-chan struct{}        // closed when the last request's reply came (or never will)

	lastOutput atomic.Int64 // unix nanos of the last printed incoming command
	failures   atomic.Int64 // commands that failed, and connections lost
}

// fail counts a failure: scripted mode then exits with status 1.
func (r *repl) fail() { r.failures.Add(1) }

type replClient struct {
	name  string
	c     *client.Client
	chans map[string]*client.Channel // by channel name
}

func newREPL(dial dialer, out io.Writer) *repl {
	return &repl{dial: dial, out: out, clients: make(map[string]*replClient)}
}

// println writes one line atomically with respect to incoming output.
func (r *repl) println(format string, args ...any) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	fmt.Fprintf(r.out, format+"\n", args...)
}

// wellKnown maps the conventional channel names to their services.
var wellKnown = map[string]string{"chatter": "chat", "presencer": "presence", "execer": "exec", "atoer": "ato", "rannaer": "ranna", "asyer": "asy"}

// serviceFor derives the service from a channel name: a well-known name,
// or the part before ':' ("ot:main.py" is an ot channel), or the name.
func serviceFor(name string) string {
	if s, ok := wellKnown[name]; ok {
		return s
	}
	if i := strings.IndexByte(name, ':'); i > 0 {
		return name[:i]
	}
	return name
}

// client returns the named client, connecting it on first use.
func (r *repl) client(ctx context.Context, name string) (*replClient, error) {
	r.mu.Lock()
	rc := r.clients[name]
	r.mu.Unlock()
	if rc != nil {
		return rc, nil
	}
	url, err := r.dial(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	rc = &replClient{name: name, c: c, chans: make(map[string]*client.Channel)}
	r.mu.Lock()
	r.clients[name] = rc
	r.mu.Unlock()
	if name != "" {
		r.println("created new client named %s", name)
	}
	go r.printControl(rc)
	return rc, nil
}

// open opens (or attaches, per action) the channel named name for rc. A
// non-empty announce line is printed before anything the channel sends.
func (r *repl) open(ctx context.Context, rc *replClient, name string, action api.OpenChannel_Action, announce string) (*client.Channel, error) {
	ch, err := rc.c.Open(ctx, serviceFor(name), name, action)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	rc.chans[name] = ch
	r.mu.Unlock()
	if announce != "" {
		r.println("%s", announce)
	}
	go r.printStream(rc, name, ch)
	return ch, nil
}

func (r *repl) channel(rc *replClient, name string) *client.Channel {
	r.mu.Lock()
	defer r.mu.Unlock()
	return rc.chans[name]
}

func (r *repl) printStream(rc *replClient, name string, ch *client.Channel) {
	prefix := "(" + name + ")"
	if rc.name != "" {
		prefix = "(" + name + " -> " + rc.name + ")"
	}
	for cmd := range ch.Stream() {
		r.lastOutput.Store(time.Now().UnixNano())
		r.println("%s %s", prefix, literal.Format(cmd))
	}
}

func (r *repl) printControl(rc *replClient) {
	prefix := "(control)"
	if rc.name != "" {
		prefix = "(control -> " + rc.name + ")"
	}
	for cmd := range rc.c.Control() {
		r.lastOutput.Store(time.Now().UnixNano())
		r.println("%s %s", prefix, literal.Format(cmd))
	}
	select {
	case <-rc.c.Done():
		if err := rc.c.Err(); err != nil && !errors.Is(err, client.ErrClosed) {
			who := "default client"
			if rc.name != "" {
				who = "client " + rc.name
			}
			r.println("%s disconnected: %v", who, err)
			r.fail()
		}
	default:
	}
}

func (r *repl) closeAll() {
	r.mu.Lock()
	cs := make([]*replClient, 0, len(r.clients))
	for _, c := range r.clients {
		cs = append(cs, c)
	}
	r.mu.Unlock()
	for _, c := range cs {
		c.c.Close()
	}
}
