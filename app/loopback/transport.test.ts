import { expect, test } from 'vitest';
import { rig } from './test-support.ts';
import { LoopbackTransport } from './transport.ts';
import { LoopbackWebSocket } from './websocket.ts';

test('endpoint URLs are on playground.local', () => {
  const t = new LoopbackTransport({ network: rig().network });
  expect(t.label).toBe('loopback');
  expect(t.canFragment).toBe(true);
  expect(t.endpointUrl('/echo')).toBe('ws://playground.local/echo');
  expect(t.endpointUrl('close?code=4000')).toBe('ws://playground.local/close?code=4000');
});

test('opens a loopback socket with its wire stream, and can send one message as several frames', () => {
  const { network, run } = rig();
  const t = new LoopbackTransport({ network });
  const { socket, wire } = t.open('ws://playground.local/echo', ['chat']);
  expect(socket).toBeInstanceOf(LoopbackWebSocket);
  const got: string[] = [];
  socket.addEventListener('message', (e) => got.push((e as MessageEvent).data as string));
  run();
  expect(socket.protocol).toBe('chat');
  expect(socket.readyState).toBe(1);
  t.sendFragmented(socket, 'one message, four frames', 4);
  expect(socket.bufferedAmount).toBe(24);
  run();
  expect(got).toEqual(['one message, four frames']);
  const fins: boolean[] = [];
  wire?.subscribe((e) => {
    if (e.kind === 'frame' && e.from === 'client') fins.push(((e.bytes[0] as number) & 0x80) !== 0);
  });
  expect(fins).toEqual([false, false, false, true]);
});

test('throws like the constructor for bad input, and refuses fragmenting a foreign socket', () => {
  const t = new LoopbackTransport({ network: rig().network });
  expect(() => t.open('ftp://playground.local/echo', [])).toThrow(/scheme/);
  expect(() => t.open('ws://playground.local/echo', ['a', 'a'])).toThrow(/duplicated/);
  expect(() => t.sendFragmented({}, 'x', 2)).toThrow(TypeError);
});

test('sendFragmented follows send(): InvalidStateError while CONNECTING', () => {
  const t = new LoopbackTransport({ network: rig().network });
  const { socket } = t.open('ws://playground.local/echo', []);
  expect(() => t.sendFragmented(socket, 'early', 2)).toThrow(
    expect.objectContaining({ name: 'InvalidStateError' }),
  );
});

test("a transport given an origin sends it as the Origin header instead of the network's (10.2: a probe posing as another site)", () => {
  const { network, run } = rig({ origin: 'http://localhost:5173' });
  const heads: string[] = [];
  for (const t of [
    new LoopbackTransport({ network }),
    new LoopbackTransport({ network, origin: 'https://evil.example' }),
  ]) {
    const { wire } = t.open('ws://playground.local/echo', []);
    wire?.subscribe((e) => {
      if (e.kind === 'handshake' && e.from === 'client')
        heads.push(/^Origin: (.*)$/im.exec(e.text)?.[1] ?? '');
    });
  }
  run();
  expect(heads).toEqual(['http://localhost:5173', 'https://evil.example']);
});
