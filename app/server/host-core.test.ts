/**
 * What the Node server decided on its own before the server core (app/host) and now decides as
 * the in-page network does, over real TCP: a service's verifyClient and acceptKey are honoured
 * (they were ignored here), and a refusal reaches the tap whole, after the request.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeAccept } from '../protocol/handshake.ts';
import type { WireEvent } from '../protocol/types.ts';
import type { Service } from '../services/service.ts';
import { readTapMessage } from '../services/wire-json.ts';
import {
  HANDSHAKE_KEY,
  RawClient,
  inboxOf,
  openWs,
  requestHead,
  sleep,
  testServers,
  wsUrl,
} from './test-helpers.ts';

const servers = testServers();

const own = (extra: Partial<Service>): Map<string, Service> =>
  new Map([['/own', { path: '/own', description: 'a lesson server', open: (s) => s.send('hi'), ...extra }]]);

async function answer(port: number, path = '/own'): Promise<{ head: string; body: string }> {
  const client = await RawClient.connect(port);
  servers.later(() => client.destroy());
  client.write(requestHead(path, port));
  const head = await client.readHead();
  await client.tcpEnded().catch(() => {});
  return { head, body: client.buffer.toString('utf8') };
}

describe("a service's verifyClient on the Node server", () => {
  it('a refusal is answered with its status and text, and the service never hears of the client', async () => {
    let opened = 0;
    const server = await servers.start({
      services: own({
        verifyClient: () => ({ status: 401, message: 'who are you?' }),
        open: () => void opened++,
      }),
    });
    const { head, body } = await answer(server.port);
    expect(head).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(body).toBe('who are you?\n');
    expect(opened).toBe(0);
  });

  it('true goes on to the 101; it saw the request target and headers', async () => {
    const seen: Array<{ url: string; origin: string | undefined }> = [];
    const server = await servers.start({
      services: own({
        verifyClient: async (r): Promise<true> => {
          seen.push({ url: r.url, origin: r.headers['origin'] });
          return true;
        },
      }),
    });
    const ws = await openWs(wsUrl(server, '/own?x=1'), undefined, { origin: 'http://page.test' });
    servers.later(() => ws.terminate());
    expect(await inboxOf(ws).next()).toMatchObject({ data: 'hi' });
    expect(seen).toEqual([{ url: '/own?x=1', origin: 'http://page.test' }]);
  });
});

describe("a service's acceptKey on the Node server", () => {
  it('its value goes into the 101 verbatim, even a wrong one (the client must refuse it, 4.1)', async () => {
    const server = await servers.start({ services: own({ acceptKey: (key) => computeAccept(key + '!') }) });
    const client = await RawClient.connect(server.port);
    servers.later(() => client.destroy());
    client.write(requestHead('/own', server.port));
    expect(await client.readHead()).toContain(
      `Sec-WebSocket-Accept: ${computeAccept(HANDSHAKE_KEY + '!')}\r\n`,
    );
  });

  it('a throw is answered 500 saying so, not a 101', async () => {
    const server = await servers.start({
      services: own({
        acceptKey: () => {
          throw new Error('oops');
        },
      }),
    });
    const { head, body } = await answer(server.port);
    expect(head).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(body).toBe("the server's acceptKey threw: oops\n");
  });
});

it('the tap sees the request, then the refusal with its body, then EOF', async () => {
  const server = await servers.start();
  const token = randomBytes(18).toString('base64url');
  const tap = await openWs(wsUrl(server, `/__tap?token=${token}`));
  servers.later(() => tap.terminate());
  const events: WireEvent[] = [];
  tap.on('message', (d: Buffer) => events.push(readTapMessage(d.toString('utf8')).event));
  await answer(server.port, `/nope?tap=${token}`);
  for (let i = 0; i < 100 && !events.some((e) => e.kind === 'eof'); i++) await sleep(20);
  expect(events.map((e) => (e.kind === 'handshake' ? `${e.kind}:${e.from}` : e.kind))).toEqual([
    'handshake:client',
    'handshake:server',
    'eof',
  ]);
  expect(events[1]).toMatchObject({
    text: expect.stringMatching(/^HTTP\/1\.1 404 [^]*\r\n\r\nno WebSocket endpoint at \/nope/),
  });
});
