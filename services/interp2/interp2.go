package interp2

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/middleware/terminal"
)

// Descriptor registers the service on the terminal stack, with the
// filter that takes the REPLs' prompt marks out of the output.
func Descriptor(deps jobs.Deps) services.Descriptor { return EnsuringDescriptor(deps, nil) }

// EnsuringDescriptor is Descriptor whose runMain first calls ensure when
// the workspace's .replit asks for it ([packager.features] guessImports =
// true): the tools' output appears on the terminal, and the main file
// runs once ensure returned, whatever it returned (an error is printed).
func EnsuringDescriptor(deps jobs.Deps, ensure services.EnsurePackages) services.Descriptor {
	return services.Descriptor{Name: "interp2", WellKnown: "interp2", Starts: true, Writes: terminal.Writes.With("runMain", "clear"),
		New: func(ch services.Channel) (services.Service, error) {
			var marks *markChannel
			st := terminal.Stack{Filter: func(c services.Channel) services.Channel {
				marks = &markChannel{Channel: c}
				return marks
			}}
			return st.New(func(k terminal.Kit) (services.Service, error) {
				in, err := newInterp(deps, k, ensure)
				if err == nil {
					marks.watcher = in
				}
				return in, err
			})(ch)
		}}
}

type interp struct {
	sup      *jobs.Supervisor
	kit      terminal.Kit
	ch       services.Channel
	job      *jobs.Job
	n        int  // the number of the REPL started last, in its prompt mark
	running  bool // user code runs (between runMain and the next prompt)
	draining bool // pid1 is stopping: no new REPL

	ensure   services.EnsurePackages // nil: never
	ensuring context.CancelFunc      // stops the ensure before a runMain; nil when none is under way
}

func newInterp(deps jobs.Deps, k terminal.Kit, ensure services.EnsurePackages) (*interp, error) {
	if err := deps.Check("interp2"); err != nil {
		return nil, err
	}
	in := &interp{sup: jobs.New(deps, k.Channel), kit: k, ch: k.Channel, ensure: ensure}
	if err := in.start(false); err != nil {
		return nil, err
	}
	return in, nil
}

