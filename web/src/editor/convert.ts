// Conversions between CodeMirror's positions (UTF-16 units) and the ot
// service's (Unicode code points), and between ot-text-unicode's ops and
// the protocol's components. A text without astral characters (no
// surrogate pairs) has the same positions in both, which is the common
// case and costs nothing; otherwise positions are counted.
import type { ChangeSet, ChangeSpec, Text } from '@codemirror/state';
import { type as ottext } from 'ot-text-unicode';
import type { TextOp } from 'ot-text-unicode';
import type { OTComponent } from '../wire';

const surrogate = /[\uD800-\uDFFF]/;

export function hasAstral(s: string): boolean {
  return surrogate.test(s);
}

// codePoints counts the code points of s.
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
  }
  return n;
}

// cpBetween is the number of code points of doc between UTF-16 offsets.
export function cpBetween(doc: Text, from: number, to: number, astral: boolean): number {
  return astral ? codePoints(doc.sliceString(from, to)) : to - from;
}

// advance moves n code points forward from UTF-16 offset pos in doc.
export function advance(doc: Text, pos: number, n: number, astral: boolean): number {
  if (!astral) return pos + n;
  const s = doc.sliceString(pos, Math.min(doc.length, pos + 2 * n));
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c < 0xdc00 && i + 1 < s.length ? 2 : 1;
  }
  return pos + i;
}

// toUTF16 is the UTF-16 offset of code point cp in doc.
export function toUTF16(doc: Text, cp: number, astral: boolean): number {
  return Math.min(advance(doc, 0, cp, astral), doc.length);
}

// toCP is the code point index of UTF-16 offset pos in doc.
export function toCP(doc: Text, pos: number, astral: boolean): number {
  return cpBetween(doc, 0, pos, astral);
}

// changesToOp turns a local CodeMirror change set, made against doc, into
// an op in code points.
export function changesToOp(changes: ChangeSet, doc: Text, astral: boolean): TextOp {
  const op: TextOp = [];
  let last = 0;
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    const skip = cpBetween(doc, last, fromA, astral);
    if (skip > 0) op.push(skip);
    const del = cpBetween(doc, fromA, toA, astral);
    if (del > 0) op.push({ d: del });
    const ins = inserted.toString();
    if (ins) op.push(ins);
    last = toA;
  });
  return ottext.normalize(op);
}

// opToChanges turns an op in code points into CodeMirror change specs
// against doc (all in its coordinates, as one transaction expects).
export function opToChanges(op: TextOp, doc: Text, astral: boolean): ChangeSpec[] {
  const specs: ChangeSpec[] = [];
  let pos = 0;
  for (const c of op) {
    if (typeof c === 'number') {
      pos = advance(doc, pos, c, astral);
    } else if (typeof c === 'string') {
      specs.push({ from: pos, insert: c });
    } else {
      const n = typeof c.d === 'number' ? c.d : codePoints(c.d);
      const end = advance(doc, pos, n, astral);
      specs.push({ from: pos, to: end });
      pos = end;
    }
  }
  if (pos > doc.length) throw new Error(`the op reaches past the end of the text (${pos} > ${doc.length})`);
  return specs;
}

export function toProto(op: TextOp): OTComponent[] {
  return op.map((c) => {
    if (typeof c === 'number') return { skip: c };
    if (typeof c === 'string') return { insert: c };
    return { delete: typeof c.d === 'number' ? c.d : codePoints(c.d) };
  });
}

export function fromProto(cs: OTComponent[] | undefined): TextOp {
  const op: TextOp = [];
  for (const c of cs ?? []) {
    if (c.skip) op.push(c.skip);
    else if (c.delete) op.push({ d: c.delete });
    else if (c.insert) op.push(c.insert);
    else throw new Error('an op component with no skip, delete or insert');
  }
  return op;
}

// diffOp is an op that turns a into b: the common prefix and suffix kept,
// the middle replaced (what a resync needs, not a minimal diff).
export function diffOp(a: string, b: string): TextOp {
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && p < a.length && isLow(a.charCodeAt(p))) p--; // do not split a pair
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isLow(a.charCodeAt(a.length - s))) s--;
  const op: TextOp = [];
  const keep = codePoints(a.slice(0, p));
  if (keep) op.push(keep);
  const del = codePoints(a.slice(p, a.length - s));
  if (del) op.push({ d: del });
  const ins = b.slice(p, b.length - s);
  if (ins) op.push(ins);
  return ottext.normalize(op);
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c < 0xe000;
}
