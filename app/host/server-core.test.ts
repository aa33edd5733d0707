/** What the connections of one core share: routing under the site's sub-path, the limit, shutdown. */
import { describe, expect, test } from 'vitest';
import { buildClosePayload } from '../protocol/close.ts';
import { encodeFinalFrame } from '../protocol/frame.ts';
import { Opcode } from '../protocol/types.ts';
import { bytesOf, MASK, request, rig, statusLine } from './test-support.ts';

describe('ServerCore', () => {
  test("routes under the site's sub-path, and the root path as it is", () => {
    const { core } = rig({ base: '/playground/' });
    expect(core.base).toBe('/playground');
    expect(core.route('/playground/echo')?.path).toBe('/echo');
    expect(core.route('/echo')?.path).toBe('/echo');
    expect(core.route('/playground/nope')).toBeUndefined();
    expect(rig({ base: './' }).core.route('/echo')?.path).toBe('/echo');
  });

  test("counts the host's own connections (the relay's) against the limit", () => {
    let relayed = 1;
    const r = rig({ maxConnections: 2, extraConnections: () => relayed });
    const first = r.connect();
    first.conn.receive(bytesOf(request()));
    expect(statusLine(first.read())).toBe('HTTP/1.1 101 Switching Protocols');
    expect(r.core.connections).toBe(2);
    const second = r.connect();
    second.conn.receive(bytesOf(request()));
    expect(second.read()).toMatch(/^HTTP\/1\.1 503 [^]*too many connections \(max 2\)/);
    relayed = 0;
    const third = r.connect();
    third.conn.receive(bytesOf(request()));
    expect(statusLine(third.read())).toBe('HTTP/1.1 101 Switching Protocols');
  });

  test('close() sends 1001 to every session and resolves once their transports closed', async () => {
    const r = rig();
    const peer = r.connect();
    peer.conn.receive(bytesOf(request()));
    peer.read();
    let done = false;
    const closing = r.core.close().then(() => (done = true));
    const out = peer.read();
    expect(out.charCodeAt(0)).toBe(0x88);
    expect(out.charCodeAt(2) * 256 + out.charCodeAt(3)).toBe(1001);
    peer.conn.receive(encodeFinalFrame(Opcode.Close, buildClosePayload(1001), MASK));
    await Promise.resolve();
    expect(done).toBe(false);
    peer.conn.transportClosed();
    await closing;
    expect(done).toBe(true);
    expect(r.core.connections).toBe(0);
  });

  test('ids are unique per core: c1, c2, ...', () => {
    const { core, connect } = rig();
    expect([connect().conn.id, core.nextId(), connect().conn.id]).toEqual(['c1', 'c2', 'c3']);
  });
});
