// crosis.test.mjs drives a running pid1 with the public goval client,
// @replit/crosis, exactly as an IDE front end would. test/e2e starts pid1
// and runs this file with PID1_ADDR, PID1_BIN and PID1_STATE_DIR set; the
// tokens are minted with `pid1 token`, the documented CLI.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import crosis from '@replit/crosis';
import protocol from '@replit/protocol';

const { type: textUnicode } = createRequire(import.meta.url)('ot-text-unicode');
const { Client } = crosis;
const { api } = protocol;
const { PID1_ADDR, PID1_BIN, PID1_STATE_DIR } = process.env;
if (!PID1_ADDR || !PID1_BIN || !PID1_STATE_DIR) {
  throw new Error('run through test/e2e (go test ./test/e2e), which starts pid1 and sets PID1_ADDR, PID1_BIN, PID1_STATE_DIR');
}

function mint(user, ...flags) {
  return execFileSync(PID1_BIN, ['token', '-state-dir', PID1_STATE_DIR, '-user', user, ...flags]).toString().trim();
}

const clients = [];
after(() => clients.forEach((c) => c.client.destroy()));

// connect opens a crosis client for user and resolves once pid1 has said
// READY, with channel 0 and a list of unrecoverable errors (which must
// stay empty: crosis reports any protocol violation there).
function connect(user) {
  const client = new Client();
  const errors = [];
  client.setUnrecoverableErrorHandler((e) => errors.push(e));
  const token = mint(user);
  const c = { client, errors, user, metadataFetches: 0 };
  clients.push(c);
  return new Promise((resolve) => {
    client.open(
      {
        fetchConnectionMetadata: async () => {
          c.metadataFetches++;
          return { token, gurl: `ws://${PID1_ADDR}`, conmanURL: '', dotdevHostname: '', error: null };
        },
        WebSocketClass: WebSocket,
        context: { user },
        timeout: 10000,
        getNextRetryDelayMs: () => 50,
      },
      ({ channel }) => {
        c.chan0 = channel;
        resolve(c);
      },
    );
  });
}

// open opens a channel and records every incoming command and every time
// crosis (re)opens it, which it does by itself after a reconnect.
function open(c, options) {
  const ch = { opens: 0, closes: [], commands: [], waiters: [] };
  return new Promise((resolve) => {
    ch.close = c.client.openChannel(options, ({ channel }) => {
      if (!channel) return undefined;
      ch.channel = channel;
      ch.opens++;
      channel.onCommand((cmd) => {
        ch.commands.push(cmd);
        ch.waiters = ch.waiters.filter((w) => !w());
      });
      resolve(ch);
      return (reason) => ch.closes.push(reason);
    });
  });
}

