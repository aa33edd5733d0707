/**
 * The loopback host's /echo read by a raw virtual TCP client: a message completed before a
 * violation in the same read is echoed, then the connection fails (7.1.7), as on the Node host
 * (app/server/violations.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { encodeFrame } from '../protocol/frame.ts';
import type { Frame } from '../protocol/types.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import type { VirtualSocket } from './link.ts';
import { rig } from './test-support.ts';

const KEY = Uint8Array.of(1, 2, 3, 4);

function clientFrame(text: string, extra: Partial<Frame> = {}): Uint8Array {
  return encodeFrame({
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode: 1,
    payload: encodeUtf8(text),
    maskKey: KEY,
    ...extra,
  });
}

describe('loopback /echo: same-read violation', () => {
  test('Autobahn 3.2: the text is echoed, then Close 1002 for the RSV2 frame in the same read', () => {
    const { network, run } = rig();
    const seen: string[] = [];
    // deflate=0: the test reads the echo's raw bytes, which permessage-deflate would compress.
    const { channel, wire } = network.connect(new URL('ws://playground.local/echo?deflate=0'), [], {
      open: () => seen.push('open'),
      message: (d) => seen.push(`message ${String(d)}`),
      closing: () => seen.push('closing'),
      transmitted: () => {},
      closed: (r) => seen.push(`closed ${r.code}`),
    });
    // Keep the virtual TCP socket the client endpoint is given, to write raw bytes on it.
    let socket: VirtualSocket | undefined;
    const endpoint = channel as unknown as { connected(s: VirtualSocket): void };
    const connected = endpoint.connected.bind(endpoint);
    endpoint.connected = (s) => {
      socket = s;
      connected(s);
    };
    run();
    expect(seen).toEqual(['open']);
    // One write: the server side reads both frames in one chunk.
    const both = new Uint8Array([...clientFrame('Hello, world!'), ...clientFrame('bad', { rsv2: true })]);
    socket!.write(both);
    run();
    const fromServer: string[] = [];
    wire.subscribe((e) => {
      if (e.kind !== 'frame' || e.from !== 'server') return;
      const op = (e.bytes[0] as number) & 0x0f;
      const payload = e.bytes.subarray(2);
      fromServer.push(
        op === 8
          ? `close ${((payload[0] as number) << 8) | (payload[1] as number)}`
          : `text ${new TextDecoder().decode(payload)}`,
      );
    });
    expect(fromServer).toEqual(['text Hello, world!', 'close 1002']);
    expect(seen).toContain('message Hello, world!');
  });
});
