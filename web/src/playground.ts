// The engines' playground: runs a program in pid1's sandbox through the
// ato channel service (a channel of this page's own), with standard input
// and arguments, and shows its output and the run's statistics. Where pid1
// also draws Asymptote through its asy service, Asymptote code goes there
// instead (asy.ts), with a choice of format, and the picture is shown.
// The pane exists only where pid1 has the services and its engines run
// languages (/ide/info.json says so).
import { AsyRunner, example, formats, type Format } from './asy';
import type { Chan, Conn } from './conn';
import { h, report } from './ui';
import { Stream, text as utf8text, utf8, type AtoDone, type Command } from './wire';

export interface LanguageInfo {
  id: string;
  name: string;
  version?: string;
  hello?: string;
}

// The language whose code the asy service draws.
const asymptote = 'asymptote';

export class Playground {
  private chan: Chan | null = null;
  private lang: HTMLSelectElement;
  private format: HTMLSelectElement;
  private code: HTMLTextAreaElement;
  private io: HTMLElement;
  private stdin: HTMLTextAreaElement;
  private args: HTMLTextAreaElement;
  private out: HTMLElement;
  private picture: HTMLElement;
  private stats: HTMLElement;
  private run: HTMLButtonElement;
  private running = false;
  private withAto: boolean;
  private languages: LanguageInfo[];
  private asy: AsyRunner | null = null;

  // atoLanguages are what the ato service runs (none when pid1 has none);
  // withAsy says pid1's asy service draws Asymptote. A read-only user
  // may press Run: pid1 refuses, and the pane shows why.
  constructor(
    private conn: Conn,
    host: HTMLElement,
    atoLanguages: LanguageInfo[],
    withAsy: boolean,
  ) {
    this.withAto = atoLanguages.length > 0;
    let languages = atoLanguages;
    if (withAsy) {
      const drawn = { id: asymptote, name: 'Asymptote', ...atoLanguages.find((l) => l.id === asymptote), hello: example };
      languages = this.withAto ? atoLanguages.map((l) => (l.id === asymptote ? drawn : l)) : [drawn];
      if (!languages.includes(drawn)) languages.push(drawn);
    }
    this.languages = languages;
    this.lang = h('select#pg-lang', { onchange: () => this.pickLanguage() });
    for (const l of languages) this.lang.append(h('option', { value: l.id }, l.version ? `${l.name} (${l.version})` : l.name));
    const first = languages.find((l) => l.id === 'python') ?? languages[0];
    if (first) this.lang.value = first.id;
    this.code = h('textarea#pg-code', { spellcheck: 'false', placeholder: 'code' });
    this.stdin = h('textarea#pg-stdin', { spellcheck: 'false', placeholder: 'standard input' });
    this.args = h('textarea#pg-args', { spellcheck: 'false', placeholder: 'arguments, one a line' });
    this.format = h('select#pg-format', { title: 'format of the picture' });
    for (const f of formats) this.format.append(h('option', { value: f }, f.toUpperCase()));
    this.run = h('button#pg-run', { onclick: () => this.click() }, 'Run');
    this.io = h('div.pg-io', {}, this.stdin, this.args);
    this.out = h('pre#pg-out');
    this.picture = h('div#pg-picture');
    this.stats = h('div#pg-stats');
    host.append(h('div.pg-bar', {}, this.lang, this.format, this.run), this.code, this.io, this.out, this.picture, this.stats);
    if (withAsy) this.asy = new AsyRunner(conn, { out: this.out, picture: this.picture, status: this.stats });
    this.pickLanguage();
  }

  // drawing: the code goes to the asy service.
  private get drawing(): boolean {
    return this.asy !== null && this.lang.value === asymptote;
  }

  private pickLanguage(): void {
    const l = this.languages.find((x) => x.id === this.lang.value);
    if (l?.hello && (!this.code.value || this.languages.some((x) => x.hello === this.code.value))) this.code.value = l.hello;
    // Asymptote's tasks take neither standard input nor arguments.
    this.io.hidden = this.drawing;
    this.format.hidden = !this.drawing;
    this.picture.hidden = !this.drawing;
  }

  start(): void {
    this.asy?.start();
    if (!this.withAto) return;
    this.conn.channel('ato', undefined, {
      open: (ch) => (this.chan = ch),
      command: (cmd) => this.command(cmd),
      closed: () => {
        this.chan = null;
        if (this.running && !this.drawing) this.finish('the connection closed during the run');
      },
    });
  }

  private click(): void {
    if (this.drawing) {
      this.draw();
      return;
    }
    if (!this.chan) return;
    if (this.running) {
      this.chan.request({ atoKill: {} }).catch((e) => report('stopping the run', e));
      return;
    }
    this.out.replaceChildren();
    this.stats.textContent = '';
    delete this.stats.dataset.status;
    const args = this.args.value.split('\n').filter((a, i, all) => a !== '' || i < all.length - 1);
    this.busy(true);
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
      .catch((e: Error) => {
        this.stats.dataset.status = 'failed'; // refused (read-only, say) or cut off
        this.finish(e.message);
      });
  }

  private draw(): void {
    const asy = this.asy!;
    if (this.running) {
      asy.kill();
      return;
    }
    this.busy(true);
    void asy.run(this.code.value, this.format.value as Format).finally(() => this.busy(false));
  }

  // busy turns Run into Kill while a run goes on; the language stays.
  private busy(on: boolean): void {
    this.running = on;
    this.run.textContent = on ? 'Kill' : 'Run';
    this.lang.disabled = on;
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
    this.busy(false);
    if (!this.stats.textContent) this.stats.textContent = text;
  }

  output(): string {
    return this.out.textContent ?? '';
  }
}