// until resolves when pred holds over ch.commands, or fails after a while.
// pred is checked on each command ch receives and every 20 ms as well,
// since it may depend on state another channel changes (two editors'
// acknowledgements), whose last command can arrive after ch's last one.
function until(ch, what, pred) {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return true;
      const found = pred(ch.commands);
      if (found) {
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        resolve(found);
      }
      return Boolean(found);
    };
    const timer = setTimeout(() => {
      done = true;
      clearInterval(poll);
      ch.waiters = ch.waiters.filter((w) => w !== check);
      reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(ch.commands.map((c) => c.body))}`));
    }, 10000);
    const poll = setInterval(check, 20);
    if (!check()) ch.waiters.push(check);
  });
}

// Channel names unique to this run, so a reused pid1 starts them empty.
const run = Date.now().toString(36);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chatTexts = (cmds) => cmds.filter((c) => c.chatMessage).map((c) => `${c.chatMessage.username}: ${c.chatMessage.text}`);

test('crosis connects, sees READY and gets a pong for a ping on channel 0', async () => {
  const c = await connect('ada');
  assert.equal(c.chan0.id, 0);
  assert.equal(c.chan0.status, 'open');
  const res = await c.chan0.request({ ping: {} });
  assert.ok(res.pong, `expected a pong, got ${JSON.stringify(res)}`);
  assert.equal(res.channelClosed, undefined);
  assert.deepEqual(c.errors, []);
});

test('two crosis clients chat on a shared named channel, with scrollback', async () => {
  const alice = await connect('alice');
  const bob = await connect('bob');
  const a = await open(alice, { service: 'chat', name: `crosis-chat-${run}`, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  const b = await open(bob, { service: 'chat', name: `crosis-chat-${run}`, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  assert.equal(a.channel.name, `crosis-chat-${run}`);
  assert.notEqual(a.channel.id, 0);

  a.channel.send({ chatMessage: { username: 'alice', text: 'hello bob' } });
  await until(b, 'alice\'s message at bob', (cmds) => chatTexts(cmds).includes('alice: hello bob'));
  // The username is the token's, whatever the client claims.
  b.channel.send({ chatMessage: { username: 'not-bob', text: 'hi alice' } });
  await until(a, 'bob\'s reply at alice', (cmds) => chatTexts(cmds).includes('bob: hi alice'));
  b.channel.send({ chatTyping: { username: 'bob', typing: true } });
  await until(a, 'typing at alice', (cmds) => cmds.some((c) => c.chatTyping && c.chatTyping.typing));
  assert.ok(!chatTexts(a.commands).includes('alice: hello bob'), 'the sender got its own message back');

  // A late joiner gets the scrollback, oldest first.
  const carol = await connect('carol');
  const c = await open(carol, { service: 'chat', name: `crosis-chat-${run}`, action: api.OpenChannel.Action.ATTACH });
  await until(c, 'scrollback', (cmds) => chatTexts(cmds).length >= 2);
  assert.deepEqual(chatTexts(c.commands), ['alice: hello bob', 'bob: hi alice']);

  // A command the service does not take is an error with the request's ref.
  const res = await a.channel.request({ exec: { args: ['ls'] } });
  assert.match(res.error, /chat takes chatMessage and chatTyping, not exec/);
  for (const x of [alice, bob, carol]) assert.deepEqual(x.errors, []);
});

test('presence: roster on attach, join and part for the others', async () => {
  const ann = await connect('ann');
  const ben = await connect('ben');
  const p1 = await open(ann, { service: 'presence', name: 'presencer', action: api.OpenChannel.Action.ATTACH });
  const roster = await until(p1, 'roster', (cmds) => cmds.find((c) => c.roster));
  assert.ok(roster.roster.user.some((u) => u.name === 'ann'), JSON.stringify(roster.roster));
  const p2 = await open(ben, { service: 'presence', name: 'presencer', action: api.OpenChannel.Action.ATTACH });
  const join = await until(p1, 'join', (cmds) => cmds.find((c) => c.join && c.join.name === 'ben'));
  p2.close();
  await until(p1, 'part', (cmds) => cmds.find((c) => c.part && c.part.session === join.join.session));
  for (let i = 0; i < 100 && p2.closes.length === 0; i++) await sleep(20);
  assert.equal(p2.closes.length, 1, 'the close callback did not run');
  assert.deepEqual(ann.errors, []);
  assert.deepEqual(ben.errors, []);
});

test('closing a channel from crosis and opening an unnamed one', async () => {
  const c = await connect('dora');
  const ch = await open(c, { service: 'chat' });
  assert.equal(ch.channel.status, 'open');
  ch.close();
  for (let i = 0; i < 100 && ch.closes.length === 0; i++) await sleep(20);
  assert.equal(ch.closes.length, 1, 'the close callback did not run');
  assert.equal(ch.channel.status, 'closed');
  const ping = await c.chan0.request({ ping: {} });
  assert.ok(ping.pong, 'the connection should survive closing a channel');
  assert.deepEqual(c.errors, []);
});

test('after the socket is cut, crosis reconnects and re-attaches its named channel', async () => {
  const eve = await connect('eve');
  const fay = await connect('fay');
  const e = await open(eve, { service: 'chat', name: `crosis-reconnect-${run}`, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  const f = await open(fay, { service: 'chat', name: `crosis-reconnect-${run}`, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  e.channel.send({ chatMessage: { text: 'before the cut' } });
  await until(f, 'first message', (cmds) => chatTexts(cmds).includes('eve: before the cut'));

  const firstChannel = f.channel;
  fay.client.ws.terminate(); // an abrupt TCP close, as a network drop looks
  for (let i = 0; i < 250 && f.opens < 2; i++) await sleep(20);
  assert.equal(f.opens, 2, 'crosis did not reopen the channel after reconnecting');
  assert.notEqual(f.channel, firstChannel);
  assert.ok(fay.metadataFetches >= 1);

  // The named channel outlived the dropped session: scrollback comes again
  // and new traffic flows both ways.
  await until(f, 'scrollback after reconnect', (cmds) => chatTexts(cmds).filter((t) => t === 'eve: before the cut').length === 2);
  e.channel.send({ chatMessage: { text: 'after the cut' } });
  await until(f, 'message after reconnect', (cmds) => chatTexts(cmds).includes('eve: after the cut'));
  f.channel.send({ chatMessage: { text: 'back' } });
  await until(e, 'reply after reconnect', (cmds) => chatTexts(cmds).includes('fay: back'));
  assert.deepEqual(eve.errors, []);
  assert.deepEqual(fay.errors, []);
});

test('a read-only token connects too', async () => {
  const client = new Client();
  const errors = [];
  client.setUnrecoverableErrorHandler((e) => errors.push(e));
  clients.push({ client });
  const token = mint('reader', '-read-only');
  const chan0 = await new Promise((resolve) => {
    client.open({
      fetchConnectionMetadata: async () => ({ token, gurl: `ws://${PID1_ADDR}`, conmanURL: '', dotdevHostname: '', error: null }),
      WebSocketClass: WebSocket,
      context: null,
      timeout: 10000,
    }, ({ channel }) => resolve(channel));
  });
  assert.ok((await chan0.request({ ping: {} })).pong);
  assert.deepEqual(errors, []);
});

