import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VirtualNetwork } from './network.ts';
import { bridgedRig } from '../sandbox/test-support.ts';
import { countingEntropy, record, rig, type SocketRig } from './test-support.ts';
import { bindNetwork, LoopbackWebSocket } from './websocket.ts';
import { WIRE } from './wire.ts';

const echo = 'ws://playground.local/echo';

function domError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DOMException) return error.name;
    if (error instanceof TypeError) return 'TypeError';
    return `other: ${String(error)}`;
  }
  return 'no error';
}

/**
 * The behaviour suite: the standard's rules, run against every WebSocket we ship that is not
 * the browser's own (the e2e behaviour suite compares LoopbackWebSocket with Chromium's).
 */
const SOCKETS: [string, () => SocketRig][] = [
  ['LoopbackWebSocket', rig],
  ["the sandbox's bridged WebSocket", bridgedRig],
];

describe.each(SOCKETS)('%s', (_name, makeRig) => {
  describe('constructor', () => {
    test('maps http to ws and https to wss, and serialises the URL', () => {
      const { WS } = makeRig();
      expect(new WS('http://playground.local/echo').url).toBe('ws://playground.local/echo');
      expect(new WS('https://playground.local/echo?x=1').url).toBe('wss://playground.local/echo?x=1');
      expect(new WS('WS://Playground.Local').url).toBe('ws://playground.local/');
      expect(new WS(new URL(echo)).url).toBe(echo);
    });

    test('throws SyntaxError for other schemes, fragments (even empty) and unparsable URLs', () => {
      const { WS } = makeRig();
      expect(domError(() => new WS('ftp://playground.local/echo'))).toBe('SyntaxError');
      expect(domError(() => new WS('file:///echo'))).toBe('SyntaxError');
      expect(domError(() => new WS('ws://playground.local/echo#part'))).toBe('SyntaxError');
      expect(domError(() => new WS('ws://playground.local/echo#'))).toBe('SyntaxError');
      expect(domError(() => new WS('ws://[::1'))).toBe('SyntaxError');
      // No document here, so no base URL: a relative URL cannot be parsed.
      expect(domError(() => new WS('/echo'))).toBe('SyntaxError');
    });

    test('needs at least the URL argument (TypeError)', () => {
      const { WS } = makeRig();
      expect(domError(() => new (WS as unknown as new () => unknown)())).toBe('TypeError');
    });

    test('takes one protocol as a string or a list, and rejects bad tokens and duplicates (case-insensitive)', () => {
      const { WS } = makeRig();
      expect(domError(() => new WS(echo, 'chat'))).toBe('no error');
      expect(domError(() => new WS(echo, ['chat', 'superchat']))).toBe('no error');
      expect(domError(() => new WS(echo, ['chat', 'chat']))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, ['chat', 'CHAT']))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, ''))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, 'a b'))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, 'a,b'))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, '\u0080echo'))).toBe('SyntaxError');
      expect(domError(() => new WS(echo, []))).toBe('no error');
    });

    test('has the four readyState constants on the class and the prototype, read-only', () => {
      const { WS } = makeRig();
      expect([WS.CONNECTING, WS.OPEN, WS.CLOSING, WS.CLOSED]).toEqual([0, 1, 2, 3]);
      const ws = new WS(echo);
      expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3]);
      expect(Object.hasOwn(WS.prototype, 'OPEN')).toBe(true);
      expect(Object.hasOwn(ws, 'OPEN')).toBe(false);
      // As on WebSocket.prototype: the attributes and operations are the prototype's own.
      for (const key of [
        'url',
        'readyState',
        'bufferedAmount',
        'binaryType',
        'onopen',
        'onclose',
        'send',
        'close',
      ])
        expect(Object.hasOwn(WS.prototype, key), key).toBe(true);
      expect(() => {
        (WS as unknown as { OPEN: number }).OPEN = 7;
      }).toThrow(TypeError);
      expect(ws).toBeInstanceOf(EventTarget);
    });

    test('starts CONNECTING with empty protocol and extensions, binaryType blob, nothing buffered', () => {
      const { WS } = makeRig();
      const ws = new WS(echo, ['superchat', 'chat']);
      expect(ws.readyState).toBe(WS.CONNECTING);
      expect(ws.protocol).toBe('');
      expect(ws.extensions).toBe('');
      expect(ws.binaryType).toBe('blob');
      expect(ws.bufferedAmount).toBe(0);
    });
  });

  describe('opening', () => {
    test('fires open from a later task, then reports the subprotocol the server chose', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo, ['superchat', 'chat']);
      const log = record(ws);
      expect(log).toEqual([]);
      run();
      expect(log).toEqual(['open']);
      expect(ws.readyState).toBe(WS.OPEN);
      expect(ws.protocol).toBe('superchat');
      // RFC 7692: the client offered permessage-deflate as Chromium does; /echo accepted.
      expect(ws.extensions).toBe('permessage-deflate');
    });

    test('offering subprotocols of which the server picks none fails the connection (as browsers do)', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo, ['nope']);
      const log = record(ws);
      run();
      expect(log).toEqual(['error', 'close:1006::false']);
      expect(ws.protocol).toBe('');
    });

    test('a handshake refused with 404 fires error, then close 1006 (not clean)', () => {
      const { WS, run } = makeRig();
      const ws = new WS('ws://playground.local/nowhere');
      const log = record(ws);
      run();
      expect(log).toEqual(['error', 'close:1006::false']);
      expect(ws.readyState).toBe(WS.CLOSED);
    });

    test('an unknown host is refused: error, then close 1006', () => {
      const { WS, run } = makeRig();
      const ws = new WS('ws://elsewhere.example/echo');
      const log = record(ws);
      run();
      expect(log).toEqual(['error', 'close:1006::false']);
    });

    test('each injected handshake fault ends in error then close 1006, and only as often as asked', () => {
      for (const fault of [
        { kind: 'status', status: 503 },
        { kind: 'bad-accept' },
        { kind: 'reset' },
      ] as const) {
        const { WS, network, run } = makeRig();
        network.failHandshakes(fault, 1);
        const a = new WS(echo);
        const logA = record(a);
        run();
        expect(logA, fault.kind).toEqual(['error', 'close:1006::false']);
        const b = new WS(echo);
        const logB = record(b);
        run();
        expect(logB, fault.kind).toEqual(['open']);
      }
    });
  });

  describe('messages', () => {
    test('echoes text, with the origin of the socket URL', () => {
      const { WS, run } = makeRig();
      const ws = new WS('ws://localhost:5173/echo');
      const origins: string[] = [];
      ws.addEventListener('message', (e) => origins.push((e as MessageEvent).origin));
      const log = record(ws);
      ws.onopen = () => ws.send('héllo 👋');
      run();
      expect(log).toEqual(['open', 'message:héllo 👋']);
      expect(origins).toEqual(['ws://localhost:5173']);
    });

    test('no byte changes between the wire and the API: every valid message echoes unchanged, a leading U+FEFF included', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      ws.binaryType = 'arraybuffer';
      const got: unknown[] = [];
      ws.onmessage = (e) => got.push(e.data);
      run();
      const message = fc.oneof(
        fc
          .tuple(fc.constantFrom('', '\uFEFF', '\uFEFF\uFEFF'), fc.string({ unit: 'binary' }))
          .map(([bom, s]) => bom + s),
        fc.uint8Array({ maxLength: 300 }),
      );
      fc.assert(
        fc.property(message, (data) => {
          got.length = 0;
          ws.send(data);
          run();
          expect(got).toHaveLength(1);
          if (typeof data === 'string') expect(got[0]).toBe(data);
          else expect([...new Uint8Array(got[0] as ArrayBuffer)]).toEqual([...data]);
        }),
        { numRuns: 500 },
      );
      ws.send('\uFEFFhello');
      got.length = 0;
      run();
      expect(got).toEqual(['\uFEFFhello']);
    }, 30_000); // 500 round trips through the virtual network: seconds on a loaded 2-core machine

    test('binary comes back as a Blob by default and as an ArrayBuffer on request; bad values are ignored', async () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const got: unknown[] = [];
      ws.onmessage = (e) => got.push(e.data);
      ws.onopen = () => {
        ws.send(new Uint8Array([1, 2, 3]));
      };
      run();
      expect(got[0]).toBeInstanceOf(Blob);
      expect((got[0] as Blob).type).toBe('');
      expect([...new Uint8Array(await (got[0] as Blob).arrayBuffer())]).toEqual([1, 2, 3]);
      ws.binaryType = 'arraybuffer';
      ws.binaryType = 'nonsense' as BinaryType;
      expect(ws.binaryType).toBe('arraybuffer');
      ws.send(new Uint8Array([4, 5]).buffer);
      run();
      expect(got[1]).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(got[1] as ArrayBuffer)]).toEqual([4, 5]);
    });

    test('sends ArrayBuffers, views (only their window) and Blobs, in call order', async () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      ws.binaryType = 'arraybuffer';
      const log = record(ws);
      run();
      const backing = new Uint8Array([9, 1, 2, 3, 9]);
      ws.send(new Blob([new Uint8Array([7, 7])]));
      ws.send(backing.subarray(1, 4));
      ws.send(new DataView(backing.buffer, 4, 1));
      ws.send('text after');
      backing[1] = 0; // the bytes were copied when send() was called
      // A Blob is read asynchronously: let its promise settle, then the network run.
      await new Promise((r) => setTimeout(r, 0));
      run();
      expect(log).toEqual([
        'open',
        'message:ab[7,7]',
        'message:ab[1,2,3]',
        'message:ab[9]',
        'message:text after',
      ]);
    });

    test('drops messages that arrive once readyState is no longer OPEN', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.onopen = () => {
        ws.send('one');
        ws.close(1000);
      };
      run();
      expect(log).toEqual(['open', 'close:1000::true']);
    });
  });

  describe('bufferedAmount', () => {
    test('rises synchronously by the UTF-8 length and falls only in a later task', () => {
      const { WS, run, scheduler } = makeRig();
      const ws = new WS(echo);
      run();
      ws.send('héllo'); // 6 bytes of UTF-8
      expect(ws.bufferedAmount).toBe(6);
      ws.send(new Uint8Array(10));
      ws.send(new Blob(['abc']));
      expect(ws.bufferedAmount).toBe(19);
      scheduler.runTasks();
      // text and bytes left; the Blob is still being read (a promise has not settled)
      expect(ws.bufferedAmount).toBe(3);
    });

    test('drains at the bandwidth the learner set', () => {
      const { WS, network, run, scheduler } = makeRig();
      // No permessage-deflate: compressed, the zeros would be a few bytes.
      const ws = new WS(`${echo}?deflate=0`);
      run();
      network.setConditions({ bandwidth: 10_000 }); // 10 kB/s
      ws.send(new Uint8Array(20_000));
      expect(ws.bufferedAmount).toBe(20_000);
      scheduler.advance(1_000);
      const afterOne = ws.bufferedAmount;
      expect(afterOne).toBeGreaterThan(9_000);
      expect(afterOne).toBeLessThan(11_000);
      scheduler.advance(1_100);
      expect(ws.bufferedAmount).toBe(0);
    });

    test('/echo?read=N reads at N bytes/s: the send buffer drains at that pace on a fast link, and every echo comes back in order', () => {
      const { WS, run, scheduler } = makeRig();
      const ws = new WS('ws://playground.local/echo?read=10000&deflate=0');
      const echoes: string[] = [];
      ws.onmessage = (e) => void echoes.push((e.data as string).slice(0, 3));
      run();
      for (let i = 0; i < 4; i++) ws.send(`#${i}:` + 'x'.repeat(4997)); // 20,000 bytes
      expect(ws.bufferedAmount).toBe(20_000);
      scheduler.advance(1_000);
      expect(ws.bufferedAmount).toBeGreaterThan(9_000);
      expect(ws.bufferedAmount).toBeLessThan(11_000);
      scheduler.advance(1_200);
      expect(ws.bufferedAmount).toBe(0);
      run();
      expect(echoes).toEqual(['#0:', '#1:', '#2:', '#3:']);
    });

    test('without read=, /echo reads as fast as the link goes', () => {
      const { WS, run, scheduler } = makeRig();
      const ws = new WS(echo);
      run();
      ws.send(new Uint8Array(20_000));
      scheduler.runTasks();
      expect(ws.bufferedAmount).toBe(0);
    });

    test('after close(), send() only counts the bytes', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      run();
      ws.close();
      ws.send('abc');
      expect(ws.bufferedAmount).toBe(3);
      run();
      ws.send('de');
      expect(ws.bufferedAmount).toBe(5);
      run();
      expect(ws.bufferedAmount).toBe(5);
    });

    test('send() while CONNECTING throws InvalidStateError and counts nothing', () => {
      const { WS } = makeRig();
      const ws = new WS(echo);
      expect(domError(() => ws.send('x'))).toBe('InvalidStateError');
      expect(ws.bufferedAmount).toBe(0);
    });
  });

  describe('closing', () => {
    test('close(code, reason) is clean and reports the code the server echoed', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.onopen = () => {
        ws.close(4000, 'bye');
        expect(ws.readyState).toBe(WS.CLOSING);
      };
      run();
      expect(log).toEqual(['open', 'close:4000:bye:true']);
      expect(ws.readyState).toBe(WS.CLOSED);
    });

    test('close() with no code sends an empty close frame: 1005', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.onopen = () => ws.close();
      run();
      expect(log).toEqual(['open', 'close:1005::true']);
    });

    test('only 1000 and 3000-4999 may be passed (after [Clamp]); others throw InvalidAccessError', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      run();
      for (const code of [0, 999, 1001, 1005, 1006, 2999, 5000, 65535, Number.NaN, -1, 70_000]) {
        expect(
          domError(() => ws.close(code)),
          String(code),
        ).toBe('InvalidAccessError');
      }
      expect(ws.readyState).toBe(WS.OPEN);
      expect(domError(() => ws.close(1000.4))).toBe('no error');
      expect(ws.readyState).toBe(WS.CLOSING);
    });

    test('the code is [Clamp]ed, rounded to the nearest integer, not truncated: close(2999.6) is close(3000)', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      run();
      expect(domError(() => ws.close(2999.4))).toBe('InvalidAccessError');
      expect(domError(() => ws.close(2999.6))).toBe('no error');
      run();
      expect(log).toEqual(['open', 'close:3000::true']);
    });

    test('a reason over 123 UTF-8 bytes throws SyntaxError; 123 bytes is fine', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      run();
      expect(domError(() => ws.close(1000, 'é'.repeat(62)))).toBe('SyntaxError'); // 124 bytes
      expect(ws.readyState).toBe(WS.OPEN);
      const reason = 'é'.repeat(61) + 'x'; // 123 bytes
      ws.close(1000, reason);
      run();
      expect(log).toEqual(['open', `close:1000:${reason}:true`]);
    });

    test('argument errors are thrown even once closed; a second close() does nothing', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      run();
      ws.close(1000);
      ws.close(4001, 'again');
      expect(domError(() => ws.close(1001))).toBe('InvalidAccessError');
      run();
      expect(log).toEqual(['open', 'close:1000::true']);
    });

    test('close() while CONNECTING fails the connection: CLOSING at once, then error and close 1006', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.close();
      expect(ws.readyState).toBe(WS.CLOSING);
      expect(log).toEqual([]);
      run();
      expect(log).toEqual(['error', 'close:1006::false']);
    });

    test('the server closing with a code: readyState is CLOSING before the close event', () => {
      const { WS, run, network } = makeRig();
      network.setConditions({ latencyMs: 10 });
      const ws = new WS('ws://playground.local/close?code=4001&reason=later&delay=50');
      const log = record(ws);
      const states = new Set<number>();
      let stateAtClose = -1;
      ws.onclose = () => {
        stateAtClose = ws.readyState;
      };
      for (let i = 0; i < 200; i++) {
        run(1);
        states.add(ws.readyState);
      }
      expect(log).toEqual(['open', 'close:4001:later:true']);
      expect([...states]).toContain(WS.CLOSING);
      expect(stateAtClose).toBe(WS.CLOSED);
    });

    test('/close?code=none reports 1005', () => {
      const { WS, run } = makeRig();
      const ws = new WS('ws://playground.local/close?code=none');
      const log = record(ws);
      run();
      expect(log).toEqual(['open', 'close:1005::true']);
    });

    test('a dropped connection closes with 1006, not clean, and no error event', () => {
      const { WS, run } = makeRig();
      const viaServer = new WS('ws://playground.local/close?drop=1');
      const logServer = record(viaServer);
      run();
      expect(logServer).toEqual(['open', 'close:1006::false']);

      const { WS: WS2, run: run2, network } = makeRig();
      const ws = new WS2(echo);
      const log = record(ws);
      run2();
      expect(network.drop()).toBe(1);
      run2();
      expect(log).toEqual(['open', 'close:1006::false']);
    });

    test('the close event fires exactly once, after which nothing else is fired', () => {
      const { WS, run, network } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      run();
      ws.close(1000);
      network.drop();
      ws.close(1000);
      run();
      expect(log.filter((l) => l.startsWith('close'))).toHaveLength(1);
      expect(log.at(-1)).toMatch(/^close:/);
    });

    test('a server message over the 1 MiB limit is answered with close 1009', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.onopen = () => ws.send(new Uint8Array(1024 * 1024 + 1));
      run();
      expect(log).toEqual(['open', 'close:1009:MESSAGE_TOO_BIG:true']);
    });

    test('a trailing undefined is no argument, but close(undefined, reason) means code 0: InvalidAccessError (as Chromium)', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      run();
      expect(domError(() => ws.close(undefined, 'just a reason'))).toBe('InvalidAccessError');
      expect(domError(() => ws.close(null as unknown as number))).toBe('InvalidAccessError');
      expect(ws.readyState).toBe(WS.OPEN);
      ws.close(undefined);
      run();
      expect(log).toEqual(['open', 'close:1005::true']);
    });

    test('close(1000, null) sends the reason "null" (USVString conversion)', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const log = record(ws);
      ws.onopen = () => ws.close(1000, null as unknown as string);
      run();
      expect(log).toEqual(['open', 'close:1000:null:true']);
    });
  });

  describe('event handlers and dispatch', () => {
    test('on* handlers and listeners run in registration order; re-setting keeps the place; null removes', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      const order: string[] = [];
      ws.addEventListener('open', () => order.push('listener 1'));
      ws.onopen = () => order.push('first handler');
      ws.addEventListener('open', () => order.push('listener 2'));
      ws.onopen = () => order.push('second handler');
      ws.onclose = () => order.push('never');
      ws.onclose = null;
      expect(ws.onclose).toBe(null);
      ws.onerror = 5 as unknown as null; // a non-object is treated as null
      expect(ws.onerror).toBe(null);
      run();
      expect(order).toEqual(['listener 1', 'second handler', 'listener 2']);
      ws.close();
      run();
      expect(order).toHaveLength(3);
    });

    test('handlers see `this` as the socket, and events carry the socket as target', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      let selfIsSocket = false;
      let target: unknown;
      ws.onopen = function (this: unknown, e) {
        selfIsSocket = this === ws;
        target = e.target;
      };
      run();
      expect(selfIsSocket).toBe(true);
      expect(target).toBe(ws);
    });

    test('no event is ever dispatched inside a call', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      let inside = false;
      const seen: string[] = [];
      for (const type of ['open', 'message', 'error', 'close'])
        ws.addEventListener(type, () => seen.push(inside ? `${type} inside` : type));
      run();
      inside = true;
      ws.send('x');
      ws.close(1000);
      inside = false;
      run();
      expect(seen).toEqual(['open', 'close']);
    });

    test('the close event is a CloseEvent-like event with code, reason and wasClean', () => {
      const { WS, run } = makeRig();
      const ws = new WS(echo);
      let ev: CloseEvent | undefined;
      ws.onclose = (e) => {
        ev = e;
      };
      ws.onopen = () => ws.close(3001, 'r');
      run();
      expect(ev).toBeInstanceOf(Event);
      expect(ev?.type).toBe('close');
      expect([ev?.code, ev?.reason, ev?.wasClean]).toEqual([3001, 'r', true]);
    });
  });
});

