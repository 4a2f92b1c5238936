// OTDoc is the page's side of one ot buffer (the channel ot:<path>): the
// client of the ot service's operational transforms, with the service's
// semantics (ot-text-unicode's, positions in code points).
//
//   - One op is in flight at a time; what is typed meanwhile is composed
//     into pending and sent when the server acknowledges the op in flight
//     (its own broadcast, recognised by its nonce).
//   - Every other committed op is transformed past the op in flight and
//     the pending one, then applied to the editor.
//   - Every packet's version must follow the last one, and its CRC-32 must
//     be that of the text at that version: the client keeps the server's
//     text for that. A gap, a wrong CRC or a refused op resynchronises:
//     the channel is opened again and the local text is rebased on what
//     the server has (the difference becomes a new op).
//   - After a reconnect it fetches the versions it missed, recognises its
//     op among them if it was committed, and sends again what was not
//     (with the same nonce: the service never applies an op twice).
//   - The text is written to disk (flush) on save and on a timer after
//     edits, once every edit is acknowledged.
import crc32 from 'crc-32';
import { type as ottext } from 'ot-text-unicode';
import type { TextOp } from 'ot-text-unicode';
import type { Chan, Conn } from '../conn';
import type { Command, OTCursor, OTPacket } from '../wire';
import { text as utf8text } from '../wire';
import { diffOp, fromProto, toProto } from './convert';

// DocHost is the editor side of a document.
export interface DocHost {
  text(): string; // the editor's text: server + inflight + pending
  applyRemote(op: TextOp): void; // an op (code points) against text()
  reset(text: string): void; // replace the whole text (first load)
  changed(): void; // status, version or dirtiness changed
  cursor(c: OTCursor, gone: boolean): void; // another session's cursor
  cursorsReset(cs: OTCursor[]): void; // every cursor, on (re)attach
  failed(msg: string): void; // a problem to show
  noted(msg: string): void; // something to tell that is not a problem
}

export type Status = 'loading' | 'synced' | 'sending' | 'offline' | 'error';

const flushDelay = 1000;
const flushMaxDelay = 3000;

// OfflineError is a save that could not reach pid1: the document saves
// itself once its channel is back and in step again.
export class OfflineError extends Error {
  constructor(path: string) {
    super(`not connected: ${path} is saved once the connection is back`);
  }
}

export class OTDoc {
  version = 0;
  private server = ''; // the text at version
  private inflight: TextOp | null = null;
  private nonce = 0;
  private pending: TextOp | null = null;
  private chan: Chan | null = null;
  private loaded = false; // the editor has the buffer's text
  private rebase = false; // the next otstatus replaces the base
  private catchingUp = false; // fetching after a reconnect: no sending
  private queued: OTPacket[] = []; // packets that came while catching up
  private close: (() => void) | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private firstUnflushed = 0; // when the oldest unflushed edit was made
  private flushWaiters: (() => void)[] = [];
  private saveWhenBack = false; // a save found the channel down
  private base: string | null = null; // what local edits apply to while relinking (server is '' then)
  private replaying = false; // applying the versions fetched after a reconnect
  private cursorWhere: (() => { id: string; position: number; selectionStart: number; selectionEnd: number }) | null = null;
  dirty = false; // edits not yet on disk
  diskVersion = 0;
  status: Status = 'loading';
  lastError = '';

  constructor(
    readonly path: string,
    private conn: Conn,
    private host: DocHost,
    private readOnly: boolean,
  ) {}

  get channelName(): string {
    return 'ot:' + this.path;
  }

  get synced(): boolean {
    return this.inflight === null && this.pending === null;
  }

  open(): void {
    this.close = this.conn.channel('ot', this.channelName, {
      open: (ch) => {
        this.chan = ch;
      },
      command: (cmd, ch) => this.command(cmd, ch),
      closed: () => {
        this.chan = null;
        this.catchingUp = false;
        this.setStatus('offline');
      },
    });
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.close?.();
    this.close = null;
    this.chan = null;
  }

