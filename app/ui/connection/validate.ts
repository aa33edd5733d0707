/**
 * What the lab checks before `new WebSocket(url, protocols)`, with the rule behind each message
 * (WHATWG WebSockets §"The WebSocket interface", RFC 6455 §3 and §4.1).
 */

export type Checked<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string };

export interface UrlContext {
  /** The page's protocol ('http:' or 'https:'): an https page may not open ws:// (mixed content). */
  pageProtocol: string;
  /** Turns a bundled endpoint path ('/echo') into its full URL. */
  endpointUrl: (path: string) => string;
}

export function checkUrl(input: string, ctx: UrlContext): Checked<string> {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Type a ws:// or wss:// URL, or pick an endpoint above.' };
  // A bare path names one of our endpoints.
  if (text.startsWith('/')) return checkUrl(ctx.endpointUrl(text), ctx);
  if (/\s/.test(text)) return { ok: false, message: 'A URL cannot contain spaces: encode them as %20.' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) {
      return { ok: false, message: `"${text.slice(0, 40)}" has no scheme: start with ws:// or wss://.` };
    }
    return {
      ok: false,
      message: `"${text.slice(0, 40)}" is not a valid URL (RFC 3986): check the host and port.`,
    };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const ws = url.protocol === 'http:' ? 'ws:' : 'wss:';
    return {
      ok: false,
      message: `${url.protocol}// is the page's scheme, not a socket's: use ${ws}// (RFC 6455 §3). The handshake is HTTP, but the URL says ws.`,
    };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return {
      ok: false,
      message: `${url.protocol} is not a WebSocket scheme: a WebSocket URL starts with ws:// or wss:// (RFC 6455 §3).`,
    };
  }
  if (url.hash !== '' || text.includes('#')) {
    return {
      ok: false,
      message: 'A WebSocket URL cannot have a #fragment (RFC 6455 §3): the browser throws SyntaxError.',
    };
  }
  if (url.hostname === '') return { ok: false, message: 'The URL has no host.' };
  if (ctx.pageProtocol === 'https:' && url.protocol === 'ws:') {
    return {
      ok: false,
      message: 'This page was loaded over https, so the browser blocks ws:// (mixed content): use wss://.',
    };
  }
  return { ok: true, value: url.toString() };
}

/** RFC 7230 token characters: what a subprotocol name may contain (RFC 6455 §4.1 item 10). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function checkProtocols(input: string): Checked<string[]> {
  const text = input.trim();
  if (text === '') return { ok: true, value: [] };
  const names = text.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') {
      return { ok: false, message: `Subprotocol ${i + 1} is empty: separate names with single commas.` };
    }
    if (!TOKEN.test(name)) {
      const bad = [...name].find((c) => !TOKEN.test(c)) ?? '';
      const what = bad === ' ' ? 'a space' : `'${bad}'`;
      return {
        ok: false,
        message: `"${name}" contains ${what}: a subprotocol is an HTTP token (RFC 6455 §4.1), so the browser throws SyntaxError.`,
      };
    }
    const key = name.toLowerCase();
    if (seen.has(key)) {
      return {
        ok: false,
        message: `"${name}" is listed twice: each subprotocol may appear once (the browser throws SyntaxError).`,
      };
    }
    seen.add(key);
  }
  return { ok: true, value: names };
}

/** WHATWG close(): only 1000 and 3000-4999 may be passed; the reason is at most 123 bytes. */
export function browserMayClose(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}
