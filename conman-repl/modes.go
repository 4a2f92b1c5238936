package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/peterh/liner"
)

// maxLine is the longest script line read.
const maxLine = 16 << 20

// replyWait is the longest scripted mode waits for the reply to a command
// while nothing at all is printed.
const replyWait = 3 * time.Second

// scripted runs each line of in; with echo it prints "> line" first, so the
// output reads as a transcript. After each line it waits for the reply to
// a request, and then until settle passes without output. Many commands,
// like chatMessage, are answered by nothing but a broadcast, and a command
// that keeps running, like a long exec, answers only when it ends: once
// something was printed after the line was sent and then settle passed
// without output, the next line goes (that is how a transcript shows
// "Already running"), and a reply that never comes is waited for at most
// replyWait.
func (r *repl) scripted(ctx context.Context, in io.Reader, echo bool, settle time.Duration) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	defer func() {
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("a line is longer than %d MiB", maxLine>>20)
			}
			r.println("error: reading the script: %s", oneLine(err))
			r.fail()
		}
	}()
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if echo {
			r.println("> %s", line)
		}
		reply, err := r.exec(ctx, line)
		if err != nil {
			r.println("error: %s", oneLine(err))
			r.fail()
			continue
		}
		if reply != nil && !r.awaitReply(ctx, reply, settle) {
			return
		}
		r.settle(ctx, settle)
	}
}

// awaitReply waits for reply, or until something printed after now has
// been followed by settle of quiet, or for replyWait. It reports false if
// ctx ended.
func (r *repl) awaitReply(ctx context.Context, reply <-chan struct{}, settle time.Duration) bool {
	sent := time.Now().UnixNano()
	give := time.NewTimer(replyWait)
	defer give.Stop()
	tick := time.NewTicker(settle / 5)
	defer tick.Stop()
	for {
		select {
		case <-reply:
			return true
		case <-give.C:
			return true
		case <-ctx.Done():
			return false
		case <-tick.C:
			if last := r.lastOutput.Load(); last > sent && time.Since(time.Unix(0, last)) >= settle {
				return true
			}
		}
	}
}

// settle waits at least d, and then until nothing has been printed for d.
func (r *repl) settle(ctx context.Context, d time.Duration) {
	for {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return
		}
		if time.Since(time.Unix(0, r.lastOutput.Load())) >= d {
			return
		}
	}
}

// interactive reads lines with editing and history until EOF or Ctrl-D.
func (r *repl) interactive(ctx context.Context) error {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	histPath := ""
	if home, err := os.UserHomeDir(); err == nil {
		histPath = filepath.Join(home, ".conman_repl_history")
		if f, err := os.Open(histPath); err == nil {
			ln.ReadHistory(f)
			f.Close()
		}
	}
	r.println("conman-repl: type .help for commands, Ctrl-D to quit")
	for {
		line, err := ln.Prompt("> ")
		if errors.Is(err, liner.ErrPromptAborted) {
			continue
		}
		if err != nil {
			break
		}
		if strings.TrimSpace(line) != "" {
			ln.AppendHistory(line)
		}
		if _, err := r.exec(ctx, line); err != nil {
			r.println("error: %s", oneLine(err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	if histPath != "" {
		if f, err := os.Create(histPath); err == nil {
			ln.WriteHistory(f)
			f.Close()
		}
	}
	return nil
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
