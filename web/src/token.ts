// The page's token: it arrives in the URL's fragment (#token=…), which the
// browser never sends to the server, is kept in sessionStorage (so a
// reload of this tab keeps working) and removed from the address bar. The
// token's readable part (a PASETO v2.public message: the standard base64
// of a ReplToken) says who the user is, whether they may write and until
// when; pid1 checks the signature, the page only reads it to shape itself.
import { replit } from '../gen/proto.js';

export interface Identity {
  token: string;
  userId: number;
  name: string;
  readOnly: boolean;
  expires: Date | null;
}

const storageKey = 'pid1.token';

// takeToken reads the token from the fragment or the tab's storage.
export function takeToken(): string | null {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = hash.get('token');
  if (fromHash) {
    sessionStorage.setItem(storageKey, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(storageKey);
}

function base64url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// identify reads the token's claims; it throws with a reason a person can
// act on when the token is not one pid1 makes.
export function identify(token: string): Identity {
  const parts = token.split('.');
  if (parts.length < 3 || parts[0] !== 'v2' || parts[1] !== 'public') {
    throw new Error('this is not a pid1 token (it should start with v2.public.)');
  }
  const raw = base64url(parts[2]);
  if (raw.length <= 64) throw new Error('the token is too short to hold a message and a signature');
  // The message is the standard base64 of a ReplToken; the last 64 bytes
  // are the Ed25519 signature.
  const msg = new TextDecoder().decode(raw.subarray(0, raw.length - 64));
  const bin = Uint8Array.from(atob(msg), (c) => c.charCodeAt(0));
  const t = replit.goval.api.token.ReplToken.decode(bin);
  const exp = t.exp ? new Date(Number(t.exp.seconds) * 1000) : null;
  return {
    token,
    userId: t.presenced?.bearerID ?? 0,
    name: t.presenced?.bearerName || 'anonymous',
    readOnly: t.persistence === replit.goval.api.token.Persistence.READ_ONLY,
    expires: exp,
  };
}
