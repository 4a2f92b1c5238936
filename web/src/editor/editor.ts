// The editor: one CodeMirror view showing one of several open files
// (tabs), each with its own EditorState (so its own undo history) and its
// own ot buffer. Local edits become ops; other people's ops are applied
// as remote transactions that stay out of the undo history.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Annotation, Compartment, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import type { TextOp } from 'ot-text-unicode';
import type { Conn } from '../conn';
import type { Identity } from '../token';
import { basename, h, notify, report } from '../ui';
import type { OTCursor } from '../wire';
import { changesToOp, hasAstral, opToChanges, toCP, toUTF16 } from './convert';
import { remoteCursors, setCursors, type RemoteCursor } from './cursors';
import { languageFor } from './lang';
import { OfflineError, OTDoc, type DocHost } from './ot';

// remote marks transactions that apply what came from pid1.
const remote = Annotation.define<boolean>();

class Tab implements DocHost {
  state: EditorState;
  readonly doc: OTDoc;
  astral = false; // the text has (or had) surrogate pairs
  readonly el: HTMLElement;
  private dot: HTMLElement;
  private cursors = new Map<string, OTCursor>();
  readonly cursorId = 'c' + Math.random().toString(36).slice(2, 10);
  private cursorTimer: ReturnType<typeof setTimeout> | null = null;
  readonly lang = new Compartment();

  constructor(
    readonly path: string,
    private ed: Editor,
  ) {
    this.state = ed.newState(this);
    this.doc = new OTDoc(path, ed.conn, this, ed.me.readOnly);
    this.dot = h('span.dot', { title: 'not saved yet' });
    this.el = h(
      'div.tab',
      { title: path, 'data-path': path, onclick: () => ed.activate(this) },
      h('span.name', {}, basename(path)),
      this.dot,
      h('button.close', { title: 'close', onclick: (e: Event) => (e.stopPropagation(), void ed.close(this)) }, '×'),
    );
    const lang = languageFor(path);
    lang
      ?.then((support) => this.dispatch({ effects: this.lang.reconfigure(support) }))
      .catch((e) => report(`highlighting ${path}`, e));
  }

  get active(): boolean {
    return this.ed.active === this;
  }

  current(): EditorState {
    return this.active ? this.ed.view.state : this.state;
  }

  dispatch(spec: TransactionSpec): void {
    if (this.active) this.ed.view.dispatch(spec);
    else this.state = this.state.update(spec).state;
  }

  // DocHost

  text(): string {
    return this.current().doc.toString();
  }

  applyRemote(op: TextOp): void {
    const doc = this.current().doc;
    const changes = opToChanges(op, doc, this.astral);
    for (const c of op) if (typeof c === 'string' && hasAstral(c)) this.astral = true;
    this.dispatch({ changes, annotations: [remote.of(true), Transaction.addToHistory.of(false)], filter: false });
  }

  reset(text: string): void {
    this.astral = this.astral || hasAstral(text);
    this.dispatch({
      changes: { from: 0, to: this.current().doc.length, insert: text },
      annotations: [remote.of(true), Transaction.addToHistory.of(false)],
      filter: false,
    });
    this.ed.loaded(this);
  }

  changed(): void {
    this.dot.classList.toggle('on', this.doc.dirty);
    this.el.classList.toggle('offline', this.doc.status === 'offline');
    if (this.active) this.ed.showStatus();
  }

  cursor(c: OTCursor, gone: boolean): void {
    if (!c.id || c.id === this.cursorId) return;
    if (gone) this.cursors.delete(c.id);
    else this.cursors.set(c.id, c);
    this.drawCursors();
  }

  cursorsReset(cs: OTCursor[]): void {
    this.cursors.clear();
    for (const c of cs) if (c.id && c.id !== this.cursorId) this.cursors.set(c.id, c);
    this.drawCursors();
  }

  failed(msg: string): void {
    notify(msg, 'error');
  }

  noted(msg: string): void {
    notify(msg);
  }

  private drawCursors(): void {
    const doc = this.current().doc;
    const list: RemoteCursor[] = [];
    for (const [id, c] of this.cursors) {
      const conv = (cp: number | undefined) => toUTF16(doc, cp ?? 0, this.astral);
      list.push({
        id,
        userId: c.user?.id ?? 0,
        name: c.user?.name ?? '?',
        head: conv(c.position),
        from: conv(c.selectionStart),
        to: conv(c.selectionEnd),
      });
    }
    this.dispatch({ effects: setCursors.of(list) });
  }

  // cursorMoved tells the others, at most every 50 ms, where ours is.
  cursorMoved(): void {
    if (this.cursorTimer) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      this.doc.cursorMoved(() => {
        const st = this.current();
        const sel = st.selection.main;
        const cp = (n: number) => toCP(st.doc, n, this.astral);
        return { id: this.cursorId, position: cp(sel.head), selectionStart: cp(sel.from), selectionEnd: cp(sel.to) };
      });
    }, 50);
  }

  // local turns one of the view's transactions into an op.
  local(tr: Transaction): void {
    if (tr.annotation(remote)) return;
    if (tr.docChanged) {
      const astral = this.astral;
      tr.changes.iterChanges((_a, _b, _c, _d, ins) => {
        if (!this.astral && hasAstral(ins.toString())) this.astral = true;
      });
      this.doc.edit(changesToOp(tr.changes, tr.startState.doc, astral));
    }
    if (tr.docChanged || tr.selection) this.cursorMoved();
  }
}

