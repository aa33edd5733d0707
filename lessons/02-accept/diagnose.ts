/**
 * RFC 6455 §4.2.2 run backwards. Sec-WebSocket-Accept is made in three steps:
 *
 *   1. concat  the key as received (24 characters) followed by the GUID
 *   2. sha1    the SHA-1 of that text: 20 bytes
 *   3. base64  those 20 bytes in base64 (28 characters ending in '=')
 *
 * Given a key and the value a server answered with, `diagnose` finds which step went wrong by
 * rebuilding the answer from the usual slips at each step (every combination) and comparing.
 * The first wrong step is the one to fix; later steps may be wrong too.
 */
import {
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  isValidUtf8,
  sha1,
  toHex,
  WEBSOCKET_GUID,
} from '../../app/protocol/index.ts';

export type StepName = 'concat' | 'sha1' | 'base64';

/** One way of doing a step; `slip` says what was done instead, '' for the right way. */
export interface Variant {
  id: string;
  slip: string;
}

interface Input extends Variant {
  bytes(key: string): Uint8Array | undefined;
}
interface Hash extends Variant {
  apply(input: Uint8Array): Uint8Array;
}
interface Encoding extends Variant {
  apply(digest: Uint8Array): string | undefined;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const GUID = WEBSOCKET_GUID;

/** Step 1, the right way first. */
const INPUTS: Input[] = [
  { id: 'key+guid', slip: '', bytes: (k) => encodeUtf8(k + GUID) },
  { id: 'key', slip: 'started from the key alone: the GUID is missing', bytes: (k) => encodeUtf8(k) },
  {
    id: 'guid+key',
    slip: 'put the GUID before the key: the key comes first',
    bytes: (k) => encodeUtf8(GUID + k),
  },
  {
    id: 'guid-lower',
    slip: `wrote the GUID in lower case: it is ${GUID}, in capitals`,
    bytes: (k) => encodeUtf8(k + GUID.toLowerCase()),
  },
  {
    id: 'key guid',
    slip: 'put a space between the key and the GUID: nothing goes between them',
    bytes: (k) => encodeUtf8(`${k} ${GUID}`),
  },
  {
    id: 'key-bytes',
    slip: "joined the key's 16 decoded bytes with the GUID: join the key as text, its 24 characters as received",
    bytes: (k) => {
      const raw = decodeBase64(k);
      return raw && join(raw, encodeUtf8(GUID));
    },
  },
  { id: 'guid', slip: 'started from the GUID alone: the key is missing', bytes: () => encodeUtf8(GUID) },
];

/** Step 2, the right way first. */
const HASHES: Hash[] = [
  { id: 'sha1', slip: '', apply: (b) => sha1(b) },
  { id: 'none', slip: 'skipped SHA-1: the text itself was encoded, not its hash', apply: (b) => b },
  {
    id: 'hex-text',
    slip: "encoded the digest's 40-character hex text instead of its 20 bytes",
    apply: (b) => encodeUtf8(toHex(sha1(b))),
  },
  {
    id: 'HEX-text',
    slip: "encoded the digest's 40-character hex text (in capitals) instead of its 20 bytes",
    apply: (b) => encodeUtf8(toHex(sha1(b)).toUpperCase()),
  },
];

const base64url = (b: Uint8Array): string =>
  encodeBase64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Step 3, the right way first. */
const ENCODINGS: Encoding[] = [
  { id: 'base64', slip: '', apply: encodeBase64 },
  { id: 'hex', slip: 'wrote the bytes as hex digits: the answer is base64', apply: toHex },
  {
    id: 'HEX',
    slip: 'wrote the bytes as hex digits: the answer is base64',
    apply: (b) => toHex(b).toUpperCase(),
  },
  {
    id: 'base64url',
    slip: "used base64url ('-' and '_', no '=' at the end): the answer is plain base64 ('+', '/' and '=')",
    apply: base64url,
  },
  {
    id: 'no-padding',
    slip: "dropped the '=' at the end: base64 of 20 bytes is 28 characters, the last one '='",
    apply: (b) => encodeBase64(b).replace(/=+$/, ''),
  },
  {
    id: 'numbers',
    slip: 'sent the bytes as a list of numbers: encode them in base64',
    apply: (b) => Array.from(b).join(','),
  },
  {
    id: 'text',
    slip: 'sent the text itself, with no encoding',
    apply: (b) => (isValidUtf8(b) ? decodeUtf8(b) : undefined),
  },
];

export type Diagnosis =
  | { kind: 'right' }
  /** The answer is explained by these choices at each step; `first` is the first wrong step. */
  | { kind: 'slip'; first: StepName; concat: Variant; hash: Variant; encoding: Variant }
  /** No combination explains it: `shape` says what it looks like. */
  | { kind: 'unknown'; shape: string };

/** What a value that is not a string becomes when written into a header. */
const NOT_A_STRING: Record<string, string> = {
  undefined: "the text 'undefined': does acceptFor return its result?",
  null: "the text 'null': acceptFor returned null",
  '[object Promise]':
    'a Promise: acceptFor must return the value itself, at once (an async digest such as crypto.subtle cannot be used here; use sha1())',
  '[object ArrayBuffer]': 'an ArrayBuffer, not text: encode the bytes in base64',
  '[object Object]': 'an object, not text: return a string',
};

function shapeOf(answer: string): string {
  if (answer === '') return 'an empty value';
  const odd = NOT_A_STRING[answer];
  if (odd) return odd;
  const bytes = decodeBase64(answer);
  if (bytes?.length === 20)
    return (
      'base64 of 20 bytes, the size of a SHA-1, but not the SHA-1 of key + GUID: the hash and the ' +
      'base64 look right, so the text hashed is wrong. Check the GUID character by character, and ' +
      'that the key is used exactly as received'
    );
  if (/^[0-9a-f]{40}$/i.test(answer))
    return (
      '40 hex digits, a SHA-1 written in hex, but not the SHA-1 of key + GUID: check the text you ' +
      'hash (the GUID character by character), and write the 20 bytes in base64, not hex'
    );
  if (bytes) return `base64 of ${bytes.length} bytes, where a SHA-1 has 20`;
  return `${answer.length} characters that no usual slip explains`;
}

/** Which step of §4.2.2 the server got wrong, for this key and this answer. */
export function diagnose(key: string, answer: string): Diagnosis {
  for (const input of INPUTS) {
    const text = input.bytes(key);
    if (!text) continue;
    for (const hash of HASHES) {
      const digest = hash.apply(text);
      for (const encoding of ENCODINGS) {
        // Unencoded text only makes sense when nothing was hashed.
        if (encoding.id === 'text' && hash.id !== 'none') continue;
        if (encoding.apply(digest) !== answer) continue;
        if (!input.slip && !hash.slip && !encoding.slip) return { kind: 'right' };
        const first: StepName = input.slip ? 'concat' : hash.slip ? 'sha1' : 'base64';
        return { kind: 'slip', first, concat: input, hash, encoding };
      }
    }
  }
  return { kind: 'unknown', shape: shapeOf(answer) };
}

/** What each step should give for this key (for "expected" messages). */
export function stepsFor(key: string): { joined: string; sha1Hex: string; accept: string } {
  const digest = sha1(encodeUtf8(key + GUID));
  return { joined: key + GUID, sha1Hex: toHex(digest), accept: encodeBase64(digest) };
}

/** The answer is the key itself: nothing was done yet. */
export function isEcho(d: Diagnosis): boolean {
  return d.kind === 'slip' && d.concat.id === 'key' && d.hash.id === 'none' && d.encoding.id === 'text';
}
