import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';

/** 300 KiB: over the ~128 KiB at which Chromium splits a message into frames. */
export const BIG = 300 * 1024;

/** readyState values (the WebSocket global is not in every runtime a walk runs in). */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * The loopback's socket can send one message as N frames (the lab composer's Fragments field);
 * a browser's WebSocket cannot, and splits only big messages by itself. The symbol is the
 * loopback's registered one (app/loopback/websocket.ts), so this file imports no transport.
 */
const LOOPBACK = Symbol.for('wsp.loopback');
type Fragmenter = { sendFragmented(data: string, fragments: number): void };

function fragmenter(ws: PlaySocket): Fragmenter | undefined {
  const controls = (ws as unknown as Record<symbol, Fragmenter | undefined>)[LOOPBACK];
  return typeof controls?.sendFragmented === 'function' ? controls : undefined;
}

async function opened(lab: PlayLab, path: string): Promise<PlaySocket> {
  const ws = lab.open(path);
  await lab.until(() => ws.readyState !== CONNECTING);
  return ws;
}

/** Step 1: one message to /echo in several frames, whichever way this transport can. */
async function fragmentToEcho(lab: PlayLab): Promise<void> {
  const ws = await opened(lab, '/echo');
  let messages = 0;
  ws.addEventListener('message', () => messages++);
  const split = fragmenter(ws);
  if (split) split.sendFragmented('one message, three frames', 3);
  else ws.send('x'.repeat(BIG));
  await lab.until(() => messages === 1);
  ws.close(1000);
}

/** Step 2: the misbehaving server's valid fragmented message with a ping inside. */
async function pingBetween(lab: PlayLab): Promise<void> {
  // The message follows the 101 at once: listen before the socket is even open.
  const ws = lab.open('/misbehave?do=fragments&n=3');
  let messages = 0;
  ws.addEventListener('message', () => messages++);
  await lab.until(() => messages === 1 || ws.readyState === CLOSED);
  if (ws.readyState === OPEN) ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  // Steps 1 and 2 in the lab; step 3 runs the learner's server.js, then client.js, in the code
  // area (in the page only: in Vitest `run` does nothing, see browserOnly).
  solution: async (lab) => {
    await fragmentToEcho(lab);
    await pingBetween(lab);
    await lab.run('server.js', 'solution');
    await lab.run('client.js', 'solution');
    await lab.settle(['server-fragments', 'server-one-event'], 20_000);
  },
  browserOnly: ['server-fragments', 'server-one-event'],
  wrong: {
    /** A message sent whole: one TEXT frame with FIN=1. */
    oneFrame: async (lab) => {
      const ws = await opened(lab, '/echo');
      let messages = 0;
      ws.addEventListener('message', () => messages++);
      ws.send('one message, one frame');
      await lab.until(() => messages === 1);
      ws.close(1000);
    },
  },
});
