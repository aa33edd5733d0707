/** What each opening-handshake header means (RFC 6455 §4 and the HTTP it rides on). */

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
      'Request: extensions offered (browsers offer permessage-deflate). Response: those accepted; none here, so RSV1 must stay 0.',
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
