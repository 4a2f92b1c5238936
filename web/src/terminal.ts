// A terminal pane: xterm.js on a terminal channel (shell, or shellrun2 for
// the Run console). Keys go to the channel as input, output is written to
// the screen, the pty follows the pane's size, and after a reconnect the
// screen is cleared before pid1 replays the scrollback.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { Chan, Conn } from './conn';
import { notify } from './ui';
import type { Command } from './wire';

export interface TermOptions {
  service: string;
  name: string;
  readOnly: boolean;
  onCommand?: (cmd: Command) => void; // everything else on the channel
  onOpen?: (ch: Chan) => void;
}

export class TermPane {
  readonly term: Terminal;
  private fit = new FitAddon();
  chan: Chan | null = null;
  private resizeTimer: ReturnType<typeof setTimeout> | null = null;
  private text = ''; // what was printed, for the tests' hook (last 64 KiB)
  sent: [number, number] | null = null; // the size last sent to the pty (rows, cols)
  opens = 0; // times the channel opened (for the tests' hook)

  constructor(
    private conn: Conn,
    private host: HTMLElement,
    private opts: TermOptions,
  ) {
    this.term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      disableStdin: opts.readOnly,
      theme: { background: '#1e1f22', foreground: '#dcdfe4' },
    });
    this.term.loadAddon(this.fit);
  }

  start(): void {
    this.term.open(this.host);
    this.term.onData((d) => {
      if (this.opts.readOnly) return;
      this.chan?.send({ input: d });
    });
    this.term.onResize(({ rows, cols }) => this.sendSize(rows, cols));
    this.term.attachCustomKeyEventHandler((e) => this.keys(e));
    new ResizeObserver(() => {
      if (this.resizeTimer) clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.refit(), 50);
    }).observe(this.host);
    this.refit();
    this.conn.channel(this.opts.service, this.opts.name, {
      open: (ch) => {
        this.chan = ch;
        this.opens++;
        // pid1 replays the scrollback on attach: start from a clean screen.
        this.term.reset();
        this.text = '';
        this.sendSize(this.term.rows, this.term.cols);
        this.opts.onOpen?.(ch);
      },
      command: (cmd) => {
        if (cmd.body === 'output') {
          this.term.write(cmd.output ?? '');
          this.text = (this.text + (cmd.output ?? '')).slice(-65536);
        } else {
          this.opts.onCommand?.(cmd);
        }
      },
      closed: () => (this.chan = null),
    });
  }

  refit(): void {
    if (this.host.offsetWidth === 0 || this.host.offsetHeight === 0) return;
    try {
      this.fit.fit();
    } catch {
      // not laid out yet; the next resize fits it
    }
  }

  private sendSize(rows: number, cols: number): void {
    if (this.opts.readOnly || !this.chan) return;
    this.chan.send({ resizeTerm: { rows, cols } });
    this.sent = [rows, cols];
  }

  // keys: Ctrl+Shift+C copies, Ctrl+Shift+V pastes, and Ctrl+C copies when
  // something is selected (otherwise it is ^C for the program).
  private keys(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown' || !e.ctrlKey) return true;
    const k = e.key.toLowerCase();
    if (k === 'c' && (e.shiftKey || this.term.hasSelection())) {
      const sel = this.term.getSelection();
      if (sel) {
        navigator.clipboard?.writeText(sel).catch(() => notify('The browser did not allow copying', 'error'));
        this.term.clearSelection();
      }
      e.preventDefault();
      return false;
    }
    if (k === 'v' && e.shiftKey) {
      if (!navigator.clipboard?.readText) {
        notify('This browser gives no clipboard here; paste with the context menu', 'error');
      } else {
        navigator.clipboard.readText().then((t) => this.term.paste(t)).catch(() => notify('The browser did not allow pasting', 'error'));
      }
      e.preventDefault();
      return false;
    }
    return true;
  }

  // output is what this terminal printed since it (re)attached.
  output(): string {
    return this.text;
  }

  // screen is the visible rows as text.
  screen(): string {
    const b = this.term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < b.length; i++) rows.push(b.getLine(i)?.translateToString(true) ?? '');
    return rows.join('\n');
  }
}
