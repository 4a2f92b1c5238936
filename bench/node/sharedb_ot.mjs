// Baseline benchmark: ShareDB 5.x + ot-text-unicode 4.0.0, all in memory,
// in one Node process. It is the yardstick for pid1's ot service.
//
// Run: node --expose-gc bench/node/sharedb_ot.mjs [--ops N] [--editors E] [--seed S]
//        [--phases throughput,transform,memory] [--mem-docs K]
// Prints ONE line of JSON on stdout; progress goes to stderr. --phases picks
// which of the three phases below run (default all); fields of a phase that
// did not run are left out.
//
// ---------------------------------------------------------------------------
// WORKLOAD DEFINITION (a Go program must be able to mirror this literally)
// ---------------------------------------------------------------------------
// Defaults: N = 20000 ops, E = 10 editors, S = 1.
//
// Document: DOC_LEN = 102400 ASCII characters: the 44-character line
//   "the quick brown fox jumps over the lazy dog\n" repeated, and cut to
//   102400 characters (2327 whole lines + the first 12 characters
//   "the quick br" of the next).
//
// PRNG: 32-bit xorshift, all arithmetic unsigned 32-bit:
//   state = (S + k*7919) mod 2^32 for stream k; if that is 0, state = 1.
//   next(): x ^= x << 13; x ^= x >>> 17; x ^= x << 5; state = x; return x.
//   rand(n) = next() % n.
//
// One edit on a document of length L (code points; the text is ASCII so
// this is also UTF-16 units and bytes), drawing from the PRNG in exactly
// this order:
//   r = rand(10)
//   if r < 7 or L < 10:                       -- insert
//     n = 1 + rand(4)
//     s = n letters, each String.fromCharCode(97 + rand(26))  ('a'..'z'),
//         drawn left to right
//     p = rand(L + 1)
//     op = p > 0 ? [p, s] : [s]
//   else:                                      -- delete
//     n = 1 + rand(3)
//     p = rand(L - 3)
//     op = p > 0 ? [p, {d: n}] : [{d: n}]
//   (ot-text-unicode normal form: no zero skip, no trailing skip. A delete
//   always fits: p + n <= (L-4) + 3 < L.)
//
// Phase 1, throughput (committedOpsPerSec):
//   One ShareDB backend with its default MemoryDB and in-process pub/sub.
//   E client connections from backend.connect() (no network; ShareDB still
//   JSON-encodes every message). Editor i (0-based) uses PRNG stream k = i
//   and doc ('bench','doc'); editor 0 creates it with the ot-text-unicode
//   type and the 102400-character text, then every editor subscribes.
//   Each editor runs its own async loop: make ONE edit on its CURRENT local
//   doc.data (which includes whatever remote ops ShareDB has applied so far),
//   submitOp it, and wait for the server's ack before making the next edit
//   (one op in flight per editor). Remote ops arrive and are applied by
//   ShareDB's client while an editor waits.
//   Counts: ops are split evenly: editor i makes floor(T/E) + (i < T%E ? 1:0)
//   of a total T. First a warm-up of T = 1000 ops (not timed), then, after
//   every editor has caught up with every op, the timed phase of T = N ops,
//   with the SAME PRNG streams continuing (no reseed). The clock starts
//   before any timed edit is made and stops when the last editor has its
//   last ack: committedOpsPerSec = N / seconds. Then (untimed) wait until
//   every editor has received every op, and check all editors' doc.data are
//   equal to each other and to a fresh fetch on a new connection; exit 1
//   otherwise. Because the interleaving of concurrent editors depends on
//   scheduling, the final text is NOT reproducible across implementations
//   (only the edit generator is); the final length is reported for scale.
//
// Phase 2, transform cost (transformAgainst1000HistoryMicros):
//   history: start from the 102400-character document; with PRNG stream
//   seeded exactly S (k = 0), make 1000 edits in sequence, each generated
//   against the current document and applied to it (type.apply) before the
//   next is generated. op0: one edit generated against the ORIGINAL
//   document with PRNG seeded S+1 (i.e. stream k = 0 of seed S+1).
//   One pass: op = op0; for h in history: op = type.transform(op, h, 'right').
//   The pass is repeated (after an untimed warm-up) for at least 1 s and at
//   least 200 passes; reported: mean µs per whole pass, and per transform
//   (ns) = pass / 1000.
//   For checking a port: historyDocLength and historyDocFNV1a32 (32-bit
//   FNV-1a over the bytes of the document after all 1000 history edits),
//   transformOp0 and transformResult (the op after one pass) are reported.
//
// Phase 3, memory per open document (needs --expose-gc):
//   heapUsed = process.memoryUsage().heapUsed after gc() twice, measured
//   before and after creating K docs (default 20; --mem-docs K) ('mem', 'd<k>'), k = 0..K-1, in a
//   fresh backend (default MemoryDB), through one connection, each created
//   with its own fresh copy of the 102400-character document and then
//   subscribed (kept open). bytesPerDocNoHistory = delta / K with no ops.
//   bytesPerDocWith10kOps: the same in another fresh backend, but each doc
//   then gets 10000 edits from PRNG stream k (seed S), each generated
//   against the doc's current data and submitted through that connection,
//   waiting for the ack before the next (so the MemoryDB holds 10000 ops of
//   history per doc; ShareDB's client-side compose is off). Both figures
//   include ShareDB's server copy (snapshot + op log) and the open client
//   Doc; the backend and connection themselves are made before the first
//   measurement and are excluded.
// ---------------------------------------------------------------------------

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import ShareDB from 'sharedb';
import otText from 'ot-text-unicode';