test('pid1 refuses a bad token before the WebSocket upgrade', async () => {
  for (const [what, token] of [['garbage', 'not-a-token'], ['expired', mint('old', '-ttl', '1ms')]]) {
    if (what === 'expired') await sleep(20);
    const status = await new Promise((resolve) => {
      const ws = new WebSocket(`ws://${PID1_ADDR}/wsv2/${token}`);
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode);
        req.destroy(); // with this listener, ws leaves the request to us
      });
      ws.on('open', () => { ws.close(); resolve('open'); });
      ws.on('error', () => {});
    });
    assert.equal(status, 401, `${what} token`);
  }
});

test('files and fsevents through crosis: write, read, list, stat, a refused path, and the events', async () => {
  const c = await connect('ada');
  const ev = await open(c, { service: 'fsevents' });
  const sub = await ev.channel.request({ subscribeFile: { files: [{ path: '' }] } });
  assert.ok(sub.ok, `subscribeFile: ${JSON.stringify(sub)}`);
  const fc = await open(c, { service: 'files' });
  const name = `crosis-${run}.txt`;
  const w = await fc.channel.request({ write: { path: name, content: new TextEncoder().encode('héllo 😭') } });
  assert.ok(w.ok, `write: ${JSON.stringify(w)}`);
  const r = await fc.channel.request({ read: { path: name } });
  assert.equal(r.file.path, name);
  assert.equal(new TextDecoder().decode(r.file.content), 'héllo 😭');
  const ls = await fc.channel.request({ readdir: { path: '' } });
  assert.ok(ls.files.files.some((f) => f.path === name), `readdir: ${JSON.stringify(ls)}`);
  const st = await fc.channel.request({ stat: { path: 'no-such-file' } });
  assert.ok(!st.statRes.exists, `stat: ${JSON.stringify(st)}`);
  const bad = await fc.channel.request({ read: { path: '../etc/passwd' } });
  assert.equal(bad.error, 'path "../etc/passwd" leaves the workspace');
  await until(ev, 'a Create event', (cmds) => cmds.find((x) => x.fileEvent && x.fileEvent.file.path === name));
  assert.deepEqual(c.errors, []);
});

