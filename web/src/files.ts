// The file tree: listings from the files service, kept live by fsevents
// (each expanded directory is subscribed; an event in it lists it again),
// and the actions on files: create, rename, delete, upload, download.
import crc32 from 'crc-32';
import type { Chan, Conn } from './conn';
import type { Editor } from './editor/editor';
import type { Identity } from './token';
import { basename, dirname, h, join, notify, report } from './ui';
import { FileType, type Command } from './wire';

interface Entry {
  path: string;
  dir: boolean;
}

const chunkSize = 1 << 20; // upload chunks: 1 MiB
const wholeLimit = 4 << 20; // up to this, a file is written in one request

export class FileTree {
  private files: Chan | null = null;
  private events: Chan | null = null;
  private listings = new Map<string, Entry[]>(); // directory -> entries
  private expanded = new Set<string>(['']);
  private selected = '';
  private selectedDir = true;
  private root: HTMLElement;
  private form: HTMLFormElement;
  private input: HTMLInputElement;
  private formAction: ((name: string) => Promise<void>) | null = null;
  private refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private deleteArmed = false;
  private actions: HTMLElement;

  constructor(
    private conn: Conn,
    me: Identity,
    private editor: Editor,
    host: HTMLElement,
  ) {
    this.input = h('input#name-input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    this.form = h(
      'form#name-form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.submitName();
        },
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === 'Escape') this.hideForm();
        },
      },
      this.input,
    );
    this.form.hidden = true;
    const upload = h('input#upload-input', { type: 'file', multiple: true, onchange: () => void this.upload(upload) });
    upload.hidden = true;
    const btn = (id: string, label: string, title: string, fn: () => void) =>
      h(`button#${id}` as 'button', { title, onclick: fn, disabled: me.readOnly && id !== 'download' }, label);
    this.actions = h(
      'div.tree-actions',
      {},
      btn('new-file', '+ File', 'new file in the selected folder', () => this.askName('new file name', '', (n) => this.create(n, false))),
      btn('new-folder', '+ Folder', 'new folder in the selected folder', () => this.askName('new folder name', '', (n) => this.create(n, true))),
      btn('upload', 'Upload', 'upload files into the selected folder', () => upload.click()),
      btn('rename', 'Rename', 'rename the selected file or folder', () =>
        this.selected ? this.askName('new name', basename(this.selected), (n) => this.rename(n)) : notify('Select a file or folder to rename')),
      btn('delete', 'Delete', 'delete the selected file or folder', () => void this.remove()),
      btn('download', 'Download', 'download the selected file', () => void this.download()),
    );
    this.root = h('ul#tree', { role: 'tree' });
    host.append(this.actions, this.form, upload, this.root);
  }

  start(): void {
    this.conn.channel('files', undefined, {
      open: (ch) => {
        this.files = ch;
        // List everything expanded again: files may have changed while
        // the connection was down.
        for (const d of this.expanded) void this.list(d);
      },
      closed: () => (this.files = null),
    });
    this.conn.channel('fsevents', undefined, {
      open: (ch) => {
        this.events = ch;
        void this.subscribe([...this.expanded]);
      },
      command: (cmd) => this.event(cmd),
      closed: () => (this.events = null),
    });
  }

  private async subscribe(dirs: string[]): Promise<void> {
    try {
      await this.events?.request({ subscribeFile: { files: dirs.map((path) => ({ path })) } });
    } catch (e) {
      report('watching the workspace', e);
    }
  }

  private event(cmd: Command): void {
    const ev = cmd.fileEvent;
    if (cmd.body === 'error' && !cmd.ref) notify(cmd.error ?? '', 'error');
    if (!ev) return;
    for (const p of [ev.file?.path, ev.dest?.path]) {
      if (p === undefined || p === null) continue;
      const d = dirname(p);
      if (this.listings.has(d)) this.refreshSoon(d);
    }
  }

  private refreshSoon(dir: string): void {
    if (this.refreshTimers.has(dir)) return;
    this.refreshTimers.set(
      dir,
      setTimeout(() => {
        this.refreshTimers.delete(dir);
        void this.list(dir);
      }, 30),
    );
  }

  private async request(cmd: Command): Promise<Command> {
    if (!this.files) throw new Error('not connected');
    return this.files.request(cmd);
  }

  private async list(dir: string): Promise<void> {
    try {
      const res = await this.request({ readdir: { path: dir } });
      const entries = (res.files?.files ?? []).map((f) => ({ path: join(dir, f.path ?? ''), dir: f.type === FileType.Directory }));
      entries.sort((a, b) => (a.dir === b.dir ? a.path.localeCompare(b.path) : a.dir ? -1 : 1));
      this.listings.set(dir, entries);
    } catch (e) {
      if (/no such file|not a directory/.test((e as Error).message)) {
        this.listings.delete(dir);
        this.expanded.delete(dir);
      } else if (this.files) {
        report(`listing ${dir || 'the workspace'}`, e);
      }
    }
    this.render();
  }

  private render(): void {
    const build = (dir: string, depth: number): HTMLElement[] => {
      const out: HTMLElement[] = [];
      for (const e of this.listings.get(dir) ?? []) {
        const open = e.dir && this.expanded.has(e.path);
        const row = h(
          'li.entry',
          {
            role: 'treeitem',
            'data-path': e.path,
            'data-kind': e.dir ? 'dir' : 'file',
            onclick: () => this.click(e),
          },
          h('span.icon', {}, e.dir ? (open ? '▾' : '▸') : '·'),
          h('span.label', {}, basename(e.path)),
        );
        row.style.paddingLeft = `${0.5 + depth * 0.9}rem`;
        if (e.path === this.selected) row.classList.add('selected');
        if (e.dir) row.classList.add('dir');
        out.push(row);
        if (open) out.push(...build(e.path, depth + 1));
      }
      return out;
    };
    this.root.replaceChildren(...build('', 0));
  }

  private click(e: Entry): void {
    this.selected = e.path;
    this.selectedDir = e.dir;
    this.disarmDelete();
    if (e.dir) {
      if (this.expanded.has(e.path)) {
        this.expanded.delete(e.path);
      } else {
        this.expanded.add(e.path);
        void this.list(e.path);
        void this.subscribe([e.path]);
      }
    } else {
      this.editor.open(e.path);
    }
    this.render();
  }

  // targetDir is where new files go: the selected folder, or the selected
  // file's folder.
  private targetDir(): string {
    return this.selectedDir ? this.selected : dirname(this.selected);
  }

  private askName(placeholder: string, value: string, action: (name: string) => Promise<void>): void {
    this.formAction = action;
    this.input.placeholder = placeholder;
    this.input.value = value;
    this.form.hidden = false;
    this.input.focus();
    this.input.select();
  }

  private hideForm(): void {
    this.form.hidden = true;
    this.formAction = null;
  }

  private async submitName(): Promise<void> {
    const name = this.input.value.trim();
    const action = this.formAction;
    this.hideForm();
    if (!name || !action) return;
    await action(name);
  }

  private async create(name: string, dir: boolean): Promise<void> {
    const path = join(this.targetDir(), name);
    try {
      if (dir) await this.request({ mkdir: { path } });
      else await this.request({ write: { path, content: new Uint8Array() } });
      this.selected = path;
      this.selectedDir = dir;
      if (!dir) this.editor.open(path);
    } catch (e) {
      report(`creating ${path}`, e);
    }
  }

  private async rename(name: string): Promise<void> {
    const from = this.selected;
    const to = join(dirname(from), name);
    if (to === from) return;
    try {
      const wasOpen = this.editor.tabs.some((t) => t.path === from);
      await this.editor.closePath(from); // saves first, so nothing is written back to the old name
      await this.request({ move: { oldPath: from, newPath: to } });
      this.selected = to;
      if (wasOpen) this.editor.open(to);
    } catch (e) {
      report(`renaming ${from}`, e);
    }
  }

  private disarmDelete(): void {
    this.deleteArmed = false;
    const b = this.actions.querySelector('#delete');
    if (b) b.textContent = 'Delete';
  }

  private async remove(): Promise<void> {
    const path = this.selected;
    if (!path) {
      notify('Select a file or folder to delete');
      return;
    }
    const b = this.actions.querySelector('#delete')!;
    if (!this.deleteArmed) {
      this.deleteArmed = true;
      b.textContent = `Delete ${basename(path)}?`;
      return;
    }
    this.disarmDelete();
    try {
      await this.editor.closePath(path);
      await this.request({ remove: { path } });
      this.selected = dirname(path);
      this.selectedDir = true;
    } catch (e) {
      report(`deleting ${path}`, e);
    }
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const dir = this.targetDir();
    for (const f of Array.from(input.files ?? [])) {
      const path = join(dir, f.name);
      try {
        const data = new Uint8Array(await f.arrayBuffer());
        if (data.length <= wholeLimit) {
          await this.request({ write: { path, content: data } });
        } else {
          const t = await this.request({ transferStart: { path, size: data.length } });
          const id = t.transfer?.id ?? '';
          let crc = 0;
          for (let off = 0; off < data.length; off += chunkSize) {
            const chunk = data.subarray(off, off + chunkSize);
            crc = crc32.buf(chunk, crc);
            await this.request({ transferChunk: { id, content: chunk } });
          }
          await this.request({ transferComplete: { id, crc32: crc >>> 0 } });
        }
        notify(`Uploaded ${path}`);
      } catch (e) {
        report(`uploading ${path}`, e);
      }
    }
    input.value = '';
  }

  private async download(): Promise<void> {
    const path = this.selected;
    if (!path || this.selectedDir) {
      notify('Select a file to download');
      return;
    }
    try {
      const res = await this.request({ read: { path } });
      const blob = new Blob([(res.file?.content ?? new Uint8Array()) as BlobPart]);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: basename(path) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      report(`downloading ${path}`, e);
    }
  }

  // has reports whether the tree lists path (for the tests' hook).
  has(path: string): boolean {
    return this.listings.get(dirname(path))?.some((e) => e.path === path) ?? false;
  }
}
