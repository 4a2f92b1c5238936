// Small DOM helpers and the page's notices: errors are shown to the
// person, never only logged.

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

// h builds an element: h('button.run#run', {onclick: f, title: 'x'}, 'Run').
export function h<K extends keyof HTMLElementTagNameMap>(
  spec: K | `${K}.${string}` | `${K}#${string}`,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/.exec(spec);
  if (!m) throw new Error('bad element spec ' + spec);
  const el = document.createElement(m[1] as K);
  for (const part of m[2].match(/[.#][\w-]+/g) ?? []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function $(sel: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(sel);
  if (!el) throw new Error('the page has no ' + sel);
  return el;
}

let toasts: HTMLElement | null = null;

// notify shows a message for a while; errors stay longer. Every message
// is kept in window.__ide.notices, errors also in window.__ide.errors, for
// the tests (a toast may be gone before a test looks).
export function notify(text: string, kind: 'error' | 'info' = 'info'): void {
  if (!toasts) {
    toasts = h('div#toasts', { role: 'status', 'aria-live': 'polite' });
    document.body.append(toasts);
  }
  const t = h('div.toast', {}, text);
  t.classList.add(kind);
  const close = h('button.close', { title: 'dismiss', onclick: () => t.remove() }, '×');
  t.append(close);
  toasts.append(t);
  if (kind === 'error') errors.push(text);
  notices.push(text);
  if (notices.length > 200) notices.shift();
  setTimeout(() => t.remove(), kind === 'error' ? 12000 : 4000);
}

export const errors: string[] = [];
export const notices: string[] = [];

// report turns a failure into a notice; what: what was being done.
export function report(what: string, err: unknown): void {
  const msg = err instanceof Error ? err.message : String(err);
  notify(`${what}: ${msg}`, 'error');
}

// colour is the palette slot of a user: the same for the same id everywhere.
export function colour(userId: number): string {
  return 'c' + ((userId >>> 0) % 8);
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function join(dir: string, name: string): string {
  return dir ? dir + '/' + name : name;
}
