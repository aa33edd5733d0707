/**
 * A lesson's probe in the page: it opens connections to the learner's server (on the page's
 * virtual network, where the sandbox's servers listen) with the engine's client, each with a
 * fresh random Sec-WebSocket-Key, and records them as the lab records any connection.
 */
import { LoopbackTransport } from '../../loopback/transport.ts';
import { getSandboxNetwork } from '../../sandbox/network.ts';
import type { LessonChecks, LessonMode, ProbeKit, TraceConnection } from '../../lessons/types.ts';
import { Session } from '../lab/session.svelte.ts';

/** How long one probe connection may take to open or fail. */
export const PROBE_TIMEOUT_MS = 3000;

export async function runProbe(
  probe: NonNullable<LessonChecks['probe']>,
  mode: 'server' | 'loopback',
): Promise<TraceConnection[]> {
  let n = 0;
  const kit: ProbeKit = {
    mode: mode satisfies LessonMode,
    async open(url, options = {}) {
      const target = new URL(url);
      const transport = new LoopbackTransport({ network: getSandboxNetwork().networkFor(target) });
      const session = Session.connect(transport, url, options.protocols ?? [], {
        name: `lesson probe ${++n}`,
      });
      const socket = session.socket;
      if (socket) {
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          const timer = setTimeout(done, PROBE_TIMEOUT_MS);
          socket.addEventListener('open', () => {
            clearTimeout(timer);
            socket.close(1000, 'probe done');
            setTimeout(done, 100);
          });
          socket.addEventListener('close', () => {
            clearTimeout(timer);
            done();
          });
        });
      }
      session.flush();
      const events = [...session.log.events];
      session.dispose();
      return { id: `probe${n}`, url, protocols: options.protocols ?? [], origin: 'probe', events };
    },
  };
  return probe(kit);
}
