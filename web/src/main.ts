// The IDE page: reads the token, asks pid1 what it offers, connects with
// crosis and starts every pane. window.__ide exposes the state the
// browser tests read (documents, terminal output, who is here).
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { Conn, type State } from './conn';
import { Editor } from './editor/editor';
import { FileTree } from './files';
import { Chat, Presence } from './people';
import { Playground, type LanguageInfo } from './playground';
import { RunPane } from './run';
import { TermPane } from './terminal';
import { identify, takeToken, type Identity } from './token';
import { $, errors, h, notices, notify } from './ui';

interface Info {
  services: string[];
  languages: LanguageInfo[];
  asymptote?: boolean;
}

async function info(): Promise<Info> {
  try {
    const res = await fetch('/ide/info.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as Info;
  } catch (e) {
    notify(`pid1 did not say what it offers (${(e as Error).message}); showing the basic panes`, 'error');
    return { services: [], languages: [] };
  }
}

function fatal(text: string): void {
  const b = $('#banner');
  b.replaceChildren(h('strong', {}, 'Cannot open the IDE: '), text);
  b.hidden = false;
  b.dataset.kind = 'fatal';
}

function showConnection(state: State, detail: string, everConnected: boolean): void {
  const el = $('#conn');
  el.dataset.state = state;
  const labels: Record<State, string> = {
    connecting: 'connecting…',
    connected: 'connected',
    reconnecting: 'reconnecting…',
    failed: 'disconnected',
  };
  el.textContent = labels[state];
  const b = $('#banner');
  if (state === 'connected') {
    if (!b.hidden && b.dataset.kind !== 'fatal' && everConnected) notify('Reconnected');
    b.hidden = b.dataset.kind !== 'fatal';
    return;
  }
  if (state === 'failed') {
    b.replaceChildren(
      h('strong', {}, 'The connection to pid1 ended: '),
      detail,
      ' ',
      h('button', { onclick: () => location.reload() }, 'Reconnect'),
    );
    b.dataset.kind = 'failed';
    b.hidden = false;
    notify(`connection ended: ${detail}`, 'error');
    return;
  }
  if (state === 'reconnecting' || detail) {
    b.replaceChildren(state === 'reconnecting' ? 'The connection to pid1 was lost; reconnecting… ' : 'Connecting… ', detail);
    b.dataset.kind = 'reconnecting';
    b.hidden = false;
  }
}

function sideTabs(): void {
  for (const tab of document.querySelectorAll<HTMLElement>('.side-tab')) {
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll<HTMLElement>('.side-tab')) t.classList.toggle('active', t === tab);
      for (const p of document.querySelectorAll<HTMLElement>('.side-pane')) p.hidden = p.id !== tab.dataset.pane;
    });
  }
}

async function boot(): Promise<void> {
  const token = takeToken();
  if (!token) {
    fatal('this page needs a token. Open the URL pid1 printed at start, or make one with `pid1 token -url` (add -user NAME for someone else).');
    return;
  }
  let me: Identity;
  try {
    me = identify(token);
  } catch (e) {
    fatal(`the token in the URL cannot be read: ${(e as Error).message}.`);
    return;
  }
  $('#me').textContent = me.name + (me.readOnly ? ' (read-only)' : '');
  document.body.classList.toggle('read-only', me.readOnly);
  const offered = await info();
  const has = (s: string) => offered.services.length === 0 || offered.services.includes(s);

  const conn = new Conn(me);
  let everConnected = false;
  conn.onState((s, detail) => {
    showConnection(s, detail, everConnected);
    if (s === 'connected' && !everConnected) window.__ide.connectedAt = performance.now();
    if (s === 'connected') everConnected = true;
  });

  const editor = new Editor(conn, me, $('#editor'));
  const tree = new FileTree(conn, me, editor, $('#files-pane'));
  const presence = new Presence(conn, me, editor, $('#people-pane'));
  const chat = new Chat(conn, me, $('#chat-pane'));
  let shell: TermPane | null = null;
  let run: RunPane | null = null;
  if (me.readOnly) {
    // A read-only session may not start a terminal, and opening one that
    // does not exist yet would end the connection: no terminals.
    for (const id of ['#terminal', '#console']) $(id).append(h('p.note', {}, 'Read-only: the terminal and Run are for users who may change the workspace.'));
  } else {
    if (has('shell')) shell = new TermPane(conn, $('#terminal'), { service: 'shell', name: 'shell', readOnly: false });
    if (has('shellrun2')) run = new RunPane(conn, me, $('#console'), $('#run-bar'));
  }
  let playground: Playground | null = null;
  const ato = offered.services.includes('ato') && offered.languages.length > 0;
  const asy = offered.services.includes('asy') && offered.asymptote === true;
  if (ato || asy) {
    $('#playground-tab').hidden = false;
    playground = new Playground(conn, $('#playground-pane'), ato ? offered.languages : [], asy);
  }
  sideTabs();

  window.__ide = {
    bootAt: performance.now(),
    me,
    conn: () => conn.state,
    retries: () => conn.failures,
    errors,
    notices,
    active: () => editor.active?.path ?? null,
    tabs: () => editor.tabs.map((t) => t.path),
    doc: (path: string) => editor.text(path),
    docState: (path: string) => {
      const d = editor.doc(path);
      return d ? { version: d.version, status: d.status, dirty: d.dirty, synced: d.synced } : null;
    },
    open: (path: string) => void editor.open(path),
    save: () => editor.save(),
    inTree: (path: string) => tree.has(path),
    people: () => presence.names(),
    chat: () => chat.messages(),
    terminal: () => shell?.output() ?? '',
    termScreen: () => shell?.screen() ?? '',
    termSize: () => (shell ? [shell.term.rows, shell.term.cols] : null),
    termSent: () => shell?.sent ?? null,
    termOpens: () => shell?.opens ?? 0,
    termSelectAll: () => shell?.term.selectAll(),
    console: () => run?.console.output() ?? '',
    runs: () => run?.runs ?? 0,
    playground: () => playground?.output() ?? '',
    ready: false,
  };

  conn.start();
  tree.start();
  presence.start();
  chat.start();
  shell?.start();
  run?.start();
  playground?.start();
  window.__ide.ready = true;
}

declare global {
  interface Window {
    __ide: Record<string, unknown> & { ready: boolean };
  }
}

boot().catch((e) => fatal(String(e)));
