// Presence and chat. Presence lists every session on the workspace (the
// same user twice is two sessions) with the file each has open, and lets
// one follow another: the follower's editor opens whatever the followed
// session opens. Chat shows the channel's scrollback on attach and every
// message after; pid1 does not echo one's own messages, so they are
// added here.
import type { Chan, Conn } from './conn';
import type { Editor } from './editor/editor';
import type { Identity } from './token';
import { colour, h, notify, report } from './ui';
import type { Command, User } from './wire';

interface Session {
  id: number;
  name: string;
  session: number;
  file: string;
}

export class Presence {
  private chan: Chan | null = null;
  sessions = new Map<number, Session>();
  mySession = 0;
  private following = 0;
  private list: HTMLElement;
  private current = '';

  constructor(
    private conn: Conn,
    private me: Identity,
    private editor: Editor,
    host: HTMLElement,
  ) {
    this.list = h('ul#people');
    host.append(this.list);
    editor.onActivate = (path) => {
      this.current = path;
      this.chan?.send({ openFile: { file: path } });
    };
  }

  start(): void {
    this.conn.channel('presence', 'presencer', {
      open: (ch) => {
        this.chan = ch;
        if (this.current) ch.send({ openFile: { file: this.current } });
      },
      command: (cmd) => this.command(cmd),
      closed: () => {
        this.chan = null;
      },
    });
  }

  private add(u: User): void {
    const s = u.session ?? 0;
    const old = this.sessions.get(s);
    this.sessions.set(s, { id: u.id ?? 0, name: u.name ?? '?', session: s, file: old?.file ?? '' });
  }

  private command(cmd: Command): void {
    switch (cmd.body) {
      case 'roster':
        this.mySession = cmd.session ?? 0;
        this.sessions.clear();
        for (const u of cmd.roster?.user ?? []) this.add(u);
        for (const f of cmd.roster?.files ?? []) {
          const s = this.sessions.get(f.session ?? 0);
          if (s) s.file = f.file ?? '';
        }
        if (this.following && !this.sessions.has(this.following)) this.following = 0;
        break;
      case 'join':
        this.add(cmd.join!);
        break;
      case 'part':
        this.sessions.delete(cmd.part?.session ?? 0);
        if (cmd.part?.session === this.following) {
          notify(`${cmd.part?.name} left; no longer following`);
          this.following = 0;
        }
        break;
      case 'fileOpened': {
        const s = this.sessions.get(cmd.fileOpened?.session ?? 0);
        if (s) s.file = cmd.fileOpened?.file ?? '';
        if (s && s.session === this.following && s.file) this.editor.open(s.file);
        break;
      }
      case 'followUser': {
        const s = this.sessions.get(cmd.followUser?.session ?? 0);
        notify(`${s?.name ?? 'someone'} is following you`);
        break;
      }
      case 'unfollowUser': {
        const s = this.sessions.get(cmd.unfollowUser?.session ?? 0);
        notify(`${s?.name ?? 'someone'} stopped following you`);
        break;
      }
      case 'error':
        report('presence', cmd.error);
        break;
    }
    this.render();
  }

  private follow(s: Session): void {
    if (!this.chan) return;
    if (this.following === s.session) {
      this.chan.send({ unfollowUser: { session: s.session } });
      this.following = 0;
    } else {
      if (this.following) this.chan.send({ unfollowUser: { session: this.following } });
      this.chan.send({ followUser: { session: s.session } });
      this.following = s.session;
      if (s.file) this.editor.open(s.file);
    }
    this.render();
  }

  private render(): void {
    const rows = [...this.sessions.values()].sort((a, b) => a.session - b.session).map((s) => {
      const mine = s.session === this.mySession;
      const row = h(
        'li.person',
        { 'data-session': String(s.session), 'data-name': s.name },
        h('span.swatch', {}),
        h('span.pname', {}, s.name + (mine ? ' (you)' : '')),
        h('span.pfile', { title: s.file }, s.file),
        !mine &&
          h(
            'button.follow',
            { title: `open what ${s.name} opens`, onclick: () => this.follow(s) },
            this.following === s.session ? 'unfollow' : 'follow',
          ),
      );
      row.classList.add(colour(s.id));
      return row;
    });
    this.list.replaceChildren(...rows);
    void this.me;
  }

  // names lists who is here (for the tests' hook).
  names(): string[] {
    return [...this.sessions.values()].map((s) => s.name).sort();
  }
}

export class Chat {
  private chan: Chan | null = null;
  private log: HTMLElement;
  private input: HTMLInputElement;
  private typing: HTMLElement;
  private typers = new Map<string, ReturnType<typeof setTimeout>>();
  private typingSent = false;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private conn: Conn,
    private me: Identity,
    host: HTMLElement,
  ) {
    this.log = h('div#chat-log', { role: 'log' });
    this.typing = h('div#chat-typing');
    this.input = h('input#chat-input', { type: 'text', placeholder: 'Message everyone here', autocomplete: 'off' });
    const form = h(
      'form#chat-form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.send();
        },
      },
      this.input,
      h('button', { type: 'submit' }, 'Send'),
    );
    this.input.addEventListener('input', () => this.typed());
    host.append(this.log, this.typing, form);
  }

  start(): void {
    this.conn.channel('chat', 'chatter', {
      open: (ch) => {
        this.chan = ch;
        this.log.replaceChildren(); // the scrollback follows
      },
      command: (cmd) => {
        if (cmd.body === 'chatMessage') {
          this.show(cmd.chatMessage?.username ?? '?', cmd.chatMessage?.text ?? '');
          this.stopTyping(cmd.chatMessage?.username ?? '');
        } else if (cmd.body === 'chatTyping') {
          const who = cmd.chatTyping?.username ?? '';
          if (cmd.chatTyping?.typing) {
            clearTimeout(this.typers.get(who));
            this.typers.set(who, setTimeout(() => this.stopTyping(who), 5000));
            this.renderTyping();
          } else this.stopTyping(who);
        } else if (cmd.body === 'error') {
          report('chat', cmd.error);
        }
      },
      closed: () => (this.chan = null),
    });
  }

  private stopTyping(who: string): void {
    clearTimeout(this.typers.get(who));
    this.typers.delete(who);
    this.renderTyping();
  }

  private renderTyping(): void {
    const names = [...this.typers.keys()];
    this.typing.textContent = names.length ? `${names.join(', ')} typing…` : '';
  }

  private typed(): void {
    if (!this.typingSent) {
      this.typingSent = true;
      this.chan?.send({ chatTyping: { username: this.me.name, typing: true } });
    }
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.endTyping(), 3000);
  }

  private endTyping(): void {
    if (this.typingSent) this.chan?.send({ chatTyping: { username: this.me.name, typing: false } });
    this.typingSent = false;
  }

  private send(): void {
    const text = this.input.value.trim();
    if (!text) return;
    if (!this.chan || !this.chan.send({ chatMessage: { username: this.me.name, text } })) {
      notify('Not connected: the message was not sent', 'error');
      return;
    }
    this.endTyping();
    this.show(this.me.name, text);
    this.input.value = '';
  }

  private show(who: string, text: string): void {
    const line = h('div.msg', {}, h('span.who', {}, who), h('span.text', {}, text));
    if (who === this.me.name) line.classList.add('mine');
    this.log.append(line);
    this.log.scrollTop = this.log.scrollHeight;
  }

  // messages lists what the log shows (for the tests' hook).
  messages(): string[] {
    return [...this.log.querySelectorAll('.msg')].map((m) => `${m.querySelector('.who')?.textContent}: ${m.querySelector('.text')?.textContent}`);
  }
}
