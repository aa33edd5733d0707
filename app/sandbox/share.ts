/**
 * Share links: the code (and which snippet it started from) compressed into the URL's hash,
 * so nothing goes to a server:
 *
 *   #code=1.<base64url(deflate-raw(JSON {s, l, c}))>
 *
 * Compression is the platform's CompressionStream (browsers and Node 18+). Decoding never
 * throws: a damaged link gives a reason the page can show, and the page keeps what it has.
 */

export const SHARE_PARAM = 'code';
const VERSION = '1';
/** Longest code we put in a link (URLs of a few hundred KB work, but not everywhere). */
export const MAX_SHARED_CODE = 100_000;

export interface SharedCode {
  /** The snippet it started from (may be unknown to this version of the app). */
  snippet: string;
  language: 'javascript' | 'typescript';
  code: string;
}

/**
 * The most a genuine link can expand to: MAX_SHARED_CODE characters as JSON (a control
 * character is escaped to 6 bytes, \u0000; anything else takes at most 3 bytes per UTF-16
 * unit), plus the snippet name and the keys. Decompression stops as soon as it passes this, so
 * a compression bomb costs at most this much memory, whatever it would expand to.
 */
export const MAX_EXPANDED_BYTES = 6 * MAX_SHARED_CODE + 4_096;
/**
 * The longest link value a genuine link can be: deflate never makes data more than a few bytes
 * per 64 KiB block bigger, and base64url takes 4 characters per 3 bytes.
 */
export const MAX_LINK_CHARS = Math.ceil(((MAX_EXPANDED_BYTES + 1_024) * 4) / 3) + 16;

export type DecodeResult = { ok: true; shared: SharedCode } | { ok: false; message: string };

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

class TooBig extends Error {}

/** Inflates `bytes`, giving up (TooBig) once the output passes `limit` bytes. */
async function inflateAtMost(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'))
    .getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooBig();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new SyntaxError('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The hash fragment (without '#') for `shared`. */
export async function encodeShare(shared: SharedCode): Promise<string> {
  if (shared.code.length > MAX_SHARED_CODE)
    throw new RangeError(
      `The code is too long to share as a link (${shared.code.length} characters; at most ${MAX_SHARED_CODE}).`,
    );
  const json = JSON.stringify({
    s: shared.snippet,
    l: shared.language === 'typescript' ? 'ts' : 'js',
    c: shared.code,
  });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return `${SHARE_PARAM}=${VERSION}.${toBase64Url(packed)}`;
}

/** Finds a share in a location hash ('#code=...'); undefined when there is none. */
export function shareParam(hash: string): string | undefined {
  const h = hash.replace(/^#/, '');
  const params = new URLSearchParams(h);
  return params.get(SHARE_PARAM) ?? undefined;
}

const DAMAGED =
  'This share link is damaged (perhaps cut short when it was copied), so its code could not be opened. Your own code is untouched.';

/** Why a link was refused for its size; `measure` says what was measured. */
function tooBig(measure: string): string {
  return `This share link is too big to open: ${measure}, and a link holds at most ${MAX_SHARED_CODE.toLocaleString('en')} characters of code. It was not made by this playground, or it was changed since. Your own code is untouched.`;
}

export async function decodeShare(value: string): Promise<DecodeResult> {
  const dot = value.indexOf('.');
  const version = dot === -1 ? '' : value.slice(0, dot);
  if (version !== VERSION) {
    return {
      ok: false,
      message:
        dot === -1
          ? DAMAGED
          : `This share link was made by another version of the playground (format ${version}), so it cannot be opened here. Your own code is untouched.`,
    };
  }
  if (value.length > MAX_LINK_CHARS)
    return { ok: false, message: tooBig(`the link is ${value.length.toLocaleString('en')} characters long`) };
  let json: string;
  try {
    const bytes = await inflateAtMost(fromBase64Url(value.slice(dot + 1)), MAX_EXPANDED_BYTES);
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof TooBig)
      return {
        ok: false,
        message: tooBig(`it expands to more than ${MAX_EXPANDED_BYTES.toLocaleString('en')} bytes`),
      };
    return { ok: false, message: DAMAGED };
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, message: DAMAGED };
  }
  const d = data as { s?: unknown; l?: unknown; c?: unknown };
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.c !== 'string' ||
    typeof d.s !== 'string' ||
    (d.l !== 'js' && d.l !== 'ts')
  ) {
    return { ok: false, message: DAMAGED };
  }
  if (d.c.length > MAX_SHARED_CODE)
    return { ok: false, message: tooBig(`it holds ${d.c.length.toLocaleString('en')} characters of code`) };
  return {
    ok: true,
    shared: { snippet: d.s, language: d.l === 'ts' ? 'typescript' : 'javascript', code: d.c },
  };
}

/** `base` with its hash replaced by `hash`. */
export function withHash(base: string, hash: string): string {
  const url = new URL(base);
  url.hash = hash;
  return url.href;
}

/** `href` without the share parameter in its hash (other parameters stay). */
export function withoutShare(href: string): string {
  const url = new URL(href);
  const params = new URLSearchParams(url.hash.slice(1));
  params.delete(SHARE_PARAM);
  url.hash = params.toString();
  return url.href.replace(/#$/, '');
}
