package audio

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/internal/jobs"
)

// Config configures a Player.
type Config struct {
	// Dir holds the pipe (audio) and the status file (audioStatus.json).
	Dir string
	// Workspace is where a request's relative path is resolved.
	Workspace string
	// User is the workspace's user: it owns the pipe, and a request may
	// play only what it may read. Nil is pid1's own user.
	User   *jobs.User
	Logger *slog.Logger
	// Chunk is the samples sent per message; zero means DefaultChunk.
	Chunk int
}

// DefaultChunk is the samples per message: 50 ms at 44,100 Hz, so a
// listener holds 50 to 100 ms of sound.
const DefaultChunk = 2205

// MaxSources bounds the sources playing at once (each holds a file open).
const MaxSources = 64

// statusEvery is how often the status file is rewritten while sound
// plays, so that Remaining counts down; changes rewrite it at once.
const statusEvery = 250 * time.Millisecond

// Player plays what the workspace's programs ask for to every subscribed
// channel. Create it with Start.
type Player struct {
	cfg        Config
	log        *slog.Logger
	pipePath   string
	statusPath string
	pipe       *os.File
	pipeInfo   os.FileInfo // the pipe as created, to remove only it
	wg         sync.WaitGroup

	mu         sync.Mutex
	sources    []*source
	nextID     int
	running    bool          // the playback loop is running
	closed     bool          // Close was called: requests are ignored
	wake       chan struct{} // an edit may have unpaused a source
	stop       chan struct{} // closed by Close
	lastStatus time.Time
	acc        []int64 // the mix before clipping

	subMu sync.Mutex
	subs  map[services.Channel]bool
}

// Start creates the pipe and the status file in cfg.Dir and reads
// requests until Close.
func Start(cfg Config) (*Player, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = DefaultChunk
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	p := &Player{
		cfg: cfg, log: cfg.Logger,
		pipePath:   filepath.Join(cfg.Dir, "audio"),
		statusPath: filepath.Join(cfg.Dir, "audioStatus.json"),
		nextID:     1,
		wake:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		subs:       make(map[services.Channel]bool),
	}
	pipe, err := makePipe(p.pipePath, cfg.User)
	if err != nil {
		return nil, fmt.Errorf("audio: creating the request pipe: %w", err)
	}
	p.pipe = pipe
	if p.pipeInfo, err = pipe.Stat(); err != nil {
		pipe.Close()
		os.Remove(p.pipePath)
		return nil, fmt.Errorf("audio: %w", err)
	}
	p.mu.Lock()
	err = p.writeStatus(time.Now())
	p.mu.Unlock()
	if err != nil {
		pipe.Close()
		os.Remove(p.pipePath)
		return nil, fmt.Errorf("audio: writing the status file: %w", err)
	}
	p.wg.Go(p.readRequests)
	return p, nil
}

// Pipe is the path programs write requests to.
func (p *Player) Pipe() string { return p.pipePath }

// StatusFile is the path of the status file.
func (p *Player) StatusFile() string { return p.statusPath }

// Close stops playback for good: the sources are dropped, IDs start over,
// the status file says Disabled, and the pipe is removed (a program that
// opens it then fails at once instead of waiting for a reader).
func (p *Player) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.stop)
	p.mu.Unlock()
	p.pipe.Close()
	p.wg.Wait()

	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.sources {
		s.st.Close()
	}
	p.sources, p.nextID = nil, 1
	if err := p.writeStatus(time.Now()); err != nil {
		p.log.Warn("audio: writing the final status", "err", err)
	}
	// Another pid1 given the same directory may have made a pipe of its
	// own there since: that one stays.
	if st, err := os.Lstat(p.pipePath); err == nil && os.SameFile(st, p.pipeInfo) {
		os.Remove(p.pipePath)
	}
}

// subscribe makes ch receive the audio.
func (p *Player) subscribe(ch services.Channel) {
	p.subMu.Lock()
	p.subs[ch] = true
	p.subMu.Unlock()
}

// unsubscribe stops sending to ch; nothing is sent to it once it returns.
func (p *Player) unsubscribe(ch services.Channel) {
	p.subMu.Lock()
	delete(p.subs, ch)
	p.subMu.Unlock()
}

// readRequests reads the pipe until Close.
func (p *Player) readRequests() {
	var sp splitter
	buf := make([]byte, 4096)
	for {
		n, err := p.pipe.Read(buf)
		docs, garbage := sp.feed(buf[:n])
		for _, g := range garbage {
			p.log.Info("audio: ignoring what is not a JSON request", "text", truncate(g))
		}
		for _, d := range docs {
			p.handle(d)
		}
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				p.log.Error("audio: reading the request pipe", "err", err)
			}
			return
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// handle acts on one request; an invalid one is logged and ignored.
func (p *Player) handle(doc []byte) {
	r, err := parseRequest(doc)
	if err == nil {
		if r.ID != nil {
			err = p.edit(r)
		} else {
			err = p.add(r, doc)
		}
	}
	if err != nil {
		p.log.Info("audio: ignoring a request", "request", truncate(doc), "reason", err)
	}
}

// add starts a new source.
func (p *Player) add(r request, doc []byte) error {
	s := &source{name: r.Name, volume: 1, loops: r.loops(), request: json.RawMessage(doc)}
	if r.Volume != nil {
		s.volume = *r.Volume
	}
	if r.Type == "tone" {
		a := *r.Args
		s.format = "tone"
		s.duration = time.Duration(a.Seconds * float64(time.Second))
		s.open = func() (stream, error) { return newTone(a), nil }
		s.st = newTone(a)
	} else {
		path := r.path()
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.cfg.Workspace, path)
		}
		if err := checkReadable(path, p.cfg.User); err != nil {
			return err
		}
		st, err := audiofile.Open(path)
		if err != nil {
			return err
		}
		s.st, s.format, s.duration = st, st.Format, st.Duration()
		s.open = func() (stream, error) { return audiofile.Open(path) }
		if s.name == "" {
			s.name = r.path()
		}
	}
	st := s.st

	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		st.Close()
		return errors.New("the player has stopped")
	case len(p.sources) >= MaxSources:
		st.Close()
		return fmt.Errorf("%d sources are playing already", MaxSources)
	}
	now := time.Now()
	s.id, s.started = p.nextID, now
	p.nextID++
	p.sources = append(p.sources, s)
	p.log.Info("audio: playing", "id", s.id, "name", s.name, "format", s.format, "duration", s.duration)
	p.changed(now)
	if !p.running {
		p.running = true
		p.wg.Go(p.play)
	}
	p.poke()
	return nil
}

