// Asymptote in the playground: runs the pane's code through the asy
// channel service (a channel of this page's own) and shows what asy
// writes, its error, and the picture.
//
// The picture never becomes markup in the page: an SVG made by user code
// may carry scripts and links, so every picture is shown through an <img>
// whose src is a blob: URL (an image runs no scripts and loads nothing),
// which the page's Content-Security-Policy allows (img-src blob:). Each
// picture can also be downloaded from its blob: URL as out.svg, out.png or
// out.pdf; a PDF is offered for download only.
import type { Chan, Conn } from './conn';
import { h, report } from './ui';
import { Stream, text as utf8text, utf8, type Command } from './wire';

export const formats = ['svg', 'png', 'pdf'] as const;
export type Format = (typeof formats)[number];

// example is the code the pane starts with in Asymptote: it draws.
export const example = 'size(100);\nfill(unitcircle, lightblue);\ndraw(unitcircle);\nwrite("Hello, World!");\n';

const types: Record<Format, string> = { svg: 'image/svg+xml', png: 'image/png', pdf: 'application/pdf' };
const isFormat = (f: string): f is Format => (formats as readonly string[]).includes(f);

// AsyView is where the task is shown.
export interface AsyView {
  out: HTMLElement; // what asy writes
  picture: HTMLElement; // the picture and its download link
  status: HTMLElement; // the queue, then how the task ended
}

export class AsyRunner {
  private chan: Chan | null = null;
  private url: string | null = null;
  private running = false;

  constructor(
    private conn: Conn,
    private view: AsyView,
  ) {}

  start(): void {
    this.conn.channel('asy', undefined, {
      open: (ch) => (this.chan = ch),
      command: (cmd) => this.command(cmd),
      closed: () => (this.chan = null),
    });
  }

  // run draws code as format; it resolves when the task has ended, however
  // it ended (which the view shows).
  async run(code: string, format: Format): Promise<void> {
    this.view.out.replaceChildren();
    this.clearPicture();
    this.setStatus('', '');
    const ch = this.chan;
    if (!ch) {
      this.setStatus('failed', 'not connected to pid1');
      return;
    }
    this.running = true;
    this.setStatus('sent', 'sent to asy…');
    // The answer is asyComplete; a refusal (read-only, a full queue) or
    // the channel closing meanwhile rejects.
    const error = await ch
      .request({ asyRun: { files: [{ filename: 'main.asy', contents: utf8.encode(code) }], main: 'main.asy', format, stderrApart: true } })
      .then(
        (res) => this.outcome(res),
        (e: Error) => e.message,
      );
    this.running = false;
    if (error) this.setStatus('failed', error);
    else this.setStatus('done', this.view.picture.childElementCount ? 'done' : 'done: no picture');
  }

  // outcome is the error an answer to asyRun says ('' for none).
  private outcome(res: Command): string {
    if (res.asyComplete) return res.asyComplete.error ?? '';
    // The page sends every file's contents, so nothing is ever missing.
    if (res.asyMissing) return 'pid1 asked for files this page did not ask it to restore';
    return `pid1 answered the task with ${res.body ?? 'nothing'}`;
  }

  kill(): void {
    this.chan?.request({ asyKill: {} }).catch((e) => report('stopping the task', e));
  }

  private command(cmd: Command): void {
    if (!this.running) return;
    if (cmd.body === 'asyStatus' && cmd.asyStatus) {
      const { estimate = 0, announcement = '' } = cmd.asyStatus;
      this.setStatus('queued', `waiting for a turn (about ${estimate.toFixed(1)} s)${announcement ? ' · ' + announcement : ''}`);
    } else if (cmd.body === 'asyOutput' && cmd.asyOutput) {
      const data = cmd.asyOutput.data;
      if (!data || data.length === 0) {
        this.setStatus('running', 'asy is running…');
        return;
      }
      const span = h('span', {}, utf8text(data));
      if (cmd.asyOutput.stream === Stream.Stderr) span.classList.add('stderr');
      this.view.out.append(span);
    } else if (cmd.body === 'asyResult' && cmd.asyResult) {
      this.showPicture(cmd.asyResult.format ?? '', cmd.asyResult.image ?? new Uint8Array());
    }
  }

  private showPicture(format: string, image: Uint8Array): void {
    this.clearPicture();
    if (!isFormat(format)) {
      this.view.out.append(h('span.stderr', {}, `pid1 sent a picture in an unknown format ${JSON.stringify(format)}\n`));
      return;
    }
    this.url = URL.createObjectURL(new Blob([image as BlobPart], { type: types[format] }));
    const name = `out.${format}`;
    const link = h('a#pg-download', { href: this.url, download: name }, `Download ${name} (${kib(image.length)})`);
    if (format === 'pdf') {
      this.view.picture.append(link);
      return;
    }
    const img = h('img#pg-image', { src: this.url, alt: `the picture asy drew (${format.toUpperCase()})` });
    img.addEventListener('error', () => img.replaceWith(h('p.pg-note', {}, `the browser could not show this ${format.toUpperCase()}; download it instead`)));
    this.view.picture.append(img, link);
  }

  private clearPicture(): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.view.picture.replaceChildren();
  }

  private setStatus(state: string, text: string): void {
    this.view.status.dataset.status = state;
    this.view.status.textContent = text;
  }
}

const kib = (n: number): string => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);