test('a shared shell through crosis: input goes in, output comes out to both clients', async () => {
  const a = await connect('ada');
  const b = await connect('bob');
  const name = `shell-${run}`;
  const sa = await open(a, { service: 'shell', name, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  const sb = await open(b, { service: 'shell', name, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
  sa.channel.send({ input: 'echo crosis-$((6*7))\r' });
  const text = (cmds) => cmds.map((x) => x.output || '').join('');
  await until(sa, 'the shell output', (cmds) => text(cmds).includes('crosis-42'));
  await until(sb, 'the shell output on the other client', (cmds) => text(cmds).includes('crosis-42'));
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

// An OT editor as the IDE's client works: one op in flight, later edits
// composed behind it, its own op recognised in the broadcast by comparing
// the ops as JSON, every packet's version and CRC-32 checked.
class Editor {
  constructor(ch, user) {
    this.ch = ch;
    this.user = user;
    this.doc = '';
    this.server = '';
    this.version = 0;
    this.inflight = null;
    this.pending = null;
    this.acks = 0;
    this.problems = [];
  }

  static fromWire(op) {
    return op.map((c) => (c.opComponent === 'insert' ? c.insert : c.opComponent === 'skip' ? c.skip : { d: c.delete }));
  }

  static toWire(op) {
    return op.map((c) => (typeof c === 'string' ? { insert: c } : typeof c === 'number' ? { skip: c } : { delete: c.d }));
  }

  edit(op) {
    this.doc = textUnicode.apply(this.doc, op);
    this.pending = this.pending ? textUnicode.compose(this.pending, op) : op;
    this.send();
  }

  send() {
    if (this.inflight || !this.pending) return;
    this.inflight = this.pending;
    this.pending = null;
    this.ch.channel.send({ ot: { spookyVersion: this.version, op: Editor.toWire(this.inflight) } });
  }

  receive(p) {
    if (p.spookyVersion !== this.version + 1) {
      this.problems.push(`invalid server version ${p.spookyVersion}, expected ${this.version + 1}`);
      return;
    }
    const op = Editor.fromWire(p.op);
    this.server = textUnicode.apply(this.server, op);
    if (this.inflight && JSON.stringify(op) === JSON.stringify(this.inflight)) {
      this.inflight = null;
      this.acks++;
    } else {
      let remote = op;
      for (const k of ['inflight', 'pending']) {
        if (!this[k]) continue;
        const r = textUnicode.transform(remote, this[k], 'left');
        this[k] = textUnicode.transform(this[k], remote, 'right');
        remote = r;
      }
      this.doc = textUnicode.apply(this.doc, remote);
    }
    this.version = p.spookyVersion;
    const crc = zlib.crc32(Buffer.from(this.server, 'utf8'));
    if (crc !== p.crc32) this.problems.push(`crc32 mismatch at version ${this.version}: ${crc} vs ${p.crc32}`);
    this.send();
  }

  // randomEdit inserts this editor's letters (or deletes) at a random place.
  randomEdit(letters) {
    const n = [...this.doc].length;
    const at = Math.floor(Math.random() * (n + 1));
    if (n > 4 && Math.random() < 0.3) {
      const d = 1 + Math.floor(Math.random() * Math.min(3, n - Math.min(at, n - 1)));
      const p = Math.min(at, n - d);
      this.edit(p > 0 ? [p, { d }] : [{ d }]);
      return;
    }
    const s = letters[Math.floor(Math.random() * letters.length)].repeat(1 + Math.floor(Math.random() * 3));
    this.edit(at > 0 ? [at, s] : [s]);
  }
}

test('two IDE-style OT editors through crosis converge on a linked file, which flush writes', async () => {
  const a = await connect('ada');
  const b = await connect('bob');
  const fc = await open(a, { service: 'files' });
  const file = `ot-${run}.txt`;
  const w = await fc.channel.request({ write: { path: file, content: new TextEncoder().encode('héllo 😭\n') } });
  assert.ok(w.ok, `write: ${JSON.stringify(w)}`);

  const name = `ot:${file}`;
  const editors = [];
  const attach = async (c) => {
    const ch = await open(c, { service: 'ot', name, action: api.OpenChannel.Action.ATTACH_OR_CREATE });
    const st = await until(ch, 'otstatus', (cmds) => cmds.find((x) => x.otstatus));
    const e = new Editor(ch, c.user);
    e.doc = e.server = st.otstatus.contents;
    e.version = st.otstatus.version;
    let seen = ch.commands.indexOf(st) + 1;
    ch.waiters.push(() => {
      for (; seen < ch.commands.length; seen++) if (ch.commands[seen].ot) e.receive(ch.commands[seen].ot);
      return false;
    });
    editors.push(e);
    return e;
  };
  const ea = await attach(a);
  const link = await ea.ch.channel.request({ otLinkFile: { file: { path: file } } });
  assert.equal(link.otLinkFileResponse.version, 1);
  assert.equal(new TextDecoder().decode(link.otLinkFileResponse.linkedFile.content), 'héllo 😭\n');
  await until(ea.ch, 'version 1', () => ea.version === 1);
  const eb = await attach(b);
  assert.equal(eb.doc, 'héllo 😭\n');

  for (let i = 0; i < 60; i++) {
    ea.randomEdit(['a', 'é', '😭']);
    eb.randomEdit(['B', '中', '𝄞']);
    await sleep(Math.random() * 4);
  }
  const settled = () => editors.every((e) => !e.inflight && !e.pending) && ea.version === eb.version;
  await until(ea.ch, 'both editors acknowledged', settled);
  await until(eb.ch, 'both editors at one version', settled);
  assert.deepEqual([...ea.problems, ...eb.problems], []);
  assert.equal(ea.doc, eb.doc);
  assert.equal(ea.doc, ea.server);
  assert.ok(ea.acks > 0 && eb.acks > 0, `acks: ${ea.acks}, ${eb.acks}`);

  // A cursor goes to the other editor, with the sender's user.
  ea.ch.channel.send({ otNewCursor: { id: `ada-${run}`, position: 1 } });
  const cur = await until(eb.ch, 'the relayed cursor', (cmds) => cmds.find((x) => x.otNewCursor));
  assert.equal(cur.otNewCursor.user.name, 'ada');

  const f = await ea.ch.channel.request({ flush: {} });
  assert.ok(f.ok, `flush: ${JSON.stringify(f)}`);
  const r = await fc.channel.request({ read: { path: file } });
  assert.equal(new TextDecoder().decode(r.file.content), ea.doc);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});