// poke wakes the loop if it waits because every source was paused.
func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// edit changes a source's volume, pause and repeats.
func (p *Player) edit(r request) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s *source
	for _, x := range p.sources {
		if x.id == *r.ID {
			s = x
		}
	}
	if s == nil {
		return fmt.Errorf("no source has ID %d", *r.ID)
	}
	if r.Volume != nil {
		s.volume = *r.Volume
	}
	if r.Paused != nil {
		s.paused = *r.Paused
	}
	switch {
	case r.DoesLoop != nil && !*r.DoesLoop:
		s.loops = 0
	case r.LoopCount != nil:
		s.loops = *r.LoopCount
	}
	p.changed(time.Now())
	p.poke()
	return nil
}

// changed rewrites the status file after a change. Call with p.mu held.
func (p *Player) changed(now time.Time) {
	if err := p.writeStatus(now); err != nil {
		p.log.Warn("audio: writing the status file", "err", err)
	}
}

// writeStatus writes the status file. Call with p.mu held.
func (p *Player) writeStatus(now time.Time) error {
	st := status{Running: p.playing(), Disabled: p.closed}
	for _, s := range p.sources {
		st.Sources = append(st.Sources, s.status(now))
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	p.lastStatus = now
	return writeFileAtomic(p.statusPath, b)
}

// playing reports whether any source is unpaused. Call with p.mu held.
func (p *Player) playing() bool {
	for _, s := range p.sources {
		if !s.paused {
			return true
		}
	}
	return false
}

// play is the playback loop: it runs while there are sources.
func (p *Player) play() {
	n := p.cfg.Chunk
	out := make([]int32, n)
	var start time.Time // when the listener's buffer was primed
	var sent int64      // samples sent since then
	for {
		chunk, more := p.mix(out)
		if !more {
			return
		}
		if len(chunk) == 0 {
			// Everything is paused: wait for a change, and prime the
			// listener's buffer again when sound resumes.
			start, sent = time.Time{}, 0
			select {
			case <-p.wake:
				continue
			case <-p.stop:
				return
			}
		}
		p.send(chunk)
		now := time.Now()
		if start.IsZero() {
			start = now
		}
		sent += int64(len(chunk))
		// The first chunk is the listener's spare: the schedule starts
		// with the second, sent at once, and each after it is due when
		// the one before has played.
		due := start.Add(time.Duration(max(sent-int64(n), 0)) * time.Second / audiofile.Rate)
		if wait := time.Until(due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-p.stop:
				t.Stop()
				return
			}
		}
	}
}

// mix reads one chunk from every unpaused source into out and returns the
// mix (empty when all are paused). more is false, and the loop must end,
// when no source is left or the player is closed.
func (p *Player) mix(out []int32) (chunk []int32, more bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.sources) == 0 {
		p.running = false
		return nil, false
	}
	if len(p.acc) != len(out) {
		p.acc = make([]int64, len(out))
	}
	acc := p.acc
	clear(acc)
	length := 0
	ended := false
	for _, s := range p.sources {
		if s.paused {
			continue
		}
		k := s.read(len(out))
		for i, v := range s.buf[:k] {
			acc[i] += int64(math.Round(float64(v) * s.volume))
		}
		length = max(length, k)
		ended = ended || s.done
	}
	for i := range length {
		out[i] = clip(acc[i])
	}
	now := time.Now()
	if ended {
		kept := p.sources[:0]
		for _, s := range p.sources {
			if s.done {
				s.st.Close()
				p.log.Info("audio: finished", "id", s.id, "name", s.name)
				continue
			}
			kept = append(kept, s)
		}
		clear(p.sources[len(kept):])
		p.sources = kept
		p.changed(now)
		if len(kept) == 0 && length == 0 {
			p.running = false
			return nil, false
		}
	} else if now.Sub(p.lastStatus) >= statusEvery {
		p.changed(now)
	}
	return out[:length], true
}

// clip limits a sum of samples to the int32 range: loud, but never
// wrapped around into noise.
func clip(v int64) int32 {
	return int32(min(max(v, math.MinInt32), math.MaxInt32))
}

// send gives chunk to every subscribed channel.
func (p *Player) send(chunk []int32) {
	cmd := &api.Command{Body: &api.Command_Audio{Audio: &api.Audio{Data: chunk}}}
	p.subMu.Lock()
	defer p.subMu.Unlock()
	for ch := range p.subs {
		services.Broadcast(ch, cmd)
	}
}
