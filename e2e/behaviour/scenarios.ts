/**
 * The WebSocket behaviour suite, written once. Each scenario runs in a page against a
 * WebSocket constructor (the browser's own talking to our Node server, or LoopbackWebSocket on
 * the virtual network) and returns a JSON trace; the specs check that trace against `expected`
 * for both. Where the two transports differ, the loopback is wrong.
 *
 * Browser code: `run` uses only its `env` and the page's globals (no imports), so this file
 * also loads in Node, where the specs read the names and expected traces.
 */

export interface Env {
  /** The constructor under test. */
  WS: typeof WebSocket;
  /** ws:// URL of a service path on the server under test, e.g. url('/echo'). */
  url(path: string): string;
}

export interface Scenario {
  name: string;
  /** The trace the WebSockets standard implies: what both transports must produce. */
  expected: unknown;
  /**
   * Only where Chromium itself departs from the standard: what the native socket gives there.
   * The loopback still has to produce `expected`.
   */
  chromium?: unknown;
  /** Needs a server that refuses unknown paths with 404 (not the dev server: see native-server.ts). */
  refusesUnknownPaths?: true;
  run(env: Env): Promise<unknown>;
}

/** One event as a trace line: what it was and what the socket said at that moment. */
type Line = Record<string, unknown>;

/** Records events until close (or `timeoutMs`), in order, with readyState at each. */
function watch(
  ws: WebSocket,
  timeoutMs = 8_000,
  onEvent?: (e: Event, log: Line[]) => void,
): { log: Line[]; done: Promise<Line[]> } {
  const log: Line[] = [];
  const done = new Promise<Line[]>((resolve) => {
    const timer = setTimeout(() => {
      log.push({ type: 'timeout', readyState: ws.readyState });
      resolve(log);
    }, timeoutMs);
    const note = (e: Event): void => {
      const line: Line = { type: e.type, readyState: ws.readyState };
      if (e.type === 'message') {
        const m = e as MessageEvent;
        line.data = describeData(m.data);
        line.originMatches = m.origin === new URL(ws.url).origin;
      }
      if (e.type === 'close') {
        const c = e as CloseEvent;
        line.code = c.code;
        line.reason = c.reason;
        line.wasClean = c.wasClean;
      }
      log.push(line);
      onEvent?.(e, log);
      if (e.type === 'close') {
        clearTimeout(timer);
        // Anything fired after close would show up in the log within this task's successors.
        setTimeout(() => resolve(log), 50);
      }
    };
    for (const type of ['open', 'message', 'error', 'close']) ws.addEventListener(type, note);
  });
  return { log, done };
}

function describeData(d: unknown): unknown {
  if (typeof d === 'string') return d.length > 80 ? `string(${d.length})` : d;
  if (d instanceof ArrayBuffer)
    return { ArrayBuffer: [...new Uint8Array(d)].slice(0, 16), byteLength: d.byteLength };
  if (d instanceof Blob) return { Blob: d.size, type: d.type };
  return { other: Object.prototype.toString.call(d) };
}

function errorName(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof DOMException ? `DOMException:${e.name}` : e instanceof Error ? e.name : String(e);
  }
  return 'ok';
}

/** Resolves once `ws` is open (or rejects on close first). */
function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === 1) resolve();
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('close', () => reject(new Error('closed before open')), { once: true });
  });
}

function nextMessage(ws: WebSocket): Promise<MessageEvent> {
  return new Promise((resolve) =>
    ws.addEventListener('message', (e) => resolve(e as MessageEvent), { once: true }),
  );
}

