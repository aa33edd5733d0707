/**
 * A lesson's probe in the page: it opens connections to the learner's server (on the page's
 * virtual network, where the sandbox's servers listen) with the engine's client, each with a
 * fresh random Sec-WebSocket-Key, and records them as the lab records any connection.
 */
import { uncompressedUrl } from '../../loopback/mode.ts';
import { LoopbackTransport } from '../../loopback/transport.ts';
import { getSandboxNetwork } from '../../sandbox/network.ts';
import type { PlaySocket } from '../../lessons/play.ts';
import type {
  LessonChecks,
  LessonMode,
  ProbeKit,
  ProbeOptions,
  TraceConnection,
} from '../../lessons/types.ts';
import { LabConnection } from '../connection/lab-connection.svelte.ts';

/** How long one probe connection may take to open or fail. */
export const PROBE_TIMEOUT_MS = 3000;
/** How long a socket the probe left open may take to close when the probe ends. */
export const PROBE_CLOSE_MS = 1000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runProbe(
  probe: NonNullable<LessonChecks['probe']>,
  mode: 'server' | 'loopback',
): Promise<TraceConnection[]> {
  let n = 0;
  const connect = (url: string, options: ProbeOptions): { session: LabConnection; id: string } => {
    const target = new URL(url);
    const transport = new LoopbackTransport({
      network: getSandboxNetwork().networkFor(target),
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
    });
    // No permessage-deflate: the lesson's checks read the frames' payloads (uncompressedUrl).
    const session = LabConnection.connect(transport, uncompressedUrl(url), options.protocols ?? [], {
      name: `lesson probe ${++n}`,
    });
    return { session, id: `probe${n}` };
  };
  const record = (
    session: LabConnection,
    id: string,
    url: string,
    options: ProbeOptions,
  ): TraceConnection => {
    session.flush();
    const events = [...session.log.events];
    session.dispose();
    return { id, url, protocols: options.protocols ?? [], origin: 'probe', events };
  };
  const driven: { session: LabConnection; id: string; url: string; options: ProbeOptions }[] = [];
  const until = async (done: () => boolean, ms = PROBE_TIMEOUT_MS): Promise<boolean> => {
    const end = performance.now() + ms;
    while (!done()) {
      if (performance.now() > end) return false;
      await sleep(20);
    }
    return true;
  };
  const kit: ProbeKit = {
    mode: mode satisfies LessonMode,
    async open(url, options = {}) {
      const { session, id } = connect(url, options);
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
      return record(session, id, url, options);
    },
    connect(url, options = {}) {
      const { session, id } = connect(url, options);
      if (!session.socket) throw new Error(`the probe could not open ${url}: ${session.notes.join(' ')}`);
      driven.push({ session, id, url, options });
      return session.socket as unknown as PlaySocket;
    },
    wait: sleep,
    until,
  };
  const returned = await probe(kit);
  // Sockets the probe left open end as a client would leave: with a Close 1000.
  for (const { session } of driven) {
    const s = session.socket;
    if (s && s.readyState < 2) s.close(1000, 'probe done');
  }
  await until(() => driven.every(({ session }) => (session.socket?.readyState ?? 3) === 3), PROBE_CLOSE_MS);
  return [...returned, ...driven.map(({ session, id, url, options }) => record(session, id, url, options))];
}
