import { definePlay, type PlayLab } from '../../app/lessons/play.ts';

/** readyState values (the WebSocket global is not in every runtime a walk runs in). */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/** Opens `path` offering `protocols`, lets the handshake end, and closes what opened. */
async function offer(lab: PlayLab, path: string, protocols: string[]): Promise<void> {
  const ws = lab.open(path, protocols);
  await lab.until(() => ws.readyState !== CONNECTING);
  if (ws.readyState === OPEN) ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    // 1. Two offers /echo speaks, its second favourite first: the client's order wins.
    await offer(lab, '/echo', ['superchat', 'chat']);
    // 2. Only an offer /echo does not speak: a 101 without the header.
    await offer(lab, '/echo', ['mqtt']);
    // 3. A 101 naming what was never offered: the client fails the connection.
    await offer(lab, '/misbehave?do=unoffered-protocol', ['chat']);
    // 4. permessage-deflate accepted: a repetitive text crosses compressed and comes back whole.
    const ws = lab.open('/echo?deflate=1');
    let echoed = false;
    ws.addEventListener('message', () => (echoed = true));
    await lab.until(() => ws.readyState !== CONNECTING);
    ws.send('hello hello hello hello hello');
    await lab.until(() => echoed);
    ws.close(1000);
    await lab.until(() => ws.readyState === CLOSED);
  },
  wrong: {
    /** /echo opened with no subprotocol at all. */
    noOffer: (lab) => offer(lab, '/echo', []),
    /** One offer that /echo speaks. */
    oneOffer: (lab) => offer(lab, '/echo', ['chat']),
    /** Two offers, one of which /echo does not speak. */
    mixed: (lab) => offer(lab, '/echo', ['mqtt', 'json']),
  },
});
