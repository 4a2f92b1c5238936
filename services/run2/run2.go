package run2

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/clippy"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/middleware/terminal"
)

// Writes are run2's commands a read-only session may not send.
var Writes = terminal.Writes.With("runMain", "clear")

// Descriptor registers the service on the terminal stack, with hints.
func Descriptor(deps jobs.Deps) services.Descriptor {
	return NewDescriptor("run2", deps, nil)
}

// EnsuringDescriptor is Descriptor whose runs first call ensure when the
// workspace's .replit asks for it ([packager.features] guessImports =
// true): the tools' output appears on the terminal, and the program runs
// once ensure returned, whatever it returned (an error is printed).
func EnsuringDescriptor(deps jobs.Deps, ensure services.EnsurePackages) services.Descriptor {
	return descriptor("run2", deps, nil, ensure)
}

// NewDescriptor registers a run2-like service under name. With idle, that
// program (a shell, for shellrun) runs on the terminal whenever the main
// program does not: runMain replaces it, and it comes back when the run
// ends.
func NewDescriptor(name string, deps jobs.Deps, idle []string) services.Descriptor {
	return descriptor(name, deps, idle, nil)
}

func descriptor(name string, deps jobs.Deps, idle []string, ensure services.EnsurePackages) services.Descriptor {
	st := terminal.Stack{Hints: clippy.Default}
	return services.Descriptor{Name: name, WellKnown: name, Starts: true, Writes: Writes,
		New: st.New(func(k terminal.Kit) (services.Service, error) { return newRun(deps, k, name, idle, ensure) })}
}

type run struct {
	sup   *jobs.Supervisor
	name  string
	kit   terminal.Kit
	ch    services.Channel
	build string // where compiled programs go

	idleArgv []string  // what runs between runs; nil for none
	idle     *jobs.Job // it, while it runs

	ensure   services.EnsurePackages // nil: never
	ensuring context.CancelFunc      // stops the ensure before a run; nil when none is under way

	step   *jobs.Job  // the step running now; nil when stopped
	steps  [][]string // what is left to run after it
	reason []string
}

func newRun(deps jobs.Deps, k terminal.Kit, name string, idle []string, ensure services.EnsurePackages) (*run, error) {
	if err := deps.Check(name); err != nil {
		return nil, err
	}
	build, err := os.MkdirTemp("", "pid1-run2-")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &run{sup: jobs.New(deps, k.Channel), name: name, kit: k, ch: k.Channel, build: build, idleArgv: idle, ensure: ensure}
	r.startIdle()
	return r, nil
}

// spawn starts argv on the terminal; exited runs on the actor when it
// ends, unless it was stopped first.
func (r *run) spawn(argv []string, exited func(reaper.Status, error)) (*jobs.Job, error) {
	deps := r.sup.Deps()
	spec, err := termed.Spec(r.kit.Term, deps.Spec("", argv))
	if err != nil {
		return nil, err
	}
	return r.sup.Start(spec, r.kit.Term.Drain, exited)
}

// startIdle starts the idle program, if there is one and nothing runs.
func (r *run) startIdle() {
	if r.idleArgv == nil || r.step != nil || r.idle != nil {
		return
	}
	j, err := r.spawn(r.idleArgv, func(reaper.Status, error) {
		r.idle = nil // it ended by itself (exit): start another
		r.startIdle()
	})
	if err != nil {
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
		return
	}
	r.idle = j
}

func (r *run) stopIdle() {
	if r.idle != nil {
		// No SIGHUP first: a shell that gets one prints its goodbyes into
		// the program's output. Its terminal settings are restored by
		// termed.Spec.
		r.idle.Stop()
		r.idle = nil
	}
}

func (r *run) Attach(s services.Session) {
	services.To(r.ch, s.ID, services.State(r.step != nil || r.ensuring != nil))
}

func (r *run) Command(s services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		return r.runMain()
	case *api.Command_Clear:
		r.stop()
		r.kit.Scrollback.Clear()
		return nil
	}
	return fmt.Errorf("%s takes runMain, clear, input, resizeTerm and saneTerm, not %s", r.name, services.BodyName(cmd))
}

