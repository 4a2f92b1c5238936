// Other sessions' cursors and selections in the editor, each in its
// user's colour with the name on the caret. They live in a state field:
// set whole by an effect when the ot service tells of a change, and moved
// by every edit in between.
import { StateEffect, StateField, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { colour } from '../ui';

export interface RemoteCursor {
  id: string;
  userId: number;
  name: string;
  head: number; // UTF-16 offsets in the current text
  from: number;
  to: number;
}

export const setCursors = StateEffect.define<RemoteCursor[]>();

class Caret extends WidgetType {
  constructor(
    readonly name: string,
    readonly cls: string,
  ) {
    super();
  }
  eq(o: Caret): boolean {
    return o.name === this.name && o.cls === this.cls;
  }
  toDOM(): HTMLElement {
    const el = document.createElement('span');
    el.className = `remote-caret ${this.cls}`;
    const label = document.createElement('span');
    label.className = 'remote-name';
    label.textContent = this.name;
    el.append(label);
    return el;
  }
  ignoreEvent(): boolean {
    return true;
  }
}

function build(cursors: RemoteCursor[], len: number): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  for (const c of cursors) {
    const cls = colour(c.userId);
    const from = Math.min(c.from, c.to, len), to = Math.min(Math.max(c.from, c.to), len);
    if (to > from) ranges.push(Decoration.mark({ class: `remote-sel ${cls}` }).range(from, to));
    ranges.push(Decoration.widget({ widget: new Caret(c.name, cls), side: 1 }).range(Math.min(c.head, len)));
  }
  return Decoration.set(ranges, true);
}

export const remoteCursors = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decos, tr) {
    for (const e of tr.effects) if (e.is(setCursors)) return build(e.value, tr.newDoc.length);
    return tr.docChanged ? decos.map(tr.changes) : decos;
  },
  provide: (f) => EditorView.decorations.from(f),
});
