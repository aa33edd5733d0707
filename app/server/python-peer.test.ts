/**
 * An outside peer: Debian's python3-websockets (10.4, under /usr/bin/python3 only) drives
 * /echo (permessage-deflate negotiated, as python offers it), and serves our engine client.
 * Skipped, with the reason printed, only when that module is missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standalone } from './standalone.ts';
import { startTestServer, withTimeout } from './test-helpers.ts';
import { connectEngineClient } from './engine-client.ts';
import { BROWSER_DEFLATE_OFFER } from '../protocol/permessage-deflate.ts';

const PYTHON = '/usr/bin/python3';

function pythonWebsockets(): string | undefined {
  try {
    return execFileSync(PYTHON, ['-c', 'import websockets; print(websockets.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

const version = pythonWebsockets();
if (version === undefined) {
  console.warn(
    `SKIPPED python-peer: ${PYTHON} cannot import websockets (apt-get install python3-websockets)`,
  );
}

const SCRIPT = `
import asyncio, json, sys
import websockets

async def main(url):
    out = {}
    async with websockets.connect(url, subprotocols=["json", "chat"], max_size=2**21) as ws:
        out["protocol"] = ws.subprotocol
        out["extensions"] = ws.response_headers.get("Sec-WebSocket-Extensions")
        await ws.send("hello from python")
        out["text"] = await ws.recv()
        await ws.send(bytes(range(256)) * 4096)
        b = await ws.recv()
        out["binary_ok"] = isinstance(b, bytes) and b == bytes(range(256)) * 4096
        await ws.send(["frag", "men", "ted \u00e9"])
        out["fragmented"] = await ws.recv()
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 5)
        out["pong"] = True
        await ws.close(4000, "py bye")
        out["close_code"] = ws.close_code
        out["close_reason"] = ws.close_reason
    print(json.dumps(out))

asyncio.run(main(sys.argv[1]))
`;

describe.skipIf(version === undefined)(`python3-websockets ${version ?? '(missing)'} as a client`, () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startTestServer({ maxMessageSize: 2 * 1024 * 1024 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('echoes text, a 1 MiB binary and a fragmented message, answers a ping, and echoes the close', async () => {
    const child = spawn(PYTHON, ['-c', SCRIPT, `ws://127.0.0.1:${server.port}/echo`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await withTimeout(
      new Promise<number | null>((r) => child.once('exit', r)),
      20_000,
      'python',
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      protocol: 'json',
      // RFC 7692: python offers permessage-deflate by default and our server accepts it, so
      // every message below went compressed both ways.
      extensions: expect.stringMatching(/^permessage-deflate/) as unknown,
      text: 'hello from python',
      binary_ok: true,
      fragmented: 'fragmented é',
      pong: true,
      close_code: 4000,
      close_reason: 'py bye',
    });
  }, 30_000);

  it('as a server: our engine client negotiates permessage-deflate with it and messages echo', async () => {
    const child = spawn(PYTHON, ['-c', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await withTimeout(
        new Promise<number>((resolve) =>
          child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
        ),
        20_000,
        'python server',
      );
      const c = await connectEngineClient(`ws://127.0.0.1:${port}/`, { extensions: [BROWSER_DEFLATE_OFFER] });
      // websockets answers with its own window limits (12 bits by default in 10.x).
      expect(c.extensions).toMatch(/^permessage-deflate/);
      expect(c.deflate).toBeDefined();
      const text = 'python, compressed '.repeat(300);
      c.connection.sendText(text);
      c.connection.sendText(text, { fragments: 3 });
      c.connection.sendBinary(new Uint8Array(5000).fill(7));
      c.flush();
      const got: Array<string | Uint8Array> = [];
      while (got.length < 3) got.push((await withTimeout(c.next('message'), 5_000, 'echo')).data);
      expect(got).toEqual([text, text, new Uint8Array(5000).fill(7)]);
      const frames = c.events.filter((e) => e.kind === 'frame' && e.from === 'server');
      expect(frames.every((e) => e.kind === 'frame' && e.frame.rsv1)).toBe(true);
      c.socket.destroy();
    } finally {
      child.kill();
    }
  }, 30_000);
});

const ECHO_SERVER = `
import asyncio, sys
import websockets

async def echo(ws, path=None):
    async for m in ws:
        await ws.send(m)

async def main():
    async with websockets.serve(echo, "127.0.0.1", 0) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
`;
