/**
 * RFC 6455 §9.1: the Sec-WebSocket-Extensions header.
 *
 *   Sec-WebSocket-Extensions = extension-list
 *   extension-list = 1#extension
 *   extension = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * e.g. `permessage-deflate; client_max_window_bits, x-webkit-deflate-frame`
 * Parsed so the UI can show what a client offered, even when the server declines it.
 */
import { isToken } from './http.ts';

export interface ExtensionOffer {
  name: string;
  /** A parameter without a value is `true`. */
  params: Record<string, string | true>;
  /** Parameter names given more than once (the last value is in `params`); absent when none. */
  repeated?: string[];
}

/** The offers in a header value, or undefined when it does not follow the grammar. */
export function parseExtensions(value: string | undefined): ExtensionOffer[] | undefined {
  if (value === undefined || value.trim() === '') return [];
  const out: ExtensionOffer[] = [];
  let i = 0;
  const s = value;
  const skipSpace = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && isToken(s[i]!)) i++;
    return s.slice(start, i);
  };
  for (;;) {
    skipSpace();
    const name = token();
    if (name === '') return undefined;
    const params: Record<string, string | true> = Object.create(null) as Record<string, string | true>;
    let repeated: string[] | undefined;
    skipSpace();
    while (s[i] === ';') {
      i++;
      skipSpace();
      const key = token();
      if (key === '') return undefined;
      skipSpace();
      let val: string | true = true;
      if (s[i] === '=') {
        i++;
        skipSpace();
        if (s[i] === '"') {
          // quoted-string; §9.1: its unescaped value must itself be a token.
          i++;
          let q = '';
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\') i++;
            q += s[i] ?? '';
            i++;
          }
          if (s[i] !== '"') return undefined;
          i++;
          if (!isToken(q)) return undefined;
          val = q;
        } else {
          val = token();
          if (val === '') return undefined;
        }
        skipSpace();
      }
      if (key in params) (repeated ??= []).push(key);
      params[key] = val;
    }
    out.push(repeated === undefined ? { name, params } : { name, params, repeated });
    if (i >= s.length) return out;
    if (s[i] !== ',') return undefined;
    i++;
  }
}

/** Back to header text: `permessage-deflate; client_max_window_bits=10`. */
export function formatExtensions(offers: readonly ExtensionOffer[]): string {
  return offers
    .map((o) =>
      [o.name, ...Object.entries(o.params).map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; '),
    )
    .join(', ');
}