describe('LoopbackWebSocket only', () => {
  test('a class bound to a network is the interface as far as code can tell', () => {
    const { WS, network } = rig();
    expect(WS.prototype).toBe(LoopbackWebSocket.prototype);
    expect(Object.getOwnPropertyDescriptor(WS, 'OPEN')).toEqual({
      value: 1,
      writable: false,
      enumerable: true,
      configurable: false,
    });
    const ws = new WS(echo);
    expect(ws).toBeInstanceOf(LoopbackWebSocket);
    expect(ws).toBeInstanceOf(WS);
    expect(ws.constructor).toBe(LoopbackWebSocket);
    expect(network.connections()).toHaveLength(1);
    // A subclass of the bound class connects through the same network.
    class Mine extends WS {}
    const mine = new Mine(echo);
    expect(mine).toBeInstanceOf(Mine);
    expect(network.connections()).toHaveLength(2);
    expect(LoopbackWebSocket.prototype.close.length).toBe(0);
    expect(LoopbackWebSocket.prototype.send.length).toBe(1);
  });

  test('dispatches each message in its own task: microtasks run between two messages (real timers)', async () => {
    const network = new VirtualNetwork({ entropy: countingEntropy() });
    const WS = bindNetwork(network);
    const ws = new WS(echo);
    const order: string[] = [];
    ws.onopen = () => {
      ws.send('a');
      ws.send('b');
    };
    ws.onmessage = (e) => {
      order.push(`message ${e.data}`);
      void Promise.resolve().then(() => order.push(`microtask after ${e.data}`));
      if (e.data === 'b') ws.close();
    };
    await new Promise((resolve) => ws.addEventListener('close', resolve));
    expect(order).toEqual(['message a', 'microtask after a', 'message b', 'microtask after b']);
  });
});

