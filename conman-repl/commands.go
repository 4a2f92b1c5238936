package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman-repl/literal"
)

const helpText = `commands:
  SERVICE { ... }                 send on the channel named SERVICE (opened with ATTACH_OR_CREATE)
  SERVICE from CLIENT { ... }     the same, as another client (connected on first use)
  .open SERVICE [from CLIENT]     create a new channel named SERVICE
  .attach SERVICE [from CLIENT]   attach to the existing channel named SERVICE
  .close SERVICE [from CLIENT]    close the channel (TRY_CLOSE)
  .sleep DURATION                 wait, e.g. .sleep 500ms
  .wait [DURATION]                wait for the reply to the last request (at most DURATION, 5m by default)
  .help                           this text
A channel name is a service ("chat"), a well-known name ("chatter", "presencer")
or SERVICE:NAME ("ot:main.py"). A body is a JavaScript object literal whose one
key is the command, e.g. { chatMessage: { text: "hi" } }.`

// requestWait is how long a request's reply is waited for (in the
// background, or by .wait): package installs take minutes.
const requestWait = 5 * time.Minute

// errUsage marks input the REPL does not understand.
var errUsage = errors.New("usage")

// exec runs one input line. It returns the request's ref channel to wait on
// (nil if the line sent nothing that is answered).
func (r *repl) exec(ctx context.Context, line string) (reply <-chan struct{}, err error) {
	line = strings.TrimSpace(line)
	switch {
	case line == "" || strings.HasPrefix(line, "//") || strings.HasPrefix(line, "#"):
		return nil, nil
	case strings.HasPrefix(line, "."):
		return nil, r.dot(ctx, line)
	}
	brace := strings.IndexByte(line, '{')
	if brace < 0 {
		return nil, fmt.Errorf("%w: expected SERVICE [from CLIENT] { ... }, got %q (try .help)", errUsage, line)
	}
	target, clientName, err := parseTarget(strings.TrimSpace(line[:brace]))
	if err != nil {
		return nil, err
	}
	cmd, err := literal.Parse(line[brace:])
	if err != nil {
		return nil, err
	}
	rc, err := r.client(ctx, clientName)
	if err != nil {
		return nil, err
	}
	ch := r.channel(rc, target)
	if ch == nil {
		if ch, err = r.open(ctx, rc, target, api.OpenChannel_ATTACH_OR_CREATE, "upserted channel named "+target); err != nil {
			return nil, err
		}
	}
	done := make(chan struct{})
	r.mu.Lock()
	r.last = done
	r.mu.Unlock()
	go func() {
		defer close(done)
		rctx, cancel := context.WithTimeout(ctx, requestWait)
		defer cancel()
		// The reply is printed from the stream; an error counts. (Many
		// commands are answered by nothing: no reply is no failure, and a
		// connection that ends is counted where it is reported.)
		if reply, err := ch.Request(rctx, cmd); err == nil && reply.GetError() != "" {
			r.fail()
		}
	}()
	return done, nil
}

// parseTarget splits "SERVICE" or "SERVICE from CLIENT".
func parseTarget(s string) (target, clientName string, err error) {
	f := strings.Fields(s)
	switch {
	case len(f) == 1:
		return f[0], "", nil
	case len(f) == 3 && f[1] == "from":
		return f[0], f[2], nil
	}
	return "", "", fmt.Errorf("%w: expected SERVICE or SERVICE from CLIENT before '{', got %q", errUsage, s)
}

func (r *repl) dot(ctx context.Context, line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case ".help":
		r.println("%s", helpText)
		return nil
	case ".sleep":
		if len(f) != 2 {
			return fmt.Errorf("%w: .sleep DURATION", errUsage)
		}
		d, err := time.ParseDuration(f[1])
		if err != nil {
			return fmt.Errorf(".sleep: %w", err)
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		return nil
	case ".wait":
		d := requestWait
		if len(f) > 2 {
			return fmt.Errorf("%w: .wait [DURATION]", errUsage)
		}
		if len(f) == 2 {
			var err error
			if d, err = time.ParseDuration(f[1]); err != nil {
				return fmt.Errorf(".wait: %w", err)
			}
		}
		r.mu.Lock()
		last := r.last
		r.mu.Unlock()
		if last == nil {
			return errors.New(".wait: no request was sent")
		}
		select {
		case <-last:
		case <-time.After(d):
			return fmt.Errorf(".wait: no reply within %v", d)
		case <-ctx.Done():
		}
		return nil
	case ".open", ".attach", ".close":
		if len(f) < 2 {
			return fmt.Errorf("%w: %s SERVICE [from CLIENT]", errUsage, f[0])
		}
		target, clientName, err := parseTarget(strings.Join(f[1:], " "))
		if err != nil {
			return err
		}
		rc, err := r.client(ctx, clientName)
		if err != nil {
			return err
		}
		switch f[0] {
		case ".open":
			_, err = r.open(ctx, rc, target, api.OpenChannel_CREATE, "")
		case ".attach":
			if r.channel(rc, target) != nil {
				return fmt.Errorf("channel %s is already open for this client", target)
			}
			_, err = r.open(ctx, rc, target, api.OpenChannel_ATTACH, "")
		case ".close":
			ch := r.channel(rc, target)
			if ch == nil {
				return fmt.Errorf("channel %s is not open for this client", target)
			}
			status, cerr := ch.Close(ctx, api.CloseChannel_TRY_CLOSE)
			if cerr != nil {
				return cerr
			}
			r.mu.Lock()
			delete(rc.chans, target)
			r.mu.Unlock()
			r.println("closed channel named %s (%s)", target, status)
		}
		return err
	}
	return fmt.Errorf("%w: unknown command %s (try .help)", errUsage, f[0])
}
