/**
 * /misbehave in server mode (project dev: Vite with the Node endpoints): what Chromium's own
 * WebSocket does when the server breaks RFC 6455, as the page sees it (events, close code,
 * wasClean) and as the byte tap shows it (did Chromium send a Close frame, with which code?).
 * The lessons quote these observations (app/services/README.md).
 */
import { expect, test, type Page } from '@playwright/test';

interface Observed {
  /** The page's events in order: 'open', 'message', 'error', 'close'. */
  events: string[];
  close: { code: number; reason: string; wasClean: boolean };
  /** Frames on the tap: side, opcode, and for a Close its code (unmasked). */
  frames: { from: string; opcode: number; closeCode?: number }[];
  /** The server's close event on the tap: what our server saw. */
  serverClose?: { code: number; wasClean: boolean };
}

/**
 * Opens /misbehave?`query` with a tap on it and records until the server's socket is gone;
 * with `closeAfterMs`, the page closes (1000) that long after open.
 */
async function observe(page: Page, query: string, closeAfterMs?: number): Promise<Observed> {
  await page.goto('/');
  return page.evaluate(
    async ([q, closeAfter]) => {
      const token = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))))
        .replace(/\+/g, '-')
        .replace(/\//g, '_');
      const base = `ws://${location.host}`;
      const tapped: Array<Record<string, unknown>> = [];
      const tap = new WebSocket(`${base}/__tap?token=${token}`);
      tap.addEventListener('message', (e) => tapped.push(JSON.parse(e.data as string)));
      await new Promise((r) => tap.addEventListener('open', r, { once: true }));

      const events: string[] = [];
      const ws = new WebSocket(`${base}/misbehave?${q}&tap=${token}`);
      for (const type of ['open', 'message', 'error']) ws.addEventListener(type, () => events.push(type));
      if (closeAfter !== undefined)
        ws.addEventListener('open', () => setTimeout(() => ws.close(1000), closeAfter), { once: true });
      const close = await new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) =>
        ws.addEventListener('close', (e) => {
          events.push('close');
          resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
        }),
      );
      // The server's side: wait for its socket to close (its last tap event).
      for (let i = 0; i < 100 && !tapped.some((e) => e.kind === 'eof' && e.from === 'server'); i++)
        await new Promise((r) => setTimeout(r, 20));
      tap.close();

      const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const frames = tapped
        .filter((e) => e.kind === 'frame')
        .map((e) => {
          const b = bytesOf(e.bytes as string);
          const opcode = b[0]! & 0x0f;
          const masked = (b[1]! & 0x80) !== 0;
          if (opcode !== 8 || (b[1]! & 0x7f) < 2) return { from: e.from as string, opcode };
          const at = masked ? 6 : 2;
          const key = masked ? b.subarray(2, 6) : Uint8Array.of(0, 0, 0, 0);
          const closeCode = ((b[at]! ^ key[0]!) << 8) | (b[at + 1]! ^ key[1]!);
          return { from: e.from as string, opcode, closeCode };
        });
      const sc = tapped.find((e) => e.kind === 'close');
      return {
        events,
        close,
        frames,
        ...(sc ? { serverClose: { code: sc.code as number, wasClean: sc.wasClean as boolean } } : {}),
      };
    },
    [query, closeAfterMs] as const,
  );
}

/** The page's console line Chromium writes when it fails the connection (its reason). */
function failures(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    const at = text.indexOf(' failed: ');
    if (text.startsWith('WebSocket connection to') && at !== -1)
      lines.push(text.slice(at + ' failed: '.length));
  });
  return lines;
}

const FAILED = { events: ['open', 'error', 'close'], close: { code: 1006, reason: '', wasClean: false } };