describe('wire events', () => {
  test('show the handshake, masked client frames, server frames, state, close and eof', () => {
    const { WS, run } = rig();
    const ws = new WS(echo, 'chat');
    ws.onopen = () => {
      ws.send('hi');
      ws.close(1000, 'done');
    };
    run();
    const events: string[] = [];
    ws[WIRE].subscribe((e) => {
      if (e.kind === 'handshake') events.push(`handshake ${e.from} ${e.text.split('\r\n')[0]}`);
      else if (e.kind === 'frame')
        events.push(
          `frame ${e.from} masked=${((e.bytes[1] as number) & 0x80) !== 0} opcode=${(e.bytes[0] as number) & 0x0f}`,
        );
      else if (e.kind === 'state') events.push(`state ${e.state}`);
      else if (e.kind === 'close') events.push(`close ${e.code} ${e.reason} ${e.wasClean}`);
      else events.push(`${e.kind}`);
    });
    expect(events).toEqual([
      'handshake client GET /echo HTTP/1.1',
      'handshake server HTTP/1.1 101 Switching Protocols',
      'state OPEN',
      'frame client masked=true opcode=1',
      'frame server masked=false opcode=1',
      'frame client masked=true opcode=8',
      'frame server masked=false opcode=8',
      'close 1000 done true',
      'state CLOSED',
      'eof',
      'eof',
    ]);
  });

  test('the client frame bytes are the exact masked bytes: unmasking gives the text', () => {
    const { WS, run } = rig();
    // Uncompressed (no permessage-deflate), so the payload is the text.
    const ws = new WS(`${echo}?deflate=0`);
    ws.onopen = () => ws.send('hello');
    run();
    const frames: Uint8Array[] = [];
    ws[WIRE].subscribe((e) => {
      if (e.kind === 'frame' && e.from === 'client') frames.push(e.bytes);
    });
    const f = frames[0] as Uint8Array;
    expect(f[0]).toBe(0x81);
    expect(f[1]).toBe(0x80 | 5);
    const key = f.subarray(2, 6);
    const text = String.fromCharCode(...f.subarray(6).map((b, i) => b ^ (key[i % 4] as number)));
    expect(text).toBe('hello');
  });

  test('the request carries Host, the key, version 13 and the offered protocols; the server picks the first it speaks', () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/echo?rate=10', ['json', 'chat']);
    run();
    let request = '';
    ws[WIRE].subscribe((e) => {
      if (e.kind === 'handshake' && e.from === 'client') request = e.text;
    });
    expect(request).toMatch(/^GET \/echo\?rate=10 HTTP\/1\.1\r\n/);
    expect(request).toContain('Host: playground.local\r\n');
    expect(request).toContain('Sec-WebSocket-Version: 13\r\n');
    expect(request).toMatch(/Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/);
    expect(request).toContain('Sec-WebSocket-Protocol: json, chat\r\n');
    expect(ws.protocol).toBe('json');
  });
});

