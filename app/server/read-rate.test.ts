/**
 * /echo?read=N: the Node server reads a connection at N bytes/s (Service.readRate), pausing the
 * TCP socket between reads, so a fast sender is held back by TCP; nothing is lost or reordered.
 */
import { describe, expect, it } from 'vitest';
import { inboxOf, openWs, testServers, wsUrl } from './test-helpers.ts';

const servers = testServers();

async function echoAll(path: string, count: number, size: number): Promise<{ ms: number; order: string[] }> {
  const server = await servers.start();
  const ws = await openWs(wsUrl(server, path));
  servers.later(() => ws.terminate());
  const started = Date.now();
  for (let i = 0; i < count; i++) ws.send(`#${i}:`.padEnd(size, 'x'));
  const order: string[] = [];
  for (let i = 0; i < count; i++) order.push(String((await inboxOf(ws).next()).data).split(':')[0]!);
  return { ms: Date.now() - started, order };
}

describe('/echo?read=N', () => {
  it('reads 256 KiB at 64 KiB/s: the echoes take seconds, all of them, in order', async () => {
    // deflate=0: 'x' padding would compress to almost nothing and never meet the read rate.
    const { ms, order } = await echoAll('/echo?read=65536&deflate=0', 16, 16 * 1024);
    // The first read may take up to 64 KiB at once; the other 192 KiB need 3 s at the pace.
    expect(ms).toBeGreaterThan(2500);
    expect(order).toEqual(Array.from({ length: 16 }, (_, i) => `#${i}`));
  }, 20_000);

  it('without read=, the same bytes come back at once', async () => {
    const { ms, order } = await echoAll('/echo', 16, 16 * 1024);
    expect(ms).toBeLessThan(2000);
    expect(order).toHaveLength(16);
  });
});