// argv is how REPL number n starts, running the main file first when
// withMain.
func (in *interp) argv(n int, withMain bool) ([]string, error) {
	deps := in.sup.Deps()
	cfg, err := language.Load(deps.Workspace, "", deps.Language)
	if errors.Is(err, language.ErrNothingToRun) && !withMain {
		// A REPL needs no file: the workspace's language's, or Python's.
		if cfg.Language == "" {
			cfg = language.Config{Language: "python3", Entrypoint: "main.py"}
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	ps1 := markLiteral(n)
	switch cfg.Language {
	case "python3":
		code := "import sys; sys.ps1 = " + ps1 + " + '>>> '; sys.ps2 = '... '"
		if withMain {
			code += fmt.Sprintf("; sys.argv = [%q]; exec(compile(open(%q).read(), %q, 'exec'))", cfg.Entrypoint, cfg.Entrypoint, cfg.Entrypoint)
		}
		return []string{"python3", "-q", "-i", "-c", code}, nil
	case "nodejs":
		code := "const repl = require('repl');"
		if withMain {
			code += fmt.Sprintf(" const m = require(%q);", "./"+cfg.Entrypoint)
		}
		code += " const r = repl.start({ prompt: " + ps1 + " + '> ' });"
		if withMain {
			code += " Object.assign(r.context, m);"
		}
		return []string{"node", "-e", code}, nil
	}
	return nil, fmt.Errorf("interp2 has no REPL for %s; run it with run2", cfg.Language)
}

// start kills the current REPL, if any, and starts a new one.
func (in *interp) start(withMain bool) error {
	argv, err := in.argv(in.n+1, withMain)
	if err != nil {
		return err
	}
	deps := in.sup.Deps()
	spec, err := termed.Spec(in.kit.Term, deps.Spec("", argv))
	if err != nil {
		return err // before kill: the REPL that runs stays
	}
	in.kill()
	j, err := in.sup.Start(spec, in.kit.Term.Drain, in.exited)
	if err != nil {
		return err
	}
	in.n++
	in.job = j
	return nil
}

func (in *interp) kill() {
	if in.job != nil {
		in.job.Stop()
		in.job = nil
	}
}

// exited: the REPL ended (exit(), ^D, a crash); a fresh one starts.
func (in *interp) exited(st reaper.Status, _ error) {
	in.job = nil
	if in.draining {
		return
	}
	in.setRunning(false, st.ExitCode())
	if err := in.start(false); err != nil {
		services.Broadcast(in.ch, services.ErrorCommand(err.Error()))
	}
}

// prompted is called by the prompt middleware: if REPL n is the current
// one, user code is done.
func (in *interp) prompted(n int) {
	if n == in.n {
		in.setRunning(false, 0)
	}
}

// setRunning says whether user code runs: state, and the output block
// around what it prints, which ends with exitCode (0 when the REPL
// prompts again).
func (in *interp) setRunning(r bool, exitCode int) {
	if in.running == r {
		return
	}
	in.running = r
	if r {
		services.Broadcast(in.ch, services.State(true))
		services.Broadcast(in.ch, services.BlockStart(api.OutputBlockStartEvent_Interpret))
		return
	}
	services.Broadcast(in.ch, services.BlockEnd(exitCode))
	services.Broadcast(in.ch, services.State(false))
}

func (in *interp) Attach(s services.Session) { services.To(in.ch, s.ID, services.State(in.running)) }

func (in *interp) Command(s services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		in.stopEnsuring()
		in.kit.Scrollback.Clear()
		in.setRunning(true, 0)
		if in.ensure != nil {
			if pc, err := language.PackagerConfig(in.sup.Deps().Workspace); err == nil && pc.GuessImports {
				in.ensureThenStart()
				return nil
			}
		}
		return in.startMain()
	case *api.Command_Clear:
		in.stopEnsuring()
		in.kit.Scrollback.Clear()
		in.setRunning(false, services.ExitKilled)
		return in.start(false)
	}
	return fmt.Errorf("interp2 takes runMain, clear, input, resizeTerm and saneTerm, not %s", services.BodyName(cmd))
}

// startMain starts a REPL that runs the main file first.
func (in *interp) startMain() error {
	if err := in.start(true); err != nil {
		in.setRunning(false, services.ExitNotStarted)
		return err
	}
	return nil
}

// ensureThenStart runs ensure off the actor, with no REPL meanwhile (one
// that prompted would end the run), its output on the terminal, and starts
// the main file when it returns, unless clear or another runMain came
// first.
func (in *interp) ensureThenStart() {
	in.kill()
	ctx, cancel := context.WithCancel(in.ch.Context())
	in.ensuring = cancel
	output := func(text string) {
		services.Broadcast(in.ch, &api.Command{Body: &api.Command_Output{Output: strings.ReplaceAll(text, "\n", "\r\n")}})
	}
	in.ch.Go(func(context.Context) {
		err := in.ensure(ctx, func(text string) {
			in.ch.Post(func() {
				if ctx.Err() == nil {
					output(text)
				}
			})
		})
		in.ch.Post(func() {
			if ctx.Err() != nil {
				return // cleared, run again, or the channel closed
			}
			cancel()
			in.ensuring = nil
			if err != nil {
				output("packager2: " + err.Error() + "\n")
			}
			if err := in.startMain(); err != nil {
				services.Broadcast(in.ch, services.ErrorCommand(err.Error()))
			}
		})
	})
}

// stopEnsuring stops waiting for ensure, if it is under way.
func (in *interp) stopEnsuring() {
	if in.ensuring != nil {
		in.ensuring()
		in.ensuring = nil
	}
}

// Drain asks the REPL to end and starts no other.
func (in *interp) Drain(ctx context.Context) {
	in.stopEnsuring()
	in.draining = true
	if in.job != nil {
		in.job.Terminate(ctx)
	}
}

func (in *interp) Close() {
	in.stopEnsuring()
	in.kill()
}