async function blobBytes(d: unknown): Promise<number[]> {
  if (d instanceof Blob) return [...new Uint8Array(await d.arrayBuffer())];
  if (d instanceof ArrayBuffer) return [...new Uint8Array(d)];
  return [];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'constructor: URL and protocol rules',
    expected: {
      ftp: 'DOMException:SyntaxError',
      fragment: 'DOMException:SyntaxError',
      emptyFragment: 'DOMException:SyntaxError',
      unparsable: 'DOMException:SyntaxError',
      noArguments: 'TypeError',
      duplicate: 'DOMException:SyntaxError',
      emptyToken: 'DOMException:SyntaxError',
      space: 'DOMException:SyntaxError',
      comma: 'DOMException:SyntaxError',
      nonAscii: 'DOMException:SyntaxError',
      validList: 'ok',
      httpBecomesWs: true,
      relativeResolves: true,
    },
    async run({ WS, url }) {
      const echo = url('/echo');
      const made: WebSocket[] = [];
      const make =
        (...args: unknown[]) =>
        () =>
          made.push(new (WS as unknown as new (...a: unknown[]) => WebSocket)(...args));
      const result = {
        ftp: errorName(make(echo.replace(/^ws/, 'ftp'))),
        fragment: errorName(make(echo + '#frag')),
        emptyFragment: errorName(make(echo + '#')),
        unparsable: errorName(make('ws://[::1')),
        noArguments: errorName(make()),
        duplicate: errorName(make(echo, ['chat', 'chat'])),
        emptyToken: errorName(make(echo, [''])),
        space: errorName(make(echo, 'a b')),
        comma: errorName(make(echo, 'a,b')),
        nonAscii: errorName(make(echo, '\u0080echo')),
        validList: errorName(make(echo, ['chat', 'superchat'])),
        httpBecomesWs: false,
        relativeResolves: false,
      };
      const viaHttp = new WS(echo.replace(/^ws/, 'http'));
      result.httpBecomesWs = viaHttp.url === echo;
      const relative = new WS('echo?x=1');
      result.relativeResolves =
        relative.url === `ws://${location.host}${new URL('echo?x=1', document.baseURI).pathname}?x=1`;
      for (const ws of [...made, viaHttp, relative]) ws.close();
      return result;
    },
  },
  {
    name: 'constructor: protocols that differ only in case are duplicates',
    // The WebSockets standard (and web-platform-tests' Create-protocols-repeated-case-insensitive)
    // say SyntaxError; Chromium (and Firefox) accept them. The loopback follows the standard.
    expected: 'DOMException:SyntaxError',
    chromium: 'ok',
    async run({ WS, url }) {
      let made: WebSocket | undefined;
      const result = errorName(() => (made = new WS(url('/echo'), ['chat', 'CHAT'])));
      made?.close();
      return result;
    },
  },
  {
    name: 'interface: constants, accessors and defaults',
    expected: {
      staticConstants: [0, 1, 2, 3],
      prototypeConstants: [0, 1, 2, 3],
      constantDescriptor: { writable: false, enumerable: true, configurable: false },
      ownConstant: false,
      accessorsOnPrototype: true,
      isEventTarget: true,
      initial: {
        readyState: 0,
        protocol: '',
        extensions: '',
        binaryType: 'blob',
        bufferedAmount: 0,
        onopen: null,
      },
      binaryTypeAfterBadValue: 'blob',
      binaryTypeArraybuffer: 'arraybuffer',
      binaryTypeKeepsOnBad: 'arraybuffer',
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const d = Object.getOwnPropertyDescriptor(WS, 'OPEN');
      const proto = WS.prototype as unknown as Record<string, number>;
      const result = {
        staticConstants: [WS.CONNECTING, WS.OPEN, WS.CLOSING, WS.CLOSED],
        prototypeConstants: [proto.CONNECTING, proto.OPEN, proto.CLOSING, proto.CLOSED],
        constantDescriptor: {
          writable: d?.writable,
          enumerable: d?.enumerable,
          configurable: d?.configurable,
        },
        ownConstant: Object.prototype.hasOwnProperty.call(ws, 'OPEN'),
        accessorsOnPrototype: [
          'url',
          'readyState',
          'bufferedAmount',
          'protocol',
          'extensions',
          'binaryType',
          'onopen',
          'onmessage',
          'onerror',
          'onclose',
        ].every((k) => typeof Object.getOwnPropertyDescriptor(WS.prototype, k)?.get === 'function'),
        isEventTarget: ws instanceof EventTarget,
        initial: {
          readyState: ws.readyState,
          protocol: ws.protocol,
          extensions: ws.extensions,
          binaryType: ws.binaryType,
          bufferedAmount: ws.bufferedAmount,
          onopen: ws.onopen,
        },
        binaryTypeAfterBadValue: '',
        binaryTypeArraybuffer: '',
        binaryTypeKeepsOnBad: '',
      };
      ws.binaryType = 'text' as BinaryType;
      result.binaryTypeAfterBadValue = ws.binaryType;
      ws.binaryType = 'arraybuffer';
      result.binaryTypeArraybuffer = ws.binaryType;
      ws.binaryType = 'Blob' as BinaryType;
      result.binaryTypeKeepsOnBad = ws.binaryType;
      ws.close();
      return result;
    },
  },
  {
    name: 'echo: text, with bufferedAmount and origin',
    expected: {
      bufferedAfterSend: 11,
      protocol: '',
      // RFC 7692: both clients offer permessage-deflate, as Chromium does, and /echo accepts.
      extensions: 'permessage-deflate',
      events: [
        { type: 'open', readyState: 1 },
        { type: 'message', readyState: 1, data: 'héllo 👋', originMatches: true },
        { type: 'close', readyState: 3, code: 1000, reason: '', wasClean: true },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws); // first, so its listener sees each event before the handlers act
      let bufferedAfterSend = -1;
      ws.onopen = () => {
        ws.send('héllo 👋');
        bufferedAfterSend = ws.bufferedAmount;
      };
      ws.onmessage = () => ws.close(1000);
      const events = await done;
      return { bufferedAfterSend, protocol: ws.protocol, extensions: ws.extensions, events };
    },
  },
  {
    name: 'echo: binary as Blob (the default binaryType)',
    expected: { isBlob: true, type: '', bytes: [0, 1, 2, 255] },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      await opened(ws);
      ws.send(new Uint8Array([0, 1, 2, 255]));
      const m = await nextMessage(ws);
      ws.close();
      return { isBlob: m.data instanceof Blob, type: (m.data as Blob).type, bytes: await blobBytes(m.data) };
    },
  },
  {
    name: 'echo: binary as ArrayBuffer; ArrayBuffer, view windows and Blob go out in call order',
    expected: [
      { isArrayBuffer: true, bytes: [1, 2, 3] },
      { isArrayBuffer: true, bytes: [5, 6] },
      { isArrayBuffer: true, bytes: [7] },
      { isArrayBuffer: true, bytes: [8, 9] },
      { isArrayBuffer: false, bytes: [] },
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      ws.binaryType = 'arraybuffer';
      await opened(ws);
      const got: unknown[] = [];
      ws.onmessage = (e) => got.push(e.data);
      const backing = new Uint8Array([4, 5, 6, 7, 8]);
      ws.send(new Uint8Array([1, 2, 3]).buffer);
      ws.send(backing.subarray(1, 3));
      ws.send(new DataView(backing.buffer, 3, 1));
      ws.send(new Blob([new Uint8Array([8, 9])]));
      ws.send('after the blob');
      backing[1] = 0; // send() copied the bytes already
      await waitFor(() => got.length === 5);
      ws.close();
      return Promise.all(
        got.map(async (d) => ({ isArrayBuffer: d instanceof ArrayBuffer, bytes: await blobBytes(d) })),
      );
    },
  },
  {
    name: 'send: non-binary values are sent as strings',
    expected: ['42', 'null', '[object Object]', 'a\uFFFDb'],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      await opened(ws);
      const got: string[] = [];
      ws.onmessage = (e) => got.push(e.data as string);
      const send = ws.send.bind(ws) as (d: unknown) => void;
      send(42);
      send(null);
      send({});
      send('a\uD800b'); // a lone surrogate becomes U+FFFD (USVString)
      await waitFor(() => got.length === 4);
      ws.close();
      return got;
    },
  },
  {
    name: 'subprotocols: the server picks from the offer; protocol is set at open',
    expected: { before: '', first: 'superchat', second: 'json' },
    async run({ WS, url }) {
      const a = new WS(url('/echo'), ['superchat', 'chat']);
      const before = a.protocol;
      const b = new WS(url('/echo'), ['nope', 'json']);
      await Promise.all([opened(a), opened(b)]);
      const result = { before, first: a.protocol, second: b.protocol };
      for (const ws of [a, b]) ws.close();
      return result;
    },
  },
  {
    name: 'subprotocols: when the server picks none of those offered, the connection fails',
    expected: {
      protocol: '',
      events: [
        { type: 'error', readyState: 3 },
        { type: 'close', readyState: 3, code: 1006, reason: '', wasClean: false },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'), 'nope');
      const events = await watch(ws).done;
      return { protocol: ws.protocol, events };
    },
  },
  {
    name: 'bufferedAmount: rises at once, drains to 0, and only counts after close()',
    expected: { afterText: 6, afterBytes: 100_006, drained: true, afterClose: 3, afterCloseEvent: 3 },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      await opened(ws);
      ws.send('héllo');
      const afterText = ws.bufferedAmount;
      ws.send(new Uint8Array(100_000));
      const afterBytes = ws.bufferedAmount;
      const drained = await waitFor(() => ws.bufferedAmount === 0);
      const closed = new Promise((r) => ws.addEventListener('close', r));
      ws.close();
      ws.send('abc');
      const afterClose = ws.bufferedAmount;
      await closed;
      return { afterText, afterBytes, drained, afterClose, afterCloseEvent: ws.bufferedAmount };
    },
  },
  {
    name: 'send() while CONNECTING throws InvalidStateError',
    expected: { error: 'DOMException:InvalidStateError', bufferedAmount: 0 },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const error = errorName(() => ws.send('too early'));
      const bufferedAmount = ws.bufferedAmount;
      ws.close();
      return { error, bufferedAmount };
    },
  },
  {
    name: 'close(4000, reason) by the client: CLOSING at once, then a clean close',
    expected: {
      stateAfterClose: 2,
      events: [
        { type: 'open', readyState: 1 },
        { type: 'close', readyState: 3, code: 4000, reason: 'bye', wasClean: true },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      let stateAfterClose = -1;
      ws.onopen = () => {
        ws.close(4000, 'bye');
        stateAfterClose = ws.readyState;
      };
      const events = await done;
      return { stateAfterClose, events };
    },
  },
  {
    name: 'close() with no code: 1005',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1005, reason: '', wasClean: true },
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      ws.onopen = () => ws.close();
      return done;
    },
  },
  {
    name: 'close(undefined, reason): undefined before a reason is code 0 (InvalidAccessError); close(undefined) has no code',
    expected: {
      undefinedThenReason: 'DOMException:InvalidAccessError',
      nullCode: 'DOMException:InvalidAccessError',
      stillOpen: 1,
      events: [
        { type: 'open', readyState: 1 },
        { type: 'close', readyState: 3, code: 1005, reason: '', wasClean: true },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      await opened(ws);
      const undefinedThenReason = errorName(() => ws.close(undefined, 'just a reason'));
      const nullCode = errorName(() => ws.close(null as unknown as number));
      const stillOpen = ws.readyState;
      ws.close(undefined);
      const events = await done;
      return { undefinedThenReason, nullCode, stillOpen, events };
    },
  },
  {
    name: 'close(1000, null): the reason is the string "null"',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1000, reason: 'null', wasClean: true },
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      ws.onopen = () => ws.close(1000, null as unknown as string);
      return done;
    },
  },
  {
    name: 'close(): invalid codes throw InvalidAccessError, long reasons SyntaxError',
    expected: {
      codes: {
        '0': 'DOMException:InvalidAccessError',
        '999': 'DOMException:InvalidAccessError',
        '1001': 'DOMException:InvalidAccessError',
        '1005': 'DOMException:InvalidAccessError',
        '1006': 'DOMException:InvalidAccessError',
        '2999': 'DOMException:InvalidAccessError',
        '5000': 'DOMException:InvalidAccessError',
        '65535': 'DOMException:InvalidAccessError',
        NaN: 'DOMException:InvalidAccessError',
        '-1': 'DOMException:InvalidAccessError',
        '70000': 'DOMException:InvalidAccessError',
      },
      longReason: 'DOMException:SyntaxError',
      stillOpen: 1,
      clamped: 'ok',
      events: [
        { type: 'open', readyState: 1 },
        { type: 'close', readyState: 3, code: 1000, reason: 'é'.repeat(61) + 'x', wasClean: true },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      await opened(ws);
      const codes: Record<string, string> = {};
      for (const c of [0, 999, 1001, 1005, 1006, 2999, 5000, 65535, Number.NaN, -1, 70_000])
        codes[String(c)] = errorName(() => ws.close(c));
      const longReason = errorName(() => ws.close(1000, 'é'.repeat(62))); // 124 bytes
      const stillOpen = ws.readyState;
      const clamped = errorName(() => ws.close(1000.4, 'é'.repeat(61) + 'x')); // 123 bytes
      const events = await done;
      return { codes, longReason, stillOpen, clamped, events };
    },
  },
  {
    name: 'close() while CONNECTING: CLOSING at once, then error and close 1006',
    expected: {
      stateAfterClose: 2,
      events: [
        { type: 'error', readyState: 3 },
        { type: 'close', readyState: 3, code: 1006, reason: '', wasClean: false },
      ],
    },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      ws.close();
      const stateAfterClose = ws.readyState;
      const events = await done;
      return { stateAfterClose, events };
    },
  },
  {
    name: 'server closes with a code and reason (/close?code=4001&reason=later)',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 4001, reason: 'later', wasClean: true },
    ],
    async run({ WS, url }) {
      return watch(new WS(url('/close?code=4001&reason=later'))).done;
    },
  },
  {
    name: 'server closes with an empty close frame (/close?code=none): 1005',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1005, reason: '', wasClean: true },
    ],
    async run({ WS, url }) {
      return watch(new WS(url('/close?code=none'))).done;
    },
  },
  {
    name: 'server drops TCP without a close frame (/close?drop=1): 1006, no error event',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1006, reason: '', wasClean: false },
    ],
    async run({ WS, url }) {
      return watch(new WS(url('/close?drop=1&delay=100'))).done;
    },
  },
  {
    name: 'a failed handshake (404): error, then close 1006',
    refusesUnknownPaths: true,
    expected: [
      { type: 'error', readyState: 3 },
      { type: 'close', readyState: 3, code: 1006, reason: '', wasClean: false },
    ],
    async run({ WS, url }) {
      return watch(new WS(url('/no-such-endpoint'))).done;
    },
  },
  {
    name: 'a message over the server limit: close 1009',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1009, reason: 'MESSAGE_TOO_BIG', wasClean: true },
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      ws.onopen = () => ws.send(new Uint8Array(1024 * 1024 + 1));
      return done;
    },
  },
  {
    name: 'messages arriving after close() are not delivered',
    expected: [
      { type: 'open', readyState: 1 },
      { type: 'close', readyState: 3, code: 1000, reason: '', wasClean: true },
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const { done } = watch(ws);
      ws.onopen = () => {
        ws.send('echoed after close()');
        ws.close(1000);
      };
      return done;
    },
  },
  {
    name: 'event order: handlers and listeners in registration order, each event in its own task',
    expected: [
      'listener 1 open',
      'handler 2 open',
      'listener 2 open',
      'message a',
      'microtask after a',
      'message b',
      'microtask after b',
      'close 1000',
    ],
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      const order: string[] = [];
      ws.addEventListener('open', () => order.push('listener 1 open'));
      ws.onopen = () => order.push('handler 1 open');
      ws.addEventListener('open', () => order.push('listener 2 open'));
      ws.onopen = () => {
        order.push('handler 2 open');
        ws.send('a');
        ws.send('b');
      };
      ws.onerror = () => order.push('error');
      ws.onmessage = (e) => {
        order.push(`message ${e.data}`);
        void Promise.resolve().then(() => order.push(`microtask after ${e.data}`));
        if (e.data === 'b') ws.close(1000);
      };
      await new Promise<void>((resolve) => {
        ws.onclose = (e) => {
          order.push(`close ${e.code}`);
          setTimeout(resolve, 50);
        };
      });
      return order;
    },
  },
  {
    name: 'no event is dispatched synchronously inside send() or close()',
    expected: { inside: [], after: ['close'] },
    async run({ WS, url }) {
      const ws = new WS(url('/echo'));
      await opened(ws);
      const inside: string[] = [];
      const after: string[] = [];
      let during = true;
      for (const t of ['message', 'error', 'close'])
        ws.addEventListener(t, () => (during ? inside : after).push(t));
      ws.send('x');
      ws.close(1000);
      during = false;
      await new Promise((r) => ws.addEventListener('close', () => setTimeout(r, 50)));
      return { inside, after };
    },
  },
  {
    name: 'pings from the server (/heartbeat) are answered unseen: no event, the socket stays open',
    expected: { readyState: 1, events: ['open'] },
    async run({ WS, url }) {
      const ws = new WS(url('/heartbeat?interval=100'));
      const events: string[] = [];
      for (const t of ['open', 'message', 'error', 'close']) ws.addEventListener(t, () => events.push(t));
      await opened(ws);
      await sleep(450);
      const result = { readyState: ws.readyState, events: [...events] };
      ws.close();
      return result;
    },
  },
  {
    name: '/chat: a message reaches every member, the sender included',
    expected: { a: true, b: true },
    async run({ WS, url }) {
      const text = `hi from a ${Math.random().toString(36).slice(2)}`;
      const a = new WS(url('/chat'));
      const b = new WS(url('/chat'));
      await Promise.all([opened(a), opened(b)]);
      const seen = { a: false, b: false };
      a.addEventListener('message', (e) => (seen.a ||= (e as MessageEvent).data === text));
      b.addEventListener('message', (e) => (seen.b ||= (e as MessageEvent).data === text));
      a.send(text);
      await waitFor(() => seen.a && seen.b);
      a.close();
      b.close();
      return seen;
    },
  },
];
