import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';
import { ECHO_LIMIT } from './checks.ts';

/** readyState values (the WebSocket global is not in every runtime a walk runs in). */
const CONNECTING = 0;
const CLOSED = 3;

async function opened(lab: PlayLab, path: string): Promise<PlaySocket> {
  const ws = lab.open(path);
  await lab.until(() => ws.readyState !== CONNECTING);
  return ws;
}

async function closed(lab: PlayLab, ws: PlaySocket): Promise<void> {
  await lab.until(() => ws.readyState === CLOSED);
}

/** Calls close() as a learner would try it, and logs what the browser threw. */
function tryClose(lab: PlayLab, ws: PlaySocket, code: number, reason?: string): void {
  try {
    if (reason === undefined) ws.close(code);
    else ws.close(code, reason);
  } catch (error) {
    const e = error as { name?: string; message?: string };
    lab.log(
      `close(${code}${reason === undefined ? '' : `, ${reason.length}-byte reason`}) threw ${e.name}: ${e.message}`,
    );
  }
}

/** Opens `path` (a server that closes by itself) and waits for the end. */
async function serverEnds(lab: PlayLab, path: string): Promise<void> {
  await closed(lab, lab.open(path));
}

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    // 1. You close; the server answers with the same code.
    let ws = await opened(lab, '/echo');
    ws.close(1000, 'done');
    await closed(lab, ws);
    // 2. The server closes; the browser answers.
    await serverEnds(lab, '/close?code=4000&reason=bye');
    // 3. 1001 is the browser's own code: close(1001) throws, 4000 is allowed.
    ws = await opened(lab, '/echo');
    tryClose(lab, ws, 1001);
    ws.close(4000, 'my app is done');
    await closed(lab, ws);
    // 4. One byte over /echo's limit: the server closes with 1009.
    ws = await opened(lab, '/echo');
    ws.send('x'.repeat(ECHO_LIMIT + 1));
    await closed(lab, ws);
    // 5. An empty CLOSE (the page reports 1005), then no CLOSE at all (1006).
    await serverEnds(lab, '/close?code=none');
    await serverEnds(lab, '/close?drop=1');
    // 6. 124 bytes of reason throw; 123 is the most.
    ws = await opened(lab, '/echo');
    tryClose(lab, ws, 1000, 'x'.repeat(124));
    ws.close(1000, 'x'.repeat(123));
    await closed(lab, ws);
  },
  wrong: {
    /** Closes with 1000 and a short reason only: no code of its own, no full reason. */
    normalOnly: async (lab) => {
      const ws = await opened(lab, '/echo');
      ws.close(1000, 'x'.repeat(100));
      await closed(lab, ws);
    },
    /** The server closes with an empty CLOSE: no code to report but 1005. */
    emptyServerClose: async (lab) => serverEnds(lab, '/close?code=none'),
    /** Exactly /echo's limit: echoed back, no 1009. */
    atTheLimit: async (lab) => {
      const ws = await opened(lab, '/echo');
      let echoed = false;
      ws.addEventListener('message', () => (echoed = true));
      ws.send('x'.repeat(ECHO_LIMIT));
      await lab.until(() => echoed);
      ws.close(1000);
      await closed(lab, ws);
    },
    /** Over the limit: the server closes first, so the client never started a close. */
    tooBigOnly: async (lab) => {
      const ws = await opened(lab, '/echo');
      ws.send('x'.repeat(ECHO_LIMIT + 1));
      await closed(lab, ws);
    },
  },
});