describe('services on the virtual network', () => {
  test('/chat broadcasts to every member, the sender included', () => {
    const { WS, run } = rig();
    const a = new WS('ws://playground.local/chat');
    run();
    const b = new WS('ws://playground.local/chat');
    const logA = record(a);
    const logB = record(b);
    run();
    a.send('hello room');
    run();
    expect(logA).toContain('message:hello room');
    expect(logB).toContain('message:hello room');
    expect(logB.some((l) => l.includes('"type":"presence"'))).toBe(true);
  });

  test('/heartbeat pings are answered by the loopback on its own, so the connection stays open', () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/heartbeat?interval=100');
    const log = record(ws);
    run(1_000);
    expect(ws.readyState).toBe(WS.OPEN);
    expect(log).toEqual(['open']);
    let pings = 0;
    let pongs = 0;
    ws[WIRE].subscribe((e) => {
      if (e.kind !== 'frame') return;
      const op = (e.bytes[0] as number) & 0x0f;
      if (op === 0x9 && e.from === 'server') pings++;
      if (op === 0xa && e.from === 'client') pongs++;
    });
    expect(pings).toBeGreaterThanOrEqual(9);
    expect(pongs).toBe(pings);
    ws.close();
    run(100);
  });

  test('/ticker pushes quotes unprompted', () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/ticker?interval=100');
    const log = record(ws);
    run(350);
    expect(log.filter((l) => l.startsWith('message:{"type":"quote"')).length).toBeGreaterThanOrEqual(3);
    ws.close();
    run(100);
  });
});
