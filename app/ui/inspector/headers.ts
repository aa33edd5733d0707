/** What each opening-handshake header means (RFC 6455 §4 and the HTTP it rides on). */
import {
  checkDeflateAnswer,
  parseExtensions,
  PERMESSAGE_DEFLATE,
  readDeflateParams,
  type DeflateParams,
} from '../lib/deflate.ts';

export interface HeaderNote {
  meaning: string;
  rfc: string;
}

const NOTES: Record<string, HeaderNote> = {
  host: {
    meaning: 'The server being asked, host and port (required by HTTP/1.1).',
    rfc: 'RFC 6455 §4.1 (item 4)',
  },
  upgrade: {
    meaning: '"websocket": asks to switch this HTTP connection to the WebSocket protocol.',
    rfc: 'RFC 6455 §4.1 (item 5), §4.2.2',
  },
  connection: {
    meaning: '"Upgrade": this hop must act on the Upgrade header (proxies must not forward it as is).',
    rfc: 'RFC 6455 §4.1 (item 6)',
  },
  'sec-websocket-key': {
    meaning:
      '16 random bytes in base64, fresh for each connection. The server proves it speaks WebSocket by hashing it (see below); it is not a secret.',
    rfc: 'RFC 6455 §4.1 (item 7)',
  },
  'sec-websocket-version': {
    meaning:
      'The protocol version: 13 is RFC 6455. A server that wants another answers 426 with the versions it speaks.',
    rfc: 'RFC 6455 §4.1 (item 9), §4.4',
  },
  'sec-websocket-protocol': {
    meaning:
      'Request: the subprotocols the client offers, in order of preference. Response: the one the server picked (at most one, from the list).',
    rfc: 'RFC 6455 §4.1 (item 10), §4.2.2, §1.9',
  },
  'sec-websocket-extensions': {
    meaning:
      'Request: extensions offered, in order of preference (browsers offer permessage-deflate). Response: the ones the server accepted; with none, RSV1 must stay 0. Each parameter is explained below.',
    rfc: 'RFC 6455 §9.1, RFC 7692',
  },
  'sec-websocket-accept': {
    meaning:
      'base64(SHA-1(key + GUID)): proof that the server read this handshake and speaks WebSocket. The browser checks it and fails the connection if it is wrong.',
    rfc: 'RFC 6455 §4.2.2 (item 5.4), §4.1',
  },
  origin: {
    meaning:
      "The page's origin, sent by browsers. A server should check it to refuse pages it does not trust (cross-site WebSocket hijacking).",
    rfc: 'RFC 6455 §4.1 (item 8), §10.2',
  },
  'user-agent': {
    meaning: 'The browser, as for any HTTP request. Not used by the protocol.',
    rfc: 'RFC 9110 §10.1.5',
  },
  'accept-encoding': {
    meaning:
      'Compression the browser accepts for HTTP bodies; a 101 response has no body, so it does not matter here.',
    rfc: 'RFC 9110 §12.5.3',
  },
  'accept-language': { meaning: 'Ordinary HTTP; not used by the protocol.', rfc: 'RFC 9110 §12.5.4' },
  pragma: {
    meaning: '"no-cache": asks caches and proxies not to serve a stored answer.',
    rfc: 'RFC 9111 §5.4',
  },
  'cache-control': {
    meaning: '"no-cache": a handshake must reach the server, never a cache.',
    rfc: 'RFC 9111 §5.2',
  },
  cookie: {
    meaning: "The site's cookies go along, as with any request to it: one way to authenticate a socket.",
    rfc: 'RFC 6455 §4.1 (item 12), RFC 6265',
  },
  'sec-fetch-dest': { meaning: 'Fetch metadata: "websocket".', rfc: 'Fetch Metadata' },
  'sec-fetch-mode': { meaning: 'Fetch metadata: "websocket".', rfc: 'Fetch Metadata' },
  'sec-fetch-site': {
    meaning: 'Fetch metadata: whether the page is same-origin with the server.',
    rfc: 'Fetch Metadata',
  },
  date: { meaning: 'When the server answered.', rfc: 'RFC 9110 §6.6.1' },
  server: { meaning: 'The server software.', rfc: 'RFC 9110 §10.2.4' },
};

export function headerNote(name: string): HeaderNote {
  return (
    NOTES[name.toLowerCase()] ?? {
      meaning: 'Not part of the WebSocket handshake; ordinary HTTP.',
      rfc: 'RFC 9110',
    }
  );
}

export function statusNote(status: number): string {
  if (status === 101)
    return '101 Switching Protocols: the server agreed; from the next byte on, this TCP connection carries WebSocket frames.';
  if (status === 426)
    return '426 Upgrade Required: the server wants another Sec-WebSocket-Version (it lists the ones it speaks).';
  if (status === 400) return '400 Bad Request: the handshake broke a rule (a missing or malformed header).';
  if (status === 403) return '403 Forbidden: the server refused this Origin or this client.';
  if (status === 404) return '404 Not Found: no WebSocket endpoint at this path.';
  if (status === 503) return '503 Service Unavailable: the server is busy or shutting down.';
  return `${status}: anything but 101 means no WebSocket; the browser reports error, then close 1006.`;
}

