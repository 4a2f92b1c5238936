// Reference results from the real ot-text-unicode package, for the Go
// differential test in ot/reference_test.go.
//
//   node ot_reference.mjs < cases.json > results.json
//
// stdin is a JSON array of cases:
//   {doc, a, b, side, cursor, c?, raw?}
// where a and b are ops made against doc, side is "left" or "right", c
// (optional) is an op made against apply(doc, a) and raw (optional) is any
// op to normalize. stdout is a JSON array with, for each case:
//   {transform:   transform(a, b, side),
//    transformBA: transform(b, a, the other side),
//    compose:     compose(a, b),
//    composeAC:   compose(a, c),            (only with c)
//    apply:       apply(doc, a),
//    applyAC:     apply(apply(doc, a), c),  (only with c)
//    position:    transformPosition(cursor, a),
//    normalize:   normalize(raw)}           (only with raw)
// A field whose call throws is {error: message} instead.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { type } = require('ot-text-unicode');

const other = { left: 'right', right: 'left' };

// The type may modify ops it is given (append merges deletes in place), so
// each call gets its own copy.
const copy = (v) => structuredClone(v);

function attempt(fn) {
  try {
    return fn();
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

const cases = JSON.parse(input);
const results = cases.map(({ doc, a, b, side, cursor, c, raw }) => {
  const r = {
    transform: attempt(() => type.transform(copy(a), copy(b), side)),
    transformBA: attempt(() => type.transform(copy(b), copy(a), other[side])),
    compose: attempt(() => type.compose(copy(a), copy(b))),
    apply: attempt(() => type.apply(doc, copy(a))),
    position: attempt(() => type.transformPosition(cursor, copy(a))),
  };
  if (c !== undefined) {
    r.composeAC = attempt(() => type.compose(copy(a), copy(c)));
    r.applyAC = attempt(() => type.apply(type.apply(doc, copy(a)), copy(c)));
  }
  if (raw !== undefined) r.normalize = attempt(() => type.normalize(copy(raw)));
  return r;
});
process.stdout.write(JSON.stringify(results));
