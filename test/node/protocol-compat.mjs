// Byte-compatibility checks against the real @replit/protocol package.
//
//   node protocol-compat.mjs roundtrip   reads JSON lines {name, hex} of Go-encoded Commands and
//                                        prints {name, obj, hex}: how protobufjs decodes each
//                                        (toObject) and its own re-encoding of what it decoded.
//   node protocol-compat.mjs client      prints {name, hex} of Commands built the way crosis
//                                        builds them (create + encode), for Go to decode.
import { createRequire } from 'node:module';
import * as readline from 'node:readline';

const require = createRequire(import.meta.url);
const { api } = require('@replit/protocol');
const { Command } = api;

const toObjectOptions = { enums: String, longs: String, bytes: String, defaults: false };

async function roundtrip() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const { name, hex } = JSON.parse(line);
    const msg = Command.decode(Buffer.from(hex, 'hex'));
    const obj = Command.toObject(msg, toObjectOptions);
    const re = Buffer.from(Command.encode(msg).finish()).toString('hex');
    process.stdout.write(JSON.stringify({ name, obj, hex: re }) + '\n');
  }
}

function client() {
  const frames = {
    openChanCreate: { channel: 0, ref: 'abc123', openChan: { service: 'exec', action: api.OpenChannel.Action.CREATE } },
    openChanNamed: { channel: 0, ref: 'r2', openChan: { service: 'ot', name: 'ot:main.py', action: api.OpenChannel.Action.ATTACH_OR_CREATE } },
    closeChan: { channel: 0, ref: 'r3', closeChan: { id: 7, action: api.CloseChannel.Action.TRY_CLOSE } },
    ping: { channel: 0, ref: 'r4', ping: {} },
    input: { channel: 3, input: 'echo héllo 😀\n' },
    chat: { channel: 5, ref: 'r5', chatMessage: { username: 'ann', text: 'hi' } },
    resize: { channel: 9, resizeTerm: { rows: 40, cols: 120 } },
    otOp: { channel: 2, ref: 'r6', ot: { spookyVersion: 4, op: [{ skip: 3 }, { insert: 'x😀' }, { delete: 2 }] } },
    write: { channel: 4, ref: 'r7', write: { path: 'bin.dat', content: Uint8Array.from([0, 1, 2, 254, 255]) } },
    exec: { channel: 6, ref: 'r8', exec: { args: ['sh', '-c', 'echo $X'], env: { X: 'y' }, lifecycle: api.Exec.Lifecycle.STDIN, splitStderr: true } },
  };
  for (const [name, obj] of Object.entries(frames)) {
    const hex = Buffer.from(Command.encode(Command.create(obj)).finish()).toString('hex');
    process.stdout.write(JSON.stringify({ name, hex }) + '\n');
  }
}

const mode = process.argv[2];
if (mode === 'roundtrip') await roundtrip();
else if (mode === 'client') client();
else {
  process.stderr.write('usage: protocol-compat.mjs roundtrip|client\n');
  process.exit(2);
}
