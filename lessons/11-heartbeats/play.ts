import { definePlay, type PlayLab } from '../../app/lessons/play.ts';

const CLOSED = 3;
/** Opcode 0xA (5.5.3) in a wire frame's first byte. */
const isPong = (bytes: Uint8Array): boolean => ((bytes[0] ?? 0) & 0x0f) === 0xa;

/** Step 1: /heartbeat pings every second; the browser answers; the walk waits for two PONGs. */
async function watchHeartbeat(lab: PlayLab): Promise<void> {
  const ws = lab.open('/heartbeat?interval=1000');
  const pongs = () =>
    lab.wire(ws).filter((e) => e.kind === 'frame' && e.from === 'client' && isPong(e.bytes)).length;
  await lab.until(() => pongs() >= 2, 10_000);
  ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    await watchHeartbeat(lab);
    // Steps 2 and 3 run the learner's code in the code area (in the page only: in Vitest `run`
    // does nothing, see browserOnly): the server, a live client, a dead one.
    await lab.run('server.js', 'solution');
    await lab.run('client.js', 'solution');
    await lab.run('dead-client.js', 'solution');
    await lab.settle(['app-heartbeat', 'server-pings', 'dead-terminated', 'live-kept'], 30_000);
  },
  browserOnly: ['app-heartbeat', 'server-pings', 'dead-terminated', 'live-kept'],
  wrong: {
    /** /heartbeat closed before its second ping. */
    tooSoon: async (lab) => {
      const ws = lab.open('/heartbeat?interval=1000');
      await lab.wait(500);
      ws.close(1000);
      await lab.until(() => ws.readyState === CLOSED);
    },
  },
});