  private setStatus(s: Status): void {
    this.status = s;
    this.host.changed();
    if (s === 'synced' && this.saveWhenBack && this.chan) {
      this.saveWhenBack = false;
      if (this.dirty) this.scheduleFlush();
    }
  }

  private fail(msg: string): void {
    this.lastError = msg;
    this.host.failed(msg);
  }

  private command(cmd: Command, ch: Chan): void {
    if (ch !== this.chan) return;
    switch (cmd.body) {
      case 'otstatus':
        void this.attached(cmd.otstatus ?? {}, ch);
        break;
      case 'ot':
        if (this.catchingUp) this.queued.push(cmd.ot!);
        else this.receive(cmd.ot!);
        break;
      case 'otNewCursor':
        this.host.cursor(cmd.otNewCursor!, false);
        break;
      case 'otDeleteCursor':
        this.host.cursor(cmd.otDeleteCursor!, true);
        break;
      case 'otFlushNotification':
        this.diskVersion = cmd.otFlushNotification!.diskVersion ?? 0;
        if (this.synced && this.diskVersion >= this.version) this.dirty = false;
        this.host.changed();
        break;
      case 'error':
        if (!cmd.ref) this.fail(cmd.error ?? 'error');
        break;
    }
  }

  // attached handles the otstatus every (re)attach starts with.
  private async attached(st: NonNullable<Command['otstatus']>, ch: Chan): Promise<void> {
    const linked = !!st.linkedFile?.path || (st.version ?? 0) > 0;
    this.host.cursorsReset(st.cursors ?? []);
    if (!linked) {
      // A buffer nobody linked yet (or a pid1 that started afresh).
      if (this.readOnly) {
        this.fail('read-only: nobody has this file open for editing, so it shows as on disk, not live');
        await this.preview(ch);
        return;
      }
      // pid1 lost the buffer (it restarted): local edits go on top of the
      // file's text as it links it now.
      if (this.loaded && this.base === null) this.base = this.server;
      this.version = 0;
      this.server = '';
      this.rebase = this.loaded;
      try {
        await ch.request({ otLinkFile: { file: { path: this.path } } });
      } catch (e) {
        // Someone else linked it first: their version 1 came to us too.
        if (!/already/.test((e as Error).message)) {
          this.fail(`opening ${this.path}: ${(e as Error).message}`);
          this.setStatus('error');
          return;
        }
      }
      return; // version 1 arrives as an ot packet: receive() loads it
    }
    const version = st.version ?? 0;
    const contents = st.contents ?? '';
    if (!this.loaded || this.rebase || version < this.version) {
      this.adopt(contents, version);
      return;
    }
    if (version > this.version) {
      this.catchingUp = true;
      try {
        const res = await ch.request({ otFetchRequest: { versionFrom: this.version + 1, versionTo: version } });
        this.catchingUp = false;
        const packets = [...(res.otFetchResponse?.packets ?? []), ...this.queued.splice(0)];
        this.replaying = true;
        try {
          for (const p of packets) {
            if (!this.receive(p)) return;
          }
        } finally {
          this.replaying = false;
        }
      } catch (e) {
        this.catchingUp = false;
        this.queued = [];
        if (ch !== this.chan) return;
        this.fail(`catching up on ${this.path}: ${(e as Error).message}`);
        this.adopt(contents, version);
        return;
      }
    }
    if (this.version === version && this.server !== contents) {
      // pid1 restarted and its history of this file is another one.
      this.host.noted(`${this.path}: pid1's text is not the one this page had; taking pid1's, with the edits made here on top`);
      this.adopt(contents, version);
      return;
    }
    // Send again what may not have arrived (the nonce makes it harmless).
    if (this.inflight) this.sendInflight();
    else this.sendPending();
    this.setStatus(this.synced ? 'synced' : 'sending');
  }

