// Builds the IDE into dist/, which pid1 embeds (web.go):
//
//  1. gen/proto.js from ../api/*.proto with protobufjs (when the .proto
//     files changed); src/wire.ts types the part of it the page uses;
//  2. a type check of src/ with TypeScript (skipped with --no-check);
//  3. esbuild: src/main.ts and its CSS, minified, split into chunks (the
//     languages of the editor load on first use), names hashed;
//  4. dist/index.html from src/index.html with the hashed names.
//
// node build.mjs [--no-check]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, 'node_modules', '.bin', name);
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: here, stdio: 'inherit' });
  } catch {
    console.error(`build: ${cmd.split('/').pop()} failed (its output is above)`);
    process.exit(1);
  }
};

// 1. Messages.
const protos = ['../api/goval.proto', '../api/token.proto'];
const pbVersion = JSON.parse(readFileSync(join(here, 'node_modules/protobufjs-cli/package.json'))).version;
const stamp = createHash('sha256');
stamp.update(pbVersion);
for (const p of protos) stamp.update(readFileSync(join(here, p)));
const stampFile = join(here, 'gen', 'stamp');
const want = stamp.digest('hex');
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== want || !existsSync(join(here, 'gen', 'proto.js'))) {
  mkdirSync(join(here, 'gen'), { recursive: true });
  console.log('generating gen/proto.js from', protos.join(', '));
  run(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--no-verify', '--no-delimited', '--force-number', '--no-comments',
    '-p', '../api', '-o', 'gen/proto.js', ...protos]);
  writeFileSync(join(here, 'gen', 'proto.d.ts'), '// Typed by src/wire.ts.\nexport const replit: any;\n');
  writeFileSync(stampFile, want);
}

// 2. Types.
if (!process.argv.includes('--no-check')) {
  run(bin('tsc'), ['--noEmit', '-p', '.']);
}

// 3. Bundle.
const out = join(here, 'dist');
for (const name of readdirSync(out, { withFileTypes: true })) {
  if (name.name !== '.gitkeep') rmSync(join(out, name.name), { recursive: true, force: true });
}
const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ['src/main.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: 'dist/assets',
  entryNames: '[name]-[hash]',
  chunkNames: 'c/[name]-[hash]',
  assetNames: '[name]-[hash]',
  alias: {
    url: './src/shims/url.ts',
    'engine.io-client': './src/shims/eio.ts',
    '@replit/protocol': './src/shims/protocol.ts',
    long: './src/shims/long.ts',
  },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// 4. The page.
let js = '', css = '';
for (const [file, o] of Object.entries(result.metafile.outputs)) {
  if (o.entryPoint === 'src/main.ts') js = file;
  if (file.endsWith('.css') && o.inputs && Object.keys(o.inputs).length) css = file;
}
if (!js || !css) throw new Error(`esbuild wrote no main script or stylesheet: ${Object.keys(result.metafile.outputs)}`);
const url = (f) => '/' + relative(out, join(here, f)).split('\\').join('/');
const page = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('{{script}}', url(js))
  .replace('{{style}}', url(css));
writeFileSync(join(out, 'index.html'), page);

let total = 0, gz = 0, first = 0;
const firstLoad = new Set([js, css, ...result.metafile.outputs[js].imports.filter((i) => !i.kind.startsWith('dynamic')).map((i) => i.path)]);
for (const file of Object.keys(result.metafile.outputs)) {
  const data = readFileSync(join(here, file));
  const z = gzipSync(data, { level: 9 }).length;
  total += data.length;
  gz += z;
  if (firstLoad.has(file)) first += z;
}
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(`dist: ${Object.keys(result.metafile.outputs).length} files, ${kib(total)} (${kib(gz)} gzipped; first load ${kib(first)} gzipped)`);
