// The engines' playground: runs a program in pid1's sandbox through the
// ato channel service (a channel of this page's own), with standard input
// and arguments, and shows its output and the run's statistics. The pane
// exists only where pid1 has the service and its engines run languages
// (/ide/info.json says so).
import type { Chan, Conn } from './conn';
import type { Identity } from './token';
import { h, report } from './ui';
import { Stream, text as utf8text, utf8, type AtoDone, type Command } from './wire';

export interface LanguageInfo {
  id: string;
  name: string;
  version?: string;
  hello?: string;
}

export class Playground {
  private chan: Chan | null = null;
  private lang: HTMLSelectElement;
  private code: HTMLTextAreaElement;
  private stdin: HTMLTextAreaElement;
  private args: HTMLTextAreaElement;
  private out: HTMLElement;
  private stats: HTMLElement;
  private run: HTMLButtonElement;
  private running = false;

  constructor(
    private conn: Conn,
    me: Identity,
    host: HTMLElement,
    private languages: LanguageInfo[],
  ) {
    this.lang = h('select#pg-lang', { onchange: () => this.pickHello() });
    for (const l of languages) this.lang.append(h('option', { value: l.id }, l.version ? `${l.name} (${l.version})` : l.name));
    const first = languages.find((l) => l.id === 'python') ?? languages[0];
    if (first) this.lang.value = first.id;
    this.code = h('textarea#pg-code', { spellcheck: 'false', placeholder: 'code' });
    this.stdin = h('textarea#pg-stdin', { spellcheck: 'false', placeholder: 'standard input' });
    this.args = h('textarea#pg-args', { spellcheck: 'false', placeholder: 'arguments, one a line' });
    this.run = h('button#pg-run', { disabled: me.readOnly, onclick: () => this.click() }, 'Run');
    this.out = h('pre#pg-out');
    this.stats = h('div#pg-stats');
    host.append(h('div.pg-bar', {}, this.lang, this.run), this.code, h('div.pg-io', {}, this.stdin, this.args), this.out, this.stats);
    this.pickHello();
  }

  private pickHello(): void {
    const l = this.languages.find((x) => x.id === this.lang.value);
    if (l?.hello && (!this.code.value || this.languages.some((x) => x.hello === this.code.value))) this.code.value = l.hello;
  }

  start(): void {
    this.conn.channel('ato', undefined, {
      open: (ch) => (this.chan = ch),
      command: (cmd) => this.command(cmd),
      closed: () => {
        this.chan = null;
        if (this.running) this.finish('the connection closed during the run');
      },
    });
  }

  private click(): void {
    if (!this.chan) return;
    if (this.running) {
      this.chan.request({ atoKill: {} }).catch((e) => report('stopping the run', e));
      return;
    }
    this.out.replaceChildren();
    this.stats.textContent = '';
    const args = this.args.value.split('\n').filter((a, i, all) => a !== '' || i < all.length - 1);
    this.running = true;
    this.run.textContent = 'Kill';
    this.chan
      .request({
        atoRun: {
          language: this.lang.value,
          code: utf8.encode(this.code.value),
          input: utf8.encode(this.stdin.value),
          arguments: args.filter((a) => a !== '').map((a) => utf8.encode(a)),
        },
      })
      .then((res) => this.done(res.atoDone ?? {}))
      .catch((e: Error) => this.finish(e.message));
  }

  private command(cmd: Command): void {
    if (cmd.body === 'atoOutput' && cmd.atoOutput) {
      const span = h('span', {}, utf8text(cmd.atoOutput.data));
      if (cmd.atoOutput.stream === Stream.Stderr) span.classList.add('stderr');
      this.out.append(span);
    }
  }

  private done(d: AtoDone): void {
    const ms = (ns?: number) => `${((ns ?? 0) / 1e6).toFixed(1)} ms`;
    const statuses: Record<string, string> = {
      exited: `exited ${d.statusValue ?? 0}`,
      killed: `ended by signal ${d.statusValue ?? 0}`,
      core_dumped: `dumped core (signal ${d.statusValue ?? 0})`,
    };
    const status = statuses[d.statusType ?? ''] ?? `${d.statusType || 'ended'} (${d.statusValue ?? 0})`;
    const parts = [
      status,
      d.timedOut ? 'timed out' : '',
      d.killed ? 'stopped by Kill' : '',
      `real ${ms(d.real)}`,
      `user ${ms(d.user)}`,
      `kernel ${ms(d.kernel)}`,
      `max memory ${(d.maxMem ?? 0).toLocaleString()} KiB`,
      `${d.waits ?? 0} waits, ${d.preemptions ?? 0} preemptions`,
      `page faults ${d.majorPageFaults ?? 0} major, ${d.minorPageFaults ?? 0} minor`,
      `I/O ${d.inputOps ?? 0} in, ${d.outputOps ?? 0} out`,
      d.stdoutTruncated ? 'stdout truncated' : '',
      d.stderrTruncated ? 'stderr truncated' : '',
    ].filter(Boolean);
    this.stats.dataset.status = d.statusType ?? '';
    this.finish(parts.join(' · '));
  }

  private finish(text: string): void {
    this.running = false;
    this.run.textContent = 'Run';
    if (!this.stats.textContent) this.stats.textContent = text;
  }

  output(): string {
    return this.out.textContent ?? '';
  }
}