  // adopt takes the server's text and version as the base. Local edits
  // not known to be committed (in flight and pending) become pending again
  // as one op, transformed past the difference between the text they were
  // made on and the server's: what others changed meanwhile is kept, and
  // only this page's own edits are reapplied.
  private adopt(contents: string, version: number): void {
    const base = this.base ?? this.server;
    this.base = null;
    this.version = version;
    this.rebase = false;
    if (!this.loaded) {
      this.server = contents;
      this.inflight = null;
      this.host.reset(contents);
      this.loaded = true;
      this.pending = null;
    } else {
      let local: TextOp | null = this.inflight;
      if (this.pending) local = local ? ottext.compose(local, this.pending) : this.pending;
      let remote = diffOp(base, contents);
      if (local) {
        const r2 = ottext.transform(remote, local, 'left');
        local = ottext.transform(local, remote, 'right');
        remote = r2;
      }
      this.server = contents;
      this.inflight = null;
      if (remote.length) this.host.applyRemote(remote);
      local = local ? ottext.normalize(local) : null;
      this.pending = local && local.length ? local : null;
    }
    this.setStatus(this.synced ? 'synced' : 'sending');
    this.sendPending();
  }

  // preview shows the file as on disk for a read-only user on a buffer
  // nobody linked; the first packet (someone linked it) replaces it.
  private async preview(ch: Chan): Promise<void> {
    void ch;
    let content = '';
    await new Promise<void>((resolve) => {
      const close = this.conn.channel('files', undefined, {
        open: async (fc) => {
          try {
            const res = await fc.request({ read: { path: this.path } });
            content = utf8text(res.file?.content);
          } catch (e) {
            this.fail(`reading ${this.path}: ${(e as Error).message}`);
          }
          close();
          resolve();
        },
      });
    });
    this.host.reset(content);
    this.loaded = false; // version 1, when it comes, replaces the preview
    this.setStatus('synced');
  }

  // receive applies one committed packet; false when it forced a resync.
  private receive(p: OTPacket): boolean {
    const v = p.spookyVersion ?? 0;
    if (v <= this.version) return true; // already applied (fetched)
    if (v !== this.version + 1) {
      this.resync(`${this.path}: pid1 sent version ${v}, expected ${this.version + 1}`);
      return false;
    }
    let op: TextOp;
    try {
      op = fromProto(p.op);
      const mine = this.inflight !== null && p.nonce === this.nonce && p.nonce !== 0;
      if (mine) {
        const theirs = ottext.apply(this.server, op);
        if (theirs !== ottext.apply(this.server, this.inflight!)) {
          throw new Error(`version ${v}: pid1 committed our op as something else`);
        }
        this.server = theirs;
        this.inflight = null;
      } else {
        this.server = ottext.apply(this.server, op);
        if (!this.loaded || this.rebase) {
          // The file's text as linked: the first load (the editor is
          // empty or shows a preview), or the base local edits go on.
          this.version = v;
          if (!this.checkCRC(p)) return false;
          if (this.loaded) {
            this.adopt(this.server, v);
          } else {
            this.host.reset(this.server);
            this.loaded = true;
            this.inflight = this.pending = null;
            this.setStatus('synced');
          }
          return true;
        }
        let remote = op;
        for (const which of ['inflight', 'pending'] as const) {
          const m = this[which];
          if (!m) continue;
          const r2 = ottext.transform(remote, m, 'left');
          this[which] = ottext.transform(m, remote, 'right');
          remote = r2;
        }
        this.host.applyRemote(remote);
      }
    } catch (e) {
      this.resync(`${this.path}: ${(e as Error).message}`);
      return false;
    }
    this.version = v;
    if (!this.checkCRC(p)) return false;
    if (this.synced) {
      this.setStatus('synced');
      for (const w of this.flushWaiters.splice(0)) w();
      this.sendCursor();
    } else {
      this.sendPending();
    }
    this.host.changed();
    return true;
  }

  private checkCRC(p: OTPacket): boolean {
    const mine = crc32.str(this.server) >>> 0;
    if (mine !== (p.crc32 ?? 0) >>> 0) {
      this.resync(`${this.path}: the text's CRC-32 at version ${this.version} is ${mine.toString(16)}, pid1's ${(p.crc32 ?? 0).toString(16)}`);
      return false;
    }
    return true;
  }

