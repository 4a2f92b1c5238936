// The connection to pid1: one @replit/crosis Client on /wsv2/{token} of the
// page's own origin. crosis reconnects by itself after a cut and reopens
// every channel; each pane registers a handler that is told when its
// channel opens (again), what arrives on it and when it closes.
import { Client, ConnectionState, FetchConnectionMetadataError } from '@replit/crosis';
import type { Channel } from '@replit/crosis';
import type { Command } from './wire';
import type { Identity } from './token';

export interface ChannelHandler {
  // open runs on every (re)open with a fresh channel; the first command on
  // it (an otstatus, a roster, a scrollback) arrives after.
  open?(ch: Chan): void;
  command?(cmd: Command, ch: Chan): void;
  // closed runs when the channel goes; willReconnect tells whether crosis
  // will open it again.
  closed?(willReconnect: boolean): void;
}

// Chan is one open channel. Sending on a channel that closed meanwhile is
// refused here (crosis would tear the whole client down).
export class Chan {
  constructor(private ch: Channel) {}

  get open(): boolean {
    return this.ch.status === 'open';
  }

  send(cmd: Command): boolean {
    if (!this.open) return false;
    this.ch.send(cmd as never);
    return true;
  }

  // request sends cmd and resolves with the answer carrying its ref; it
  // rejects when the channel closes first or the answer is an error.
  async request(cmd: Command): Promise<Command> {
    if (!this.open) throw new Error('not connected');
    const res = (await this.ch.request(cmd as never)) as unknown as Command;
    if (res.channelClosed) throw new Error('the connection closed before pid1 answered');
    if (res.error) throw new Error(res.error);
    return res;
  }
}

export type State = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export class Conn {
  readonly client = new Client<null>();
  private stateFns: ((s: State, detail: string) => void)[] = [];
  private everConnected = false;
  failures = 0; // attempts that failed since the last connect
  state: State = 'connecting';

  constructor(readonly me: Identity) {}

  onState(fn: (s: State, detail: string) => void): void {
    this.stateFns.push(fn);
  }

  private set(s: State, detail = ''): void {
    this.state = s;
    for (const fn of this.stateFns) fn(s, detail);
  }

  start(): void {
    this.client.setUnrecoverableErrorHandler((e) => {
      this.set('failed', e.message);
    });
    this.client.onConnectionStateChange((s) => {
      if (s === ConnectionState.CONNECTED) {
        this.everConnected = true;
        this.failures = 0;
        this.set('connected');
      } else if (s === ConnectionState.DISCONNECTED && this.state !== 'failed') {
        this.set(this.everConnected ? 'reconnecting' : 'connecting');
      }
    });
    this.client.onDebugLog((log) => {
      if (log.type === 'breadcrumb' && log.message === 'status:retrying') {
        this.failures++;
        if (this.failures >= 3) void this.diagnose();
      }
    });
    this.client.open(
      {
        context: null,
        timeout: 10000,
        // Quicker than crosis's default (1.7^n s up to 15 s): a local pid1
        // that restarts is back within a second or two.
        getNextRetryDelayMs: (n: number) => Math.min(250 * 1.6 ** n, 5000) + Math.random() * 250,
        fetchConnectionMetadata: async () => {
          if (this.me.expires && this.me.expires.getTime() < Date.now()) {
            this.set(this.state, `your token expired at ${this.me.expires.toLocaleString()}: ask for a new URL (pid1 token -url)`);
            return { error: FetchConnectionMetadataError.Retriable };
          }
          const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
          return { token: this.me.token, gurl: `${scheme}//${location.host}`, conmanURL: '', dotdevHostname: '', error: null };
        },
      },
      () => {
        return () => {};
      },
    );
  }

  // diagnose tells a pid1 that is down from one that refuses the token.
  private async diagnose(): Promise<void> {
    let up = false;
    try {
      up = (await fetch('/healthz', { cache: 'no-store' })).ok;
    } catch {
      up = false;
    }
    if (this.state === 'connected' || this.state === 'failed') return;
    this.set(
      this.state,
      up
        ? 'pid1 is up but refuses the connection: the token may be expired or made for another pid1 (pid1 token -url makes a new one)'
        : `pid1 does not answer (tried ${this.failures} times); still trying`,
    );
  }

  // channel opens a channel (again after every reconnect) and returns the
  // function that closes it for good.
  channel(service: string, name: string | undefined, h: ChannelHandler): () => void {
    return this.client.openChannel({ service, name }, ({ channel }) => {
      if (!channel) return;
      const ch = new Chan(channel);
      channel.onCommand((cmd) => h.command?.(cmd as unknown as Command, ch));
      h.open?.(ch);
      return ({ willReconnect }) => h.closed?.(willReconnect);
    });
  }
}