const require = createRequire(import.meta.url);
const SHAREDB_VERSION = require('sharedb/package.json').version;
const OT_TEXT_VERSION = require('ot-text-unicode/package.json').version;

const type = otText.type;
ShareDB.types.register(type);

const LINE = 'the quick brown fox jumps over the lazy dog\n';
const DOC_LEN = 102400;
const WARMUP_OPS = 1000;
const HISTORY_OPS = 1000;
const MEM_DOCS = 20;
const MEM_OPS_PER_DOC = 10000;

function log(...args) {
  console.error('[sharedb_ot]', ...args);
}

function parseArgs(argv) {
  const opts = { ops: 20000, editors: 10, seed: 1, memDocs: MEM_DOCS, phases: ['throughput', 'transform', 'memory'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(ops|editors|seed|phases|mem-docs)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (m[1] === 'phases') {
      opts.phases = String(v).split(',').filter(Boolean);
      for (const ph of opts.phases) {
        if (!['throughput', 'transform', 'memory'].includes(ph)) throw new Error(`unknown phase ${ph}`);
      }
      continue;
    }
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad value for --${m[1]}: ${v}`);
    opts[m[1] === 'mem-docs' ? 'memDocs' : m[1]] = n;
  }
  if (opts.editors < 1) throw new Error('--editors must be >= 1');
  if (opts.ops < 1) throw new Error('--ops must be >= 1');
  if (opts.memDocs < 1) throw new Error('--mem-docs must be >= 1');
  if (opts.seed > 0xffffffff) throw new Error('--seed must fit in 32 bits');
  return opts;
}

// A fresh (not shared) string of DOC_LEN characters.
function makeDocument() {
  const lines = Math.ceil(DOC_LEN / LINE.length);
  let s = LINE.repeat(lines).slice(0, DOC_LEN);
  // Flatten into a string of its own (not a slice of a longer parent).
  s = Buffer.from(s, 'latin1').toString('latin1');
  if (s.length !== DOC_LEN) throw new Error('bad document length');
  return s;
}

// 32-bit xorshift; stream k of seed S starts at (S + k*7919) mod 2^32, 0 -> 1.
class XorShift32 {
  constructor(seed, k = 0) {
    let x = (seed + k * 7919) >>> 0;
    if (x === 0) x = 1;
    this.x = x;
  }
  next() {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.x = x;
    return x;
  }
  rand(n) {
    return this.next() % n;
  }
}

// One edit against a document of length L, in ot-text-unicode normal form.
function genEdit(rng, L) {
  const r = rng.rand(10);
  if (r < 7 || L < 10) {
    const n = 1 + rng.rand(4);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + rng.rand(26));
    const p = rng.rand(L + 1);
    return p > 0 ? [p, s] : [s];
  }
  const n = 1 + rng.rand(3);
  const p = rng.rand(L - 3);
  return p > 0 ? [p, { d: n }] : [{ d: n }];
}

function cb2p(fn) {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

function splitEven(total, parts, i) {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

function submit(doc, op) {
  return new Promise((resolve, reject) => {
    doc.submitOp(op, (err) => (err ? reject(err) : resolve()));
  });
}

// Resolves once doc.version >= v (all ops up to v applied, nothing pending).
function waitVersion(doc, v) {
  return new Promise((resolve) => {
    const check = () => {
      if (doc.version >= v && !doc.hasPending()) {
        doc.removeListener('op', onOp);
        resolve();
        return true;
      }
      return false;
    };
    const onOp = () => setImmediate(check);
    doc.on('op', onOp);
    if (!check()) {
      // Also poll: 'op' fires before version is bumped for some paths.
      const t = setInterval(() => {
        if (check()) clearInterval(t);
      }, 5);
    }
  });
}

async function runEditors(docs, rngs, total) {
  const E = docs.length;
  await Promise.all(
    docs.map(async (doc, i) => {
      const count = splitEven(total, E, i);
      const rng = rngs[i];
      for (let j = 0; j < count; j++) {
        const op = genEdit(rng, doc.data.length);
        await submit(doc, op);
      }
    }),
  );
}

async function allCaughtUp(docs, backend) {
  const probe = backend.connect();
  const snap = probe.get(docs[0].collection, docs[0].id);
  await cb2p((cb) => snap.fetch(cb));
  await Promise.all(docs.map((d) => waitVersion(d, snap.version)));
  return { probe, snap };
}

async function throughput(opts) {
  const { ops: N, editors: E, seed } = opts;
  const backend = new ShareDB();
  const conns = [];
  const docs = [];
  for (let i = 0; i < E; i++) {
    const c = backend.connect();
    conns.push(c);
    docs.push(c.get('bench', 'doc'));
  }
  await cb2p((cb) => docs[0].create(makeDocument(), type.uri, cb));
  await Promise.all(docs.map((d) => cb2p((cb) => d.subscribe(cb))));
  const rngs = docs.map((_, i) => new XorShift32(seed, i));

  log(`warm-up: ${WARMUP_OPS} ops, ${E} editors`);
  await runEditors(docs, rngs, WARMUP_OPS);
  {
    const { probe } = await allCaughtUp(docs, backend);
    probe.close();
  }
  const v0 = docs[0].version;

  log(`timed: ${N} ops, ${E} editors`);
  if (global.gc) global.gc();
  const t0 = performance.now();
  await runEditors(docs, rngs, N);
  const t1 = performance.now();
  const seconds = (t1 - t0) / 1000;

  const { probe, snap } = await allCaughtUp(docs, backend);
  const t2 = performance.now();
  const committed = snap.version - v0;
  if (committed !== N) {
    log(`ERROR: expected ${N} committed ops in timed phase, version went ${v0} -> ${snap.version}`);
    process.exit(1);
  }
  const ref = snap.data;
  for (let i = 0; i < E; i++) {
    if (docs[i].data !== ref) {
      log(`ERROR: editor ${i} diverged (len ${docs[i].data.length} vs fetch ${ref.length}, version ${docs[i].version} vs ${snap.version})`);
      process.exit(1);
    }
  }
  log(`timed phase ${seconds.toFixed(3)} s, converged +${((t2 - t1) / 1000).toFixed(3)} s, version ${snap.version}, length ${ref.length}`);
  probe.close();
  for (const c of conns) c.close();
  await new Promise((r) => backend.close(r));
  return {
    seconds,
    convergeSeconds: (t2 - t0) / 1000,
    finalDocLength: ref.length,
    finalVersion: snap.version,
  };
}

function transformCost(opts) {
  const { seed } = opts;
  const rng = new XorShift32(seed, 0);
  let doc = makeDocument();
  const history = [];
  for (let i = 0; i < HISTORY_OPS; i++) {
    const op = genEdit(rng, doc.length);
    type.checkOp?.(op);
    doc = type.apply(doc, op);
    history.push(op);
  }
  const historyDocLength = doc.length;
  const historyDocFNV1a32 = fnv1a32(doc);
  const op0 = genEdit(new XorShift32(seed + 1, 0), DOC_LEN);
  type.checkOp?.(op0);

  const pass = () => {
    let op = op0;
    for (let i = 0; i < history.length; i++) op = type.transform(op, history[i], 'right');
    return op;
  };
  let sink = 0;
  for (let i = 0; i < 100; i++) sink += pass().length;
  const minPasses = 200;
  const minMs = 1000;
  let passes = 0;
  const t0 = performance.now();
  let t = t0;
  while (passes < minPasses || t - t0 < minMs) {
    for (let i = 0; i < 50; i++) sink += pass().length;
    passes += 50;
    t = performance.now();
  }
  const micros = ((t - t0) * 1000) / passes;
  const result = pass();
  log(`transform: ${passes} passes, ${micros.toFixed(2)} µs/pass, op0 ${JSON.stringify(op0)} -> ${JSON.stringify(result)} (sink ${sink})`);
  return {
    transformAgainst1000HistoryMicros: micros,
    transformPerOpNanos: (micros * 1000) / HISTORY_OPS,
    transformPasses: passes,
    transformOp0: op0,
    transformResult: result,
    historyDocLength,
    historyDocFNV1a32,
  };
}

// 32-bit FNV-1a over the string's bytes (the text is ASCII: byte = char code).
function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function heapUsed() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

async function memoryPerDoc(opts, opsPerDoc) {
  const { seed } = opts;
  const backend = new ShareDB();
  const conn = backend.connect();
  // Warm the code paths once with a throwaway doc so that lazily compiled
  // code and caches are not charged to the measured docs.
  {
    const d = conn.get('warm', 'w');
    await cb2p((cb) => d.create(makeDocument(), type.uri, cb));
    await cb2p((cb) => d.subscribe(cb));
    d.preventCompose = true;
    const rng = new XorShift32(seed, 12345);
    for (let j = 0; j < 10; j++) await submit(d, genEdit(rng, d.data.length));
    await cb2p((cb) => d.destroy(cb));
  }
  const before = heapUsed();
  const docs = [];
  for (let k = 0; k < opts.memDocs; k++) {
    const d = conn.get('mem', 'd' + k);
    await cb2p((cb) => d.create(makeDocument(), type.uri, cb));
    await cb2p((cb) => d.subscribe(cb));
    d.preventCompose = true;
    const rng = new XorShift32(seed, k);
    for (let j = 0; j < opsPerDoc; j++) {
      await submit(d, genEdit(rng, d.data.length));
    }
    if (d.version !== opsPerDoc + 1) throw new Error(`doc ${k} at version ${d.version}`);
    docs.push(d);
  }
  const after = heapUsed();
  const perDoc = (after - before) / opts.memDocs;
  log(`memory: ${opts.memDocs} docs x ${opsPerDoc} ops: heap ${before} -> ${after}, ${Math.round(perDoc)} B/doc`);
  // Keep docs reachable until after the measurement.
  const keep = docs.length;
  conn.close();
  await new Promise((r) => backend.close(r));
  return { perDoc, keep };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (typeof global.gc !== 'function') {
    log('ERROR: run with node --expose-gc');
    process.exit(2);
  }
  const tAll = performance.now();
  const has = (ph) => opts.phases.includes(ph);
  const out = {
    bench: 'sharedb-ot-text-unicode',
    node: process.version,
    sharedb: SHAREDB_VERSION,
    otTextUnicode: OT_TEXT_VERSION,
    ops: opts.ops,
    editors: opts.editors,
    seed: opts.seed,
    docLength: DOC_LEN,
  };
  if (has('throughput')) {
    const tp = await throughput(opts);
    Object.assign(out, {
      warmupOps: WARMUP_OPS,
      seconds: round(tp.seconds, 4),
      committedOpsPerSec: round(opts.ops / tp.seconds, 1),
      convergeSeconds: round(tp.convergeSeconds, 4),
      finalDocLength: tp.finalDocLength,
      finalVersion: tp.finalVersion,
    });
  }
  if (has('transform')) {
    const tc = transformCost(opts);
    Object.assign(out, {
      transformAgainst1000HistoryMicros: round(tc.transformAgainst1000HistoryMicros, 3),
      transformPerOpNanos: round(tc.transformPerOpNanos, 2),
      transformPasses: tc.transformPasses,
      transformOp0: tc.transformOp0,
      transformResult: tc.transformResult,
      historyDocLength: tc.historyDocLength,
      historyDocFNV1a32: tc.historyDocFNV1a32,
    });
  }
  if (has('memory')) {
    const tm = performance.now();
    const m0 = await memoryPerDoc(opts, 0);
    const m1 = await memoryPerDoc(opts, MEM_OPS_PER_DOC);
    Object.assign(out, {
      memoryDocs: opts.memDocs,
      bytesPerDocNoHistory: Math.round(m0.perDoc),
      bytesPerDocWith10kOps: Math.round(m1.perDoc),
      memorySeconds: round((performance.now() - tm) / 1000, 2),
    });
  }
  out.totalSeconds = round((performance.now() - tAll) / 1000, 2);
  process.stdout.write(JSON.stringify(out) + '\n');
}

function round(x, d) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

main().catch((err) => {
  log('ERROR:', err && err.stack ? err.stack : err);
  process.exit(1);
});