test.describe('/misbehave: what Chromium does (server mode)', () => {
  test('masked-frame: error, close 1006 (not clean); on the tap Chromium sends Close 1002 and the server answers', async ({
    page,
  }) => {
    const said = failures(page);
    const o = await observe(page, 'do=masked-frame');
    expect(o).toMatchObject(FAILED);
    expect(o.frames).toEqual([
      { from: 'server', opcode: 1 },
      { from: 'client', opcode: 8, closeCode: 1002 },
      { from: 'server', opcode: 8, closeCode: 1002 },
    ]);
    expect(o.serverClose).toEqual({ code: 1002, wasClean: true });
    expect(said).toEqual(['A server must not mask any frames that it sends to the client.']);
  });

  test('bad-utf8: error, close 1006; Chromium closes with 1002, not the 1007 of RFC 6455 §7.4.1', async ({
    page,
  }) => {
    const said = failures(page);
    const o = await observe(page, 'do=bad-utf8');
    expect(o).toMatchObject(FAILED);
    expect(o.frames.filter((f) => f.from === 'client')).toEqual([
      { from: 'client', opcode: 8, closeCode: 1002 },
    ]);
    expect(said).toEqual(['Could not decode a text frame as UTF-8.']);
  });

  test('bad-accept: no open; error, close 1006; Chromium sends no frame and drops TCP', async ({ page }) => {
    const said = failures(page);
    const o = await observe(page, 'do=bad-accept');
    expect(o.events).toEqual(['error', 'close']);
    expect(o.close).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(o.frames.filter((f) => f.from === 'client')).toEqual([]);
    expect(o.serverClose).toEqual({ code: 1006, wasClean: false });
    expect(said).toEqual(["Error during WebSocket handshake: Incorrect 'Sec-WebSocket-Accept' header value"]);
  });

  test('data-after-close: Chromium answers the Close with 1000, then fails on the text: error, close 1006', async ({
    page,
  }) => {
    const said = failures(page);
    const o = await observe(page, 'do=data-after-close');
    // Unlike ws and our engine, which ignore the text and report a clean 1000.
    expect(o).toMatchObject(FAILED);
    expect(o.frames).toEqual([
      { from: 'server', opcode: 8, closeCode: 1000 },
      { from: 'server', opcode: 1 },
      { from: 'client', opcode: 8, closeCode: 1000 },
    ]);
    expect(o.serverClose).toEqual({ code: 1000, wasClean: true });
    expect(said).toEqual(['Data frame received after close']);
  });

  test('the other misdeeds: each fails the same way, Close 1002 on the tap, with its own console reason', async ({
    page,
  }) => {
    const said = failures(page);
    const seen: Record<string, unknown> = {};
    for (const what of ['big-ping', 'reserved-opcode', 'fragmented-ping', 'rsv1', 'unoffered-protocol']) {
      const o = await observe(page, `do=${what}`);
      seen[what] = { events: o.events, close: o.close, client: o.frames.filter((f) => f.from === 'client') };
    }
    const frameFailure = { ...FAILED, client: [{ from: 'client', opcode: 8, closeCode: 1002 }] };
    expect(seen).toEqual({
      'big-ping': frameFailure,
      'reserved-opcode': frameFailure,
      'fragmented-ping': frameFailure,
      rsv1: frameFailure,
      'unoffered-protocol': { events: ['error', 'close'], close: FAILED.close, client: [] },
    });
    expect(said).toEqual([
      'Invalid frame header',
      'Unrecognized frame opcode: 3',
      'Invalid frame header',
      'One or more reserved bits are on: reserved1 = 1, reserved2 = 0, reserved3 = 0',
      "Error during WebSocket handshake: Response must not include 'Sec-WebSocket-Protocol' header if not present in request: nonsense",
    ]);
  });

  test('fragments (valid): one message event, no error; on the tap Chromium pongs the ping between fragments', async ({
    page,
  }) => {
    const o = await observe(page, 'do=fragments&n=4', 300);
    expect(o.events).toEqual(['open', 'message', 'close']);
    expect(o.close).toEqual({ code: 1000, reason: '', wasClean: true });
    expect(o.frames).toEqual([
      { from: 'server', opcode: 1 },
      { from: 'server', opcode: 9 },
      { from: 'server', opcode: 0 },
      { from: 'server', opcode: 0 },
      { from: 'server', opcode: 0 },
      { from: 'client', opcode: 10 },
      { from: 'client', opcode: 8, closeCode: 1000 },
      { from: 'server', opcode: 8, closeCode: 1000 },
    ]);
  });
});
