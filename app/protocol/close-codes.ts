/**
 * RFC 6455 §7.4 close codes, and the IANA "WebSocket Close Code Number Registry" (§11.7).
 *
 * "May be shown" and "may be sent" are different questions: 1005, 1006 and 1015 are reported
 * to applications (§7.1.5, §7.4.1) but MUST NOT be set as a status code in a Close frame.
 */

/**
 * 5.5.1: the longest reason a Close frame can carry, the 125-byte control payload minus the
 * 2-byte code (kept here, with no imports, so a page can check a reason without the codec).
 */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Which part of the code space a code falls in (§7.4.2). */
export type CloseCodeRange =
  | 'unused' /* 0-999: not used */
  | 'protocol' /* 1000-2999 registered by the RFC and its extensions */
  | 'reserved' /* 1000-2999 but not (yet) assigned: for future RFCs and extensions */
  | 'registered' /* 3000-3999: registered with IANA by libraries, frameworks, applications */
  | 'private' /* 4000-4999: private use, agreed between endpoints */
  | 'invalid'; /* >= 5000 or not an integer: not a close code at all */

export interface CloseCodeInfo {
  code: number;
  name: string;
  meaning: string;
  /** §5.5.1, §7.4: may appear in the status-code field of a Close frame on the wire. */
  sendable: boolean;
  range: CloseCodeRange;
}

interface Entry {
  name: string;
  meaning: string;
  sendable: boolean;
  rfc: string;
}

/** Every code assigned in the 1000-2999 range (RFC 6455 §7.4.1 plus the IANA registry). */
export const CLOSE_CODES: Readonly<Record<number, Entry>> = {
  1000: {
    name: 'Normal Closure',
    meaning: 'The purpose for which the connection was established has been fulfilled.',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1001: {
    name: 'Going Away',
    meaning: 'The endpoint is going away: a server shutting down or a browser leaving the page.',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1002: {
    name: 'Protocol Error',
    meaning: 'The endpoint is terminating the connection due to a protocol error.',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1003: {
    name: 'Unsupported Data',
    meaning:
      'The endpoint received a type of data it cannot accept (e.g. binary when it only understands text).',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1004: {
    name: 'Reserved',
    meaning: 'Its meaning might be defined in the future. Never sent.',
    sendable: false,
    rfc: 'RFC 6455 §7.4.1',
  },
  1005: {
    name: 'No Status Received',
    meaning: 'Reported only: the Close frame carried no status code. Never sent.',
    sendable: false,
    rfc: 'RFC 6455 §7.4.1',
  },
  1006: {
    name: 'Abnormal Closure',
    meaning: 'Reported only: the connection closed without a Close frame (e.g. TCP dropped). Never sent.',
    sendable: false,
    rfc: 'RFC 6455 §7.4.1',
  },
  1007: {
    name: 'Invalid Frame Payload Data',
    meaning: 'A message contained data inconsistent with its type (e.g. invalid UTF-8 in a text message).',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1008: {
    name: 'Policy Violation',
    meaning: "A message violated the endpoint's policy (generic code when no better one fits).",
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1009: {
    name: 'Message Too Big',
    meaning: 'A message was too big for the endpoint to process.',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1010: {
    name: 'Mandatory Extension',
    meaning: 'The client expected the server to negotiate an extension it did not (client only).',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1011: {
    name: 'Internal Error',
    meaning: 'The server met an unexpected condition that prevented it from fulfilling the request.',
    sendable: true,
    rfc: 'RFC 6455 §7.4.1',
  },
  1012: {
    name: 'Service Restart',
    meaning: 'The service is restarting; the client may reconnect (with backoff).',
    sendable: true,
    rfc: 'IANA registry',
  },
  1013: {
    name: 'Try Again Later',
    meaning: 'The service is temporarily overloaded; try again later.',
    sendable: true,
    rfc: 'IANA registry',
  },
  1014: {
    name: 'Bad Gateway',
    meaning: 'A gateway or proxy received an invalid response from the upstream server.',
    sendable: true,
    rfc: 'IANA registry',
  },
  1015: {
    name: 'TLS Handshake',
    meaning:
      'Reported only: the TLS handshake failed (e.g. the certificate could not be verified). Never sent.',
    sendable: false,
    rfc: 'RFC 6455 §7.4.1',
  },
};

/** Name, one-line meaning, range and whether it may be sent, for any number. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = CLOSE_CODES[code];
  if (known)
    return { code, name: known.name, meaning: known.meaning, sendable: known.sendable, range: 'protocol' };
  if (!Number.isInteger(code) || code < 0 || code > 4999) {
    return {
      code,
      name: 'Invalid',
      meaning: 'Not a close code: status codes are integers from 0 to 4999.',
      sendable: false,
      range: 'invalid',
    };
  }
  // §7.4.2: 0-999 are not used.
  if (code <= 999) {
    return { code, name: 'Unused', meaning: 'Codes 0-999 are not used.', sendable: false, range: 'unused' };
  }
  // §7.4.2: 1000-2999 are reserved for this protocol, its future revisions and extensions.
  if (code <= 2999) {
    return {
      code,
      name: 'Reserved',
      meaning: 'Kept for future RFCs and extensions; not assigned.',
      sendable: false,
      range: 'reserved',
    };
  }
  // §7.4.2: 3000-3999 are registered with IANA by libraries, frameworks and applications.
  if (code <= 3999) {
    return {
      code,
      name: 'Registered',
      meaning: 'For libraries, frameworks and applications (registered with IANA).',
      sendable: true,
      range: 'registered',
    };
  }
  // §7.4.2: 4000-4999 are for private use; the endpoints agree on their meaning.
  return {
    code,
    name: 'Private Use',
    meaning: 'The two endpoints agree on its meaning between themselves; no registry assigns it.',
    sendable: true,
    range: 'private',
  };
}

/**
 * §5.5.1, §7.4: may this status code appear in a Close frame on the wire?
 * Yes for the assigned codes that are not "reported only" (1000-1003, 1007-1014) and for
 * 3000-4999; no for 0-999, 1004-1006, 1015, unassigned 1016-2999 and >= 5000.
 */
export function isSendableCloseCode(code: number): boolean {
  return describeCloseCode(code).sendable;
}

/** 'Normal Closure', 'Private Use', ... */
export function closeCodeName(code: number): string {
  return describeCloseCode(code).name;
}
