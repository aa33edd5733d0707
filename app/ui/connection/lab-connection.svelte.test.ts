import { describe, expect, it } from 'vitest';
import { FilterIndex } from '../inspector/filter.ts';
import { frameEvent } from './fixtures.ts';
import { LabConnection } from './lab-connection.svelte.ts';
import { TapClient, tapToken, withoutTap, withTap } from '../transport/tap-client.ts';
import type { Transport, WebSocketLike, WireStream } from '../transport/transport.ts';
import type { WireEvent } from '../lib/engine.ts';

/** A socket that behaves like the browser's as far as the LabConnection can tell. */
class FakeSocket extends EventTarget implements WebSocketLike {
  readyState = 0;
  protocol = '';
  extensions = '';
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  sent: unknown[] = [];
  constructor(readonly url: string) {
    super();
  }
  send(data: unknown): void {
    if (this.readyState === 0)
      throw new DOMException(
        "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.",
        'InvalidStateError',
      );
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(
        `The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
        'InvalidAccessError',
      );
    }
    void reason;
    this.readyState = 2;
  }
  open(protocol = ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.dispatchEvent(new Event('open'));
  }
  message(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  closed(code: number, reason: string, wasClean: boolean): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean }));
  }
}

class FakeWire implements WireStream {
  events: WireEvent[] = [];
  fns = new Set<(e: WireEvent) => void>();
  subscribe(fn: (e: WireEvent) => void) {
    this.events.forEach(fn);
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  push(e: WireEvent) {
    this.events.push(e);
    this.fns.forEach((f) => f(e));
  }
}

function setup() {
  const socket = new FakeSocket('ws://x/echo');
  const wire = new FakeWire();
  let disposed = 0;
  const transport: Transport = {
    label: 'server',
    description: 'test',
    canFragment: false,
    endpointUrl: (p) => `ws://x${p}`,
    open: () => ({ socket, wire, dispose: () => disposed++ }),
  };
  let clock = 1000;
  const session = LabConnection.connect(transport, 'ws://x/echo', ['chat'], {
    now: () => clock,
    schedule: () => {},
  });
  return { socket, wire, session, tick: (ms: number) => (clock += ms), disposed: () => disposed };
}

describe('LabConnection', () => {
  it('stamps send() and close() with the time before the call: a frame the tap saw in that call comes after it', () => {
    const { socket, session, tick } = setup();
    socket.open();
    // The socket's work takes a millisecond (the frame reaches the server meanwhile).
    const realSend = socket.send.bind(socket);
    socket.send = (d: unknown) => (realSend(d), void tick(1));
    const realClose = socket.close.bind(socket);
    socket.close = (c?: number, r?: string) => (realClose(c, r), void tick(1));
    const before = 1000;
    session.send('hi');
    session.close(4000, 'bye');
    session.flush();
    const calls = session.log.events.filter(
      (e) => e.kind === 'api' && (e.type === 'send' || e.type === 'close-call'),
    );
    expect(calls.map((e) => e.t)).toEqual([before, before + 1]);
  });

  it('records the page view of a connection: create, states, open, send, message, close', () => {
    const { socket, wire, session, tick } = setup();
    session.flush();
    expect(session.readyState).toBe('CONNECTING');
    expect(session.send('too early')).toMatch(/^InvalidStateError: .*CONNECTING/);
    tick(5);
    socket.open('chat');
    session.flush();
    expect(session.readyState).toBe('OPEN');
    expect(session.protocol).toBe('chat');
    expect(session.send('hi', { times: 3 })).toBeUndefined();
    expect(socket.sent).toEqual(['hi', 'hi', 'hi']);
    wire.push(frameEvent(1006, 'client', 1, 'hi'));
    socket.message('hi');
    expect(session.close(1001)).toMatch(/^InvalidAccessError: The close code must be either 1000/);
    expect(session.close(4000, 'bye')).toBeUndefined();
    session.flush();
    expect(session.readyState).toBe('CLOSING');
    socket.closed(4000, 'bye', true);
    session.flush();
    const log = session.log;
    expect(log.transitions.map((t) => t.state)).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
    expect(log.close).toMatchObject({ code: 4000, reason: 'bye', wasClean: true });
    expect(log.frames).toHaveLength(1);
    const types = log.events.filter((e) => e.kind === 'api').map((e) => (e.kind === 'api' ? e.type : ''));
    expect(types).toEqual([
      'create',
      'state',
      'state',
      'open',
      'send',
      'send',
      'send',
      'message',
      'close-call',
      'state',
      'state',
      'close',
    ]);
  });

  it("records each send's bufferedAmount right after it, so the peak is in the trace between polls", () => {
    const { socket, session } = setup();
    socket.open();
    const send = socket.send.bind(socket);
    socket.send = (data: unknown) => {
      send(data);
      socket.bufferedAmount += 100;
    };
    session.send('a', { times: 3 });
    socket.bufferedAmount = 0; // drained before the next poll
    session.flush();
    const sends = session.log.events.filter((e) => e.kind === 'api' && e.type === 'send');
    expect(sends.map((e) => (e.kind === 'api' && e.type === 'send' ? e.buffered : -1))).toEqual([
      100, 200, 300,
    ]);
    expect(session.bufferedPeak).toBe(300);
  });

  it("records the bufferedAmount of a send the socket's owner reports (the learner's code)", () => {
    const socket = new FakeSocket('ws://x/echo');
    let report: ((call: { kind: 'send'; data: string }) => void) | undefined;
    const transport: Transport = {
      label: 'server',
      description: 'test',
      canFragment: false,
      endpointUrl: (p) => `ws://x${p}`,
      open: () => ({
        socket,
        wire: undefined,
        dispose: () => {},
        calls: (fn) => {
          report = fn;
          return () => {};
        },
      }),
    };
    const session = LabConnection.connect(transport, 'ws://x/echo', [], { now: () => 1, schedule: () => {} });
    socket.open();
    socket.bufferedAmount = 65_536;
    report!({ kind: 'send', data: 'x' });
    socket.bufferedAmount = 0;
    session.flush();
    expect(session.log.events.at(-1)).toMatchObject({
      kind: 'api',
      type: 'send',
      data: 'x',
      buffered: 65_536,
    });
    expect(session.bufferedPeak).toBe(65_536);
  });

  it('infers CLOSING when the server closes cleanly between two polls, but not for an abnormal closure', () => {
    const a = setup();
    a.socket.open();
    a.socket.closed(1000, '', true);
    a.session.flush();
    expect(a.session.log.transitions.map((t) => t.state)).toEqual([
      'CONNECTING',
      'OPEN',
      'CLOSING',
      'CLOSED',
    ]);
    const b = setup();
    b.socket.open();
    b.socket.closed(1006, '', false);
    b.session.flush();
    expect(b.session.log.transitions.map((t) => t.state)).toEqual(['CONNECTING', 'OPEN', 'CLOSED']);
  });

  it('refuses to fragment when the transport cannot, saying why', () => {
    const { socket, session } = setup();
    socket.open();
    expect(session.send('abc', { fragments: 3 })).toMatch(/chooses the frames itself/);
    expect(socket.sent).toEqual([]);
  });

  it('batches events until flushed (one update per animation frame)', () => {
    const { socket, session } = setup();
    session.flush();
    const v = session.version;
    socket.open();
    socket.message('a');
    socket.message('b');
    expect(session.version).toBe(v);
    session.flush();
    expect(session.version).toBe(v + 1);
  });

  it('keeps binary messages with the type the page saw', () => {
    const { socket, session } = setup();
    socket.open();
    socket.message(Uint8Array.of(1, 2).buffer);
    session.flush();
    const m = session.log.events.at(-1);
    expect(m).toMatchObject({
      kind: 'api',
      type: 'message',
      data: { type: 'ArrayBuffer', bytes: Uint8Array.of(1, 2) },
    });
  });
});

describe('tap client', () => {
  class FakeTapSocket extends EventTarget {
    readyState = 1;
    close() {
      this.readyState = 3;
    }
  }
  it('parses tap messages, replays them to late subscribers and reports malformed ones', () => {
    const sock = new FakeTapSocket();
    const tap = new TapClient('ws://x/__tap?token=t', () => sock as unknown as WebSocket);
    tap.receive(JSON.stringify({ conn: 'c1', kind: 'frame', t: 5, from: 'server', bytes: 'gQJoaQ==' }));
    tap.receive('{"conn":"c1","kind":"frame","t":6,"from":"server"}');
    tap.receive('not json');
    const seen: WireEvent[] = [];
    tap.subscribe((e) => seen.push(e));
    tap.receive(JSON.stringify({ conn: 'c1', kind: 'eof', t: 7, from: 'server' }));
    expect(seen.map((e) => e.kind)).toEqual(['frame', 'eof']);
    expect(seen[0]).toMatchObject({ bytes: Uint8Array.of(0x81, 2, 0x68, 0x69) });
    expect(tap.problems).toEqual([
      'tap message (c1): "bytes" must be base64 text; it is missing',
      'tap message is not JSON: not json',
    ]);
  });
  it('makes tokens the server accepts and keeps them out of the URL shown', () => {
    const token = tapToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const url = withTap('ws://h/close?code=4000', token);
    expect(url).toBe(`ws://h/close?code=4000&tap=${token}`);
    expect(withoutTap(url)).toBe('ws://h/close?code=4000');
  });
});

describe('FilterIndex', () => {
  it('tests only new frames while the query is unchanged, and starts over when it changes', () => {
    const session = LabConnection.fromEvents([
      frameEvent(1, 'client', 1, 'alpha'),
      frameEvent(2, 'server', 9, ''),
      frameEvent(3, 'server', 1, 'beta'),
    ]);
    const rows = session.log.frames;
    const index = new FilterIndex();
    const all = index.update(rows, { filter: 'all', direction: 'both', search: '' });
    expect([...all]).toEqual([0, 1, 2]);
    expect(index.update(rows, { filter: 'control', direction: 'both', search: '' })).toEqual([1]);
    expect(index.update(rows, { filter: 'all', direction: 'server', search: '' })).toEqual([1, 2]);
    expect(index.update(rows, { filter: 'data', direction: 'both', search: 'BET' })).toEqual([2]);
    session.log.append([frameEvent(4, 'client', 1, 'betamax')]);
    expect(index.update(session.log.frames, { filter: 'data', direction: 'both', search: 'BET' })).toEqual([
      2, 3,
    ]);
  });
});

describe('splitTap', () => {
  it("hides the playground's tap token from a request target, and keeps the rest", async () => {
    const { splitTap } = await import('../transport/tap-client.ts');
    expect(splitTap('/echo?tap=abc123')).toEqual({ shown: '/echo', token: 'abc123' });
    expect(splitTap('/close?code=4000&tap=abc&reason=bye')).toEqual({
      shown: '/close?code=4000&reason=bye',
      token: 'abc',
    });
    expect(splitTap('/close?tap=abc&code=4000')).toEqual({ shown: '/close?code=4000', token: 'abc' });
    expect(splitTap('GET /echo?tap=abc HTTP/1.1')).toEqual({ shown: 'GET /echo HTTP/1.1', token: 'abc' });
    expect(splitTap('/echo?x=1')).toEqual({ shown: '/echo?x=1', token: undefined });
  });
});
