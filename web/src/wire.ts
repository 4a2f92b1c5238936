// Types for the part of pid1's protocol the page speaks (api/goval.proto:
// field names as protobufjs gives them, camelCase). The encoding and
// decoding are generated from the .proto itself (gen/proto.js); these
// types only let the compiler check the page's use of them. Decoded
// messages carry every scalar field (its default when unset), so numbers
// and strings are never undefined on what arrives; on what is sent every
// field is optional.

export interface File {
  path?: string;
  type?: number; // FileType
  content?: Uint8Array;
}

export const FileType = { Regular: 0, Directory: 1 } as const;
export const FileOp = { Create: 0, Move: 1, Remove: 2, Modify: 3 } as const;
export const State = { Stopped: 0, Running: 1 } as const;
export const Stream = { Stdout: 0, Stderr: 1 } as const;

export interface OTComponent {
  skip?: number;
  delete?: number;
  insert?: string;
}

export interface OTPacket {
  spookyVersion?: number;
  version?: number;
  op?: OTComponent[];
  crc32?: number;
  nonce?: number;
  userId?: number;
}

export interface User {
  id?: number;
  name?: string;
  session?: number;
}

export interface OTCursor {
  position?: number;
  selectionStart?: number;
  selectionEnd?: number;
  user?: User | null;
  id?: string;
}

export interface FileOpened {
  userId?: number;
  file?: string;
  session?: number;
}

export interface AtoDone {
  statusType?: string;
  statusValue?: number;
  timedOut?: boolean;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  real?: number;
  kernel?: number;
  user?: number;
  maxMem?: number;
  waits?: number;
  preemptions?: number;
  majorPageFaults?: number;
  minorPageFaults?: number;
  inputOps?: number;
  outputOps?: number;
  killed?: boolean;
}

export interface AsyFile {
  filename?: string;
  contents?: Uint8Array;
  hash?: string;
  restore?: boolean;
}

type Empty = Record<string, never>;

// Command is one frame: exactly one body member is set (body names it).
export interface Command {
  body?: string;
  ref?: string;
  channel?: number;
  session?: number;

  ok?: Empty | null;
  error?: string;
  output?: string;
  input?: string;
  state?: number;
  hint?: { text?: string } | null;
  runMain?: Empty | null;
  clear?: Empty | null;
  resizeTerm?: { rows?: number; cols?: number } | null;
  execInfo?: { command?: string[]; reason?: string } | null;

  read?: File | null;
  write?: File | null;
  remove?: File | null;
  mkdir?: File | null;
  readdir?: File | null;
  move?: { oldPath?: string; newPath?: string } | null;
  file?: File | null;
  files?: { files?: File[] } | null;
  transferStart?: { path?: string; size?: number } | null;
  transfer?: { id?: string } | null;
  transferChunk?: { id?: string; content?: Uint8Array } | null;
  transferComplete?: { id?: string; crc32?: number } | null;
  subscribeFile?: { files?: File[] } | null;
  fileEvent?: { file?: File | null; dest?: File | null; op?: number } | null;

  ot?: OTPacket | null;
  otstatus?: { contents?: string; version?: number; linkedFile?: File | null; cursors?: OTCursor[] } | null;
  otLinkFile?: { file?: File | null } | null;
  otLinkFileResponse?: { version?: number; linkedFile?: File | null } | null;
  otNewCursor?: OTCursor | null;
  otDeleteCursor?: OTCursor | null;
  otFetchRequest?: { versionFrom?: number; versionTo?: number } | null;
  otFetchResponse?: { packets?: OTPacket[] } | null;
  flush?: Empty | null;
  otFlushNotification?: { diskVersion?: number } | null;

  roster?: { user?: User[]; files?: FileOpened[] } | null;
  join?: User | null;
  part?: User | null;
  openFile?: { file?: string } | null;
  fileOpened?: FileOpened | null;
  followUser?: { session?: number } | null;
  unfollowUser?: { session?: number } | null;

  chatMessage?: { username?: string; text?: string } | null;
  chatTyping?: { username?: string; typing?: boolean } | null;

  atoRun?: {
    language?: string;
    code?: Uint8Array;
    input?: Uint8Array;
    options?: Uint8Array[];
    arguments?: Uint8Array[];
    timeout?: number;
  } | null;
  atoOutput?: { stream?: number; data?: Uint8Array } | null;
  atoDone?: AtoDone | null;
  atoKill?: Empty | null;

  asyRun?: {
    files?: AsyFile[];
    main?: string;
    format?: string;
    duration?: number;
    stderrApart?: boolean;
    verbosity?: number;
    interactive?: boolean;
    stdin?: Uint8Array;
  } | null;
  asyStatus?: { estimate?: number; announcement?: string } | null;
  asyOutput?: { stream?: number; data?: Uint8Array } | null;
  asyResult?: { format?: string; image?: Uint8Array } | null;
  asyComplete?: { error?: string } | null;
  asyMissing?: { files?: AsyFile[] } | null;
  asyInput?: { data?: Uint8Array } | null;
  asyOptions?: { duration?: number } | null;
  asyKill?: Empty | null;

  outputBlockEndEvent?: { exitCode?: number } | null;

  channelClosed?: { initiator?: string; willReconnect?: boolean } | null;
}

export const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
export const text = (b: Uint8Array | undefined | null): string => (b ? utf8d.decode(b) : '');