func (r *run) runMain() error {
	cfg, err := language.Load(r.sup.Deps().Workspace, r.build, r.sup.Deps().Language)
	if err != nil {
		return err
	}
	r.stop()
	r.stopIdle()
	r.kit.Scrollback.Clear()
	r.kit.Hints.SetLanguage(cfg.Language)
	r.steps, r.reason = nil, nil
	if cfg.Compile != nil {
		r.steps, r.reason = append(r.steps, cfg.Compile), append(r.reason, "compile")
	}
	r.steps, r.reason = append(r.steps, cfg.Run), append(r.reason, "run")
	services.Broadcast(r.ch, services.State(true))
	services.Broadcast(r.ch, services.BlockStart(api.OutputBlockStartEvent_Run))
	if r.ensure != nil {
		if pc, err := language.PackagerConfig(r.sup.Deps().Workspace); err == nil && pc.GuessImports {
			r.ensureThenNext()
			return nil
		}
	}
	r.next()
	return nil
}

// ensureThenNext runs ensure off the actor, its output on the terminal,
// and starts the first step when it returns, unless the run was stopped
// meanwhile.
func (r *run) ensureThenNext() {
	ctx, cancel := context.WithCancel(r.ch.Context())
	r.ensuring = cancel
	say := func(text string) {
		r.ch.Post(func() {
			if ctx.Err() == nil {
				r.output(text)
			}
		})
	}
	r.ch.Go(func(context.Context) {
		err := r.ensure(ctx, say)
		r.ch.Post(func() {
			if ctx.Err() != nil {
				return // stopped, or the channel closed
			}
			cancel()
			r.ensuring = nil
			if err != nil {
				r.output("packager2: " + err.Error() + "\n")
			}
			r.next()
		})
	})
}

// output puts text on the terminal, its lines ended as a terminal's are.
func (r *run) output(text string) {
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_Output{Output: strings.ReplaceAll(text, "\n", "\r\n")}})
}

// next starts the next step, or says the run is over.
func (r *run) next() {
	argv, reason := r.steps[0], r.reason[0]
	r.steps, r.reason = r.steps[1:], r.reason[1:]
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_ExecInfo{ExecInfo: &api.ExecInfo{Command: argv, Reason: reason}}})
	j, err := r.spawn(argv, r.exited)
	if err != nil {
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
		r.step = nil
		services.Broadcast(r.ch, services.BlockEnd(services.ExitNotStarted))
		services.Broadcast(r.ch, services.State(false))
		r.startIdle()
		return
	}
	r.step = j
}

func (r *run) exited(st reaper.Status, err error) {
	r.step.Kill() // what it left behind
	ok := err == nil && st.Code == 0 && !st.Signaled()
	if ok && len(r.steps) > 0 {
		r.next()
		return
	}
	r.step = nil
	switch {
	case err != nil:
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
	case !ok:
		services.Broadcast(r.ch, services.ErrorCommand(st.String()))
	}
	code := st.ExitCode()
	if err != nil {
		code = services.ExitNotStarted
	}
	services.Broadcast(r.ch, services.BlockEnd(code))
	services.Broadcast(r.ch, services.State(false))
	r.startIdle()
}

// stop kills the running program, if any, or stops waiting for the
// packages before it.
func (r *run) stop() {
	if r.ensuring != nil {
		r.ensuring()
		r.ensuring = nil
		services.Broadcast(r.ch, services.BlockEnd(services.ExitKilled))
		services.Broadcast(r.ch, services.State(false))
		r.startIdle()
		return
	}
	if r.step == nil {
		return
	}
	r.step.Stop()
	r.step = nil
	services.Broadcast(r.ch, services.BlockEnd(services.ExitKilled))
	services.Broadcast(r.ch, services.State(false))
	r.startIdle()
}

// Drain asks the program (and the idle shell) to end, and starts nothing
// after them.
func (r *run) Drain(ctx context.Context) {
	r.idleArgv = nil
	if r.ensuring != nil {
		r.ensuring()
	}
	jobs.TerminateAll(ctx, r.step, r.idle)
}

func (r *run) Close() {
	if r.ensuring != nil {
		r.ensuring()
	}
	r.stopIdle()
	if r.step != nil {
		r.step.Stop()
	}
	os.RemoveAll(r.build)
}
