/**
 * Lesson 1 as a learner walks it: open /echo twice, once more offering two subprotocols, then the
 * two misbehaving answers. The start is a learner who has opened nothing yet.
 */
import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';

const OPEN = 1;
const CLOSED = 3;

async function openAndClose(lab: PlayLab, path: string, protocols: string[] = []): Promise<PlaySocket> {
  const ws = lab.open(path, protocols);
  await lab.until(() => ws.readyState === OPEN);
  ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
  return ws;
}

/** A connection the client must refuse (4.1): it ends CLOSED without ever being OPEN. */
async function refused(lab: PlayLab, path: string, protocols: string[] = []): Promise<void> {
  const ws = lab.open(path, protocols);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  async start() {},
  async solution(lab) {
    await openAndClose(lab, '/echo');
    await openAndClose(lab, '/echo');
    await openAndClose(lab, '/echo', ['superchat', 'chat']);
    await refused(lab, '/misbehave?do=bad-accept');
    await refused(lab, '/misbehave?do=unoffered-protocol', ['chat']);
  },
  wrong: {
    /** Only one connection: there is nothing to compare its key with. */
    async 'one connection'(lab) {
      await openAndClose(lab, '/echo');
    },
    /** Offers one subprotocol only: the server has no choice to make. */
    async 'one offer'(lab) {
      await openAndClose(lab, '/echo');
      await openAndClose(lab, '/echo');
      await openAndClose(lab, '/echo', ['chat']);
    },
    /** Offers names /echo does not know: the 101 names none, and the browser refuses it. */
    async 'unknown offers'(lab) {
      await openAndClose(lab, '/echo');
      await openAndClose(lab, '/echo');
      await refused(lab, '/echo', ['mqtt', 'stomp']);
    },
  },
});