export class Editor {
  readonly view: EditorView;
  readonly tabs: Tab[] = [];
  active: Tab | null = null;
  private tabBar: HTMLElement;
  private status: HTMLElement;
  private empty: HTMLElement;
  private loadWaiters = new Map<string, (() => void)[]>();
  onActivate: (path: string) => void = () => {};

  constructor(
    readonly conn: Conn,
    readonly me: Identity,
    host: HTMLElement,
  ) {
    this.tabBar = h('div#tabs', { role: 'tablist' });
    this.status = h('div#editor-status');
    this.empty = h('div#editor-empty', {}, 'Open a file from the tree on the left.');
    const mount = h('div#editor-view');
    host.append(this.tabBar, mount, this.empty, this.status);
    this.view = new EditorView({ parent: mount, state: EditorState.create({ doc: '' }) });
    mount.hidden = true;
  }

  // newState is a fresh state for a tab, with every extension.
  newState(tab: Tab): EditorState {
    return EditorState.create({
      doc: '',
      extensions: [
        EditorState.lineSeparator.of('\n'), // keep \r: pid1 counts it
        EditorState.readOnly.of(this.me.readOnly),
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        tab.lang.of([]),
        remoteCursors,
        keymap.of([
          { key: 'Mod-s', preventDefault: true, run: () => (void this.save(), true) },
          ...defaultKeymap,
          ...historyKeymap,
          ...searchKeymap,
          indentWithTab,
        ]),
        EditorView.updateListener.of((u) => {
          if (this.active !== tab) return;
          for (const tr of u.transactions) tab.local(tr);
        }),
      ],
    });
  }

  // open shows path, opening its buffer if it is not open yet.
  open(path: string): Tab {
    let tab = this.tabs.find((t) => t.path === path);
    if (!tab) {
      tab = new Tab(path, this);
      this.tabs.push(tab);
      this.tabBar.append(tab.el);
      tab.doc.open();
    }
    this.activate(tab);
    return tab;
  }

  activate(tab: Tab): void {
    if (this.active === tab) return;
    if (this.active) this.active.state = this.view.state;
    this.active = tab;
    this.view.setState(tab.state);
    for (const t of this.tabs) t.el.classList.toggle('active', t === tab);
    this.view.dom.parentElement!.hidden = false;
    this.empty.hidden = true;
    this.showStatus();
    this.onActivate(tab.path);
    this.view.focus();
  }

  async close(tab: Tab): Promise<void> {
    if (tab.doc.dirty) {
      try {
        await tab.doc.save();
      } catch (e) {
        // The tab stays; other errors are shown by the doc.
        if (e instanceof OfflineError) notify(`${e.message}; the tab stays open until then`);
        return;
      }
    }
    tab.doc.dispose();
    const i = this.tabs.indexOf(tab);
    this.tabs.splice(i, 1);
    tab.el.remove();
    if (this.active === tab) {
      this.active = null;
      const next = this.tabs[Math.min(i, this.tabs.length - 1)];
      if (next) this.activate(next);
      else {
        this.view.setState(EditorState.create({ doc: '' }));
        this.view.dom.parentElement!.hidden = true;
        this.empty.hidden = false;
        this.showStatus();
      }
    }
  }

  // closePath closes path's tab, if open (a rename or delete through the
  // tree).
  async closePath(path: string): Promise<void> {
    const tab = this.tabs.find((t) => t.path === path || t.path.startsWith(path + '/'));
    if (tab) await this.close(tab);
  }

  async save(): Promise<void> {
    const tab = this.active;
    if (!tab || this.me.readOnly) return;
    try {
      await tab.doc.save();
      notify(`Saved ${tab.path}`);
    } catch (e) {
      // Other failures are shown by the doc.
      if (e instanceof OfflineError) notify(e.message);
    }
  }

  loaded(tab: Tab): void {
    for (const w of this.loadWaiters.get(tab.path) ?? []) w();
    this.loadWaiters.delete(tab.path);
  }

  showStatus(): void {
    const tab = this.active;
    if (!tab) {
      this.status.textContent = '';
      return;
    }
    const d = tab.doc;
    const parts = [tab.path, `version ${d.version}`, d.status, d.dirty ? 'unsaved' : 'saved'];
    if (this.me.readOnly) parts.push('read-only');
    this.status.textContent = parts.join(' · ');
    this.status.dataset.status = d.status;
  }

  // text is path's text as the editor has it (for the tests' hook).
  text(path: string): string | null {
    const tab = this.tabs.find((t) => t.path === path);
    return tab ? tab.text() : null;
  }

  doc(path: string): OTDoc | null {
    return this.tabs.find((t) => t.path === path)?.doc ?? null;
  }
}
