// The Run button and its console: shellrun2, one terminal that runs the
// workspace's program (runMain) and is a shell the rest of the time. The
// button stops what runs; the label beside it tells the state and how the
// last run ended.
import type { Conn } from './conn';
import { TermPane } from './terminal';
import type { Identity } from './token';
import { h } from './ui';
import { State, type Command } from './wire';

export class RunPane {
  readonly console: TermPane;
  private running = false;
  private failed = '';
  private exit: number | null = null; // the last run's exit code, when pid1 said
  private button: HTMLButtonElement;
  private label: HTMLElement;
  runs = 0; // runs seen ending (for the tests' hook)

  constructor(conn: Conn, me: Identity, consoleHost: HTMLElement, buttonHost: HTMLElement) {
    this.button = h('button#run', { title: 'run the workspace (runMain)', disabled: me.readOnly, onclick: () => this.click() }, '▶ Run');
    this.label = h('span#run-state', {}, '');
    buttonHost.append(this.button, this.label);
    this.console = new TermPane(conn, consoleHost, {
      service: 'shellrun2',
      name: 'shellrun2',
      readOnly: me.readOnly,
      onCommand: (cmd) => this.command(cmd),
    });
  }

  start(): void {
    this.console.start();
  }

  private click(): void {
    const ch = this.console.chan;
    if (!ch) return;
    if (this.running) ch.send({ clear: {} });
    else ch.send({ runMain: {} });
    this.console.term.focus();
  }

  private command(cmd: Command): void {
    switch (cmd.body) {
      case 'state': {
        const running = cmd.state === State.Running;
        if (running && !this.running) {
          this.failed = '';
          this.exit = null;
          this.show('running…', 'running');
        } else if (!running && this.running) {
          this.runs++;
          const code = this.exit === null ? '' : `exited ${this.exit}`;
          if (this.failed) this.show(code ? `${code} (${this.failed})` : this.failed, 'failed');
          else this.show(code || 'finished', this.exit ? 'failed' : 'ok');
        }
        this.running = running;
        this.button.textContent = running ? '■ Stop' : '▶ Run';
        break;
      }
      case 'error':
        if (this.running || !cmd.ref) {
          this.failed = cmd.error ?? 'failed';
          if (!this.running) this.show(this.failed, 'failed');
        }
        break;
      case 'outputBlockEndEvent':
        this.exit = cmd.outputBlockEndEvent?.exitCode ?? 0;
        break;
      case 'execInfo':
        this.label.title = (cmd.execInfo?.command ?? []).join(' ');
        break;
      case 'hint':
        this.console.term.write(`\r\n\x1b[33m${cmd.hint?.text ?? ''}\x1b[0m\r\n`);
        break;
    }
  }

  private show(text: string, kind: string): void {
    this.label.textContent = text;
    this.label.dataset.kind = kind;
  }
}