  // resync opens the channel again and rebases on the server's text.
  private resync(why: string): void {
    // Right after a reconnect this is pid1 having restarted with another
    // history of the file: expected, and handled; otherwise a fault.
    if (this.replaying) this.host.noted(why + ' (pid1 restarted?) — resynchronising');
    else this.fail(why + ' — resynchronising');
    this.rebase = true;
    this.chan = null;
    this.close?.();
    this.open();
  }

  // edit is a local change (code points) the editor already shows.
  edit(op: TextOp): void {
    if (this.readOnly || op.length === 0) return;
    this.pending = this.pending ? ottext.compose(this.pending, op) : op;
    if (!this.dirty) this.firstUnflushed = Date.now();
    this.dirty = true;
    this.sendPending();
    this.scheduleFlush();
    this.host.changed();
  }

  private sendPending(): void {
    if (!this.chan || !this.loaded || this.rebase || this.catchingUp || this.inflight || !this.pending) return;
    this.inflight = this.pending;
    this.pending = null;
    this.nonce = (Math.random() * 0xffffffff) >>> 0 || 1;
    this.sendInflight();
  }

  private sendInflight(): void {
    const ch = this.chan;
    if (!ch || !this.inflight) return;
    this.setStatus('sending');
    ch.request({ ot: { spookyVersion: this.version, op: toProto(this.inflight), nonce: this.nonce } }).catch((e: Error) => {
      if (ch !== this.chan || /connection closed/.test(e.message)) return; // the reconnect resends
      this.resync(`${this.path}: pid1 refused an edit: ${e.message}`);
    });
  }

  // scheduleFlush saves after a pause in typing, and at most flushMaxDelay
  // after the first unsaved edit; after a failed save, not before minWait.
  private scheduleFlush(minWait = 0): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const wait = Math.max(minWait, Math.min(flushDelay, this.firstUnflushed + flushMaxDelay - Date.now()));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.save().catch(() => {});
    }, wait);
  }

  // waitSynced resolves once every local edit is acknowledged.
  waitSynced(timeoutMs = 10000): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('edits not acknowledged in time')), timeoutMs);
      this.flushWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  // save writes the buffer to its file once every edit is acknowledged.
  // Without a connection it rejects with an OfflineError, quietly (the
  // caller may say so), and saves once the channel is back in step; other
  // failures are shown and retried after a while.
  async save(): Promise<void> {
    if (this.readOnly) return;
    let ch = this.chan;
    try {
      if (!ch) throw new OfflineError(this.path);
      await this.waitSynced();
      ch = this.chan; // a reconnect meanwhile opened another
      if (!ch) throw new OfflineError(this.path);
      const version = this.version;
      await ch.request({ flush: {} });
      if (this.synced && this.version === version) this.dirty = false;
      this.diskVersion = Math.max(this.diskVersion, version);
      this.host.changed();
    } catch (e) {
      if (!this.chan || this.chan !== ch || e instanceof OfflineError) {
        this.saveWhenBack = true;
        if (this.chan && this.status === 'synced') this.setStatus('synced'); // back already
        throw e instanceof OfflineError ? e : new OfflineError(this.path);
      }
      this.fail(`saving ${this.path}: ${(e as Error).message}`);
      this.scheduleFlush(flushDelay);
      throw e;
    }
  }

  // cursorMoved asks for this session's cursor to be sent. pid1 places
  // cursors in its own text, so it is sent when every local edit is
  // acknowledged (then the editor's text is pid1's); where returns it, in
  // code points, at that moment.
  cursorMoved(where: () => { id: string; position: number; selectionStart: number; selectionEnd: number }): void {
    this.cursorWhere = where;
    this.sendCursor();
  }

  private sendCursor(): void {
    if (!this.cursorWhere || !this.chan || !this.loaded || !this.synced) return;
    const c = this.cursorWhere();
    this.cursorWhere = null;
    this.chan.send({ otNewCursor: c });
  }
}
