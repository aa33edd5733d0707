/**
 * Records a real trace in Vitest: a scenario runs on a virtual network (the loopback, with the
 * playground's services, on manual time) and every connection is recorded by the lab's own
 * `Session`, so the trace is exactly what the page would record in loopback mode. Lessons' tests
 * use it to make traces of right and wrong attempts without a browser.
 */
import { LoopbackTransport } from '../loopback/transport.ts';
import { rig, type Rig } from '../loopback/test-support.ts';
import type { LoopbackWebSocket } from '../loopback/websocket.ts';
import { Session } from '../ui/lab/session.svelte.ts';
import type { Trace, TraceConnection } from './types.ts';

export interface RecordingLab {
  /** The virtual network's rig: `rig.run(ms)` advances time; `rig.network` has the controls. */
  rig: Rig;
  /** Opens `ws://playground.local<path>` as the lab would, recorded as origin 'lab'. */
  open(path: string, protocols?: string[]): LoopbackWebSocket;
  /** Lets tasks and timers run for `ms` of virtual time (default: until idle). */
  run(ms?: number): void;
  /** Keeps a value a decode widget would record (`trace.inputs[name]`). */
  input(name: string, value: string): void;
  /** A console line, as the learner's code would print it. */
  log(line: string): void;
}

export function recordLoopback(play: (lab: RecordingLab) => void): Trace {
  const r = rig();
  const transport = new LoopbackTransport({ network: r.network });
  const sessions: { session: Session; origin: TraceConnection['origin'] }[] = [];
  const inputs: Record<string, string> = {};
  const console: string[] = [];
  const lab: RecordingLab = {
    rig: r,
    open(path, protocols = []) {
      const session = Session.connect(transport, transport.endpointUrl(path), protocols, {
        schedule: () => {},
        now: () => Math.floor(r.scheduler.now()),
      });
      sessions.push({ session, origin: 'lab' });
      return session.socket as unknown as LoopbackWebSocket;
    },
    run: (ms) => r.run(ms),
    input: (name, value) => void (inputs[name] = value),
    log: (line) => void console.push(line),
  };
  play(lab);
  r.run();
  const connections = sessions.map(({ session, origin }, i): TraceConnection => {
    session.flush();
    const events = [...session.log.events];
    session.dispose();
    return { id: `c${i + 1}`, url: session.url, protocols: [...session.protocols], origin, events };
  });
  return { mode: 'loopback', connections, inputs, console };
}