/**
 * 4.1: a subprotocol in the 101 must be one the client offered (a client that offered none must
 * see none). What is wrong, or undefined when the answer keeps the rule.
 */
export function protocolProblem(offered: string | undefined, picked: string | undefined): string | undefined {
  const name = picked?.trim() ?? '';
  if (name === '') return undefined;
  const list = (offered ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (list.includes(name)) return undefined;
  return list.length === 0
    ? `The server named the subprotocol "${name}", but the client offered none`
    : `The server picked "${name}", which the client did not offer (it offered ${list.join(', ')})`;
}

/** One extension parameter of an offer or an answer, explained (RFC 7692 §7.1). */
export interface ExtensionParamNote {
  extension: string;
  param: string;
  value: string | true;
  meaning: string;
  rfc: string;
}

const DEFLATE_PARAMS: Record<string, (value: string | true, answer: boolean) => string> = {
  server_no_context_takeover: (_, answer) =>
    answer
      ? 'The server resets its compressor after every message: each message it sends is compressed alone (costs ratio, saves the memory of a 32 KiB window between messages).'
      : 'The client asks the server to compress each message alone, with no memory of earlier ones.',
  client_no_context_takeover: (_, answer) =>
    answer
      ? 'The client must compress each message alone (the server will not keep a window for reading it).'
      : 'The client says it will compress each message alone, so the server need not keep its window between messages.',
  server_max_window_bits: (value, answer) =>
    answer
      ? `The server compresses with a window of at most 2^${String(value)} bytes: back-references reach no further.`
      : `The client asks the server to use a window of at most 2^${String(value)} bytes (less memory for the client to inflate).`,
  client_max_window_bits: (value, answer) =>
    value === true
      ? 'No value: the client says it can honour a window limit if the server sets one (Chromium always sends this).'
      : answer
        ? `The client must compress with a window of at most 2^${String(value)} bytes.`
        : `The client will compress with a window of at most 2^${String(value)} bytes.`,
};

/**
 * The parameters of a Sec-WebSocket-Extensions value, each explained: a request's offers or a
 * response's answer (`answer`). Unknown extensions and parameters are listed as such.
 */
export function extensionNotes(value: string, answer: boolean): ExtensionParamNote[] {
  const parsed = parseExtensions(value);
  if (parsed === undefined)
    return [
      {
        extension: value,
        param: '',
        value: true,
        meaning: 'Not valid header syntax (RFC 6455 §9.1).',
        rfc: 'RFC 6455 §9.1',
      },
    ];
  const notes: ExtensionParamNote[] = [];
  for (const offer of parsed) {
    const deflate = offer.name.toLowerCase() === PERMESSAGE_DEFLATE;
    const base = deflate
      ? answer
        ? 'Accepted: messages may now be compressed (RSV1 = 1 on their first frame). Parameters not listed keep their defaults: context kept, 32 KiB windows.'
        : 'Offered: compress each message with DEFLATE (RSV1 marks a compressed message).'
      : 'An extension this playground does not implement.';
    notes.push({
      extension: offer.name,
      param: '',
      value: true,
      meaning: base,
      rfc: deflate ? 'RFC 7692 §5, §7' : 'RFC 6455 §9',
    });
    for (const [param, v] of Object.entries(offer.params)) {
      const explain = deflate ? DEFLATE_PARAMS[param] : undefined;
      notes.push({
        extension: offer.name,
        param,
        value: v,
        meaning: explain
          ? explain(v, answer)
          : 'Unknown parameter: a server declines such an offer; a client fails on such an answer.',
        rfc: explain ? `RFC 7692 §7.1.${param.includes('window') ? '2' : '1'}` : 'RFC 7692 §7.1',
      });
    }
  }
  return notes;
}

/** The permessage-deflate parameters a 101 agreed, or undefined when it did not accept it. */
export function agreedDeflate(
  request: string | undefined,
  response: string | undefined,
): DeflateParams | undefined {
  const header = (text: string | undefined): string | undefined =>
    /^sec-websocket-extensions:[ \t]*([^\r\n]*)/im.exec(text ?? '')?.[1];
  const answer = parseExtensions(header(response))?.find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
  if (answer === undefined) return undefined;
  const offers = (parseExtensions(header(request)) ?? []).filter(
    (e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE,
  );
  for (const offer of offers.length > 0
    ? offers
    : [{ name: PERMESSAGE_DEFLATE, params: { client_max_window_bits: true as const } }]) {
    const v = checkDeflateAnswer(answer, offer);
    if (v.ok) return v.params;
  }
  const p = readDeflateParams(answer, true);
  return p.ok
    ? {
        serverNoContextTakeover: p.serverNoContextTakeover,
        clientNoContextTakeover: p.clientNoContextTakeover,
        serverMaxWindowBits: p.serverMaxWindowBits ?? 15,
        clientMaxWindowBits: typeof p.clientMaxWindowBits === 'number' ? p.clientMaxWindowBits : 15,
      }
    : undefined;
}
