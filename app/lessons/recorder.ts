/**
 * Records a real trace in Vitest: a walkthrough (play.ts) runs on a virtual network (the
 * loopback, with the playground's services, on manual time) and every connection is recorded by
 * the lab's own `LabConnection`, so the trace is exactly what the page records in loopback mode.
 */
import { LoopbackTransport } from '../loopback/transport.ts';
import { uncompressedUrl } from '../loopback/mode.ts';
import { rig, type Rig } from '../loopback/test-support.ts';
import type { VirtualNetworkOptions } from '../loopback/network.ts';
import { LabConnection } from '../ui/connection/lab-connection.svelte.ts';
import type { PlayLab, PlaySocket, Walk } from './play.ts';
import type { WireEvent } from '../protocol/types.ts';
import { httpUrl, loopbackHttp } from './http-client.ts';
import type { HttpRecord, LessonChecks, ProbeKit, ProbeOptions, Trace, TraceConnection } from './types.ts';

export interface RecordingLab extends PlayLab {
  /** The virtual network's rig (`rig.network` has the latency, drop and handshake-fault controls). */
  rig: Rig;
}

/** Runs `walk` on a fresh virtual network and returns the trace of every connection it opened. */
export async function recordLoopback(walk: (lab: RecordingLab) => Promise<void> | void): Promise<Trace> {
  const r = rig();
  const transport = new LoopbackTransport({ network: r.network });
  const sessions: LabConnection[] = [];
  const inputs: Record<string, string> = {};
  const console: string[] = [];
  const http: HttpRecord[] = [];
  const lab: RecordingLab = {
    rig: r,
    open(path, protocols = []) {
      const session = LabConnection.connect(
        transport,
        uncompressedUrl(transport.endpointUrl(path)),
        protocols,
        {
          schedule: () => {},
          now: () => Math.floor(r.scheduler.now()),
        },
      );
      sessions.push(session);
      if (!session.socket) throw new Error(`could not open ${path}: ${session.notes.join(' ')}`);
      return session.socket as unknown as PlaySocket;
    },
    async wait(ms) {
      r.run(ms);
      await Promise.resolve();
    },
    async until(done, ms = 10_000) {
      for (let waited = 0; !done(); waited += 10) {
        if (waited >= ms) throw new Error(`still waiting after ${ms} ms of virtual time`);
        r.run(10);
        await Promise.resolve();
      }
    },
    input: (name, value) => void (inputs[name] = value),
    log: (line) => void console.push(line),
    // The sandbox is the browser's (an iframe and a worker): nothing runs here; see LessonPlay.browserOnly.
    run: async () => {},
    probe: async () => {},
    settle: async () => {},
    wire(socket) {
      const session = sessions.find((s) => s.socket === (socket as unknown));
      session?.flush();
      return (session?.log.events ?? []).filter((e): e is WireEvent => e.kind !== 'api');
    },
    async fetch(path) {
      // Virtual time moves only while something waits for it: run it until the answer is in.
      const box: { record?: HttpRecord; error?: unknown; done?: true } = {};
      void loopbackHttp(httpUrl(transport.endpointUrl(path)), r.network).then(
        (record) => Object.assign(box, { record, done: true }),
        (error: unknown) => Object.assign(box, { error, done: true }),
      );
      for (let waited = 0; !box.done; waited += 10) {
        if (waited > 60_000) throw new Error(`no answer to GET ${path} after 60 s of virtual time`);
        r.run(10);
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
      if (!box.record) throw box.error;
      http.push(box.record);
      return box.record;
    },
  };
  await walk(lab);
  r.run();
  const connections = sessions.map((session, i): TraceConnection => {
    session.flush();
    const events = [...session.log.events];
    session.dispose();
    return { id: `c${i + 1}`, url: session.url, protocols: [...session.protocols], origin: 'lab', events };
  });
  return { mode: 'loopback', connections, inputs, console, ...(http.length > 0 ? { http } : {}) };
}

/** `recordLoopback` for a walk of a lesson's play.ts. */
export function recordWalk(walk: Walk): Promise<Trace> {
  return recordLoopback(walk);
}

/**
 * Runs a lesson's probe in Vitest, on a fresh virtual network (virtual time) hosting `services`
 * (default: the playground's own), as the page runs it against the learner's server: a probe
 * written for a URL can so be recorded against a bundled endpoint or a test's reference service.
 * Every connection is recorded with origin 'probe', as in the page.
 */
export async function recordProbe(
  probe: NonNullable<LessonChecks['probe']>,
  options: Pick<VirtualNetworkOptions, 'services' | 'origin'> = {},
): Promise<Trace> {
  const r = rig({ hosts: ['playground.local', 'localhost:8080'], ...options });
  let n = 0;
  const driven: { session: LabConnection; id: string; url: string; options: ProbeOptions }[] = [];
  const connect = (url: string, o: ProbeOptions) => {
    const transport = new LoopbackTransport({
      network: r.network,
      ...(o.origin !== undefined ? { origin: o.origin } : {}),
    });
    const session = LabConnection.connect(transport, uncompressedUrl(url), o.protocols ?? [], {
      schedule: () => {},
      now: () => Math.floor(r.scheduler.now()),
    });
    return { session, id: `probe${++n}` };
  };
  const record = (session: LabConnection, id: string, url: string, o: ProbeOptions): TraceConnection => {
    session.flush();
    const events = [...session.log.events];
    session.dispose();
    return { id, url, protocols: o.protocols ?? [], origin: 'probe', events };
  };
  const until = async (done: () => boolean, ms = 3000): Promise<boolean> => {
    for (let waited = 0; !done(); waited += 10) {
      if (waited >= ms) return false;
      r.run(10);
      await Promise.resolve();
    }
    return true;
  };
  const kit: ProbeKit = {
    mode: 'loopback',
    async open(url, o = {}) {
      const { session, id } = connect(url, o);
      const socket = session.socket;
      if (socket) {
        await until(() => socket.readyState !== 0);
        if (socket.readyState === 1) socket.close(1000, 'probe done');
        await until(() => socket.readyState === 3, 1000);
      }
      return record(session, id, url, o);
    },
    connect(url, o = {}) {
      const { session, id } = connect(url, o);
      if (!session.socket) throw new Error(`the probe could not open ${url}: ${session.notes.join(' ')}`);
      driven.push({ session, id, url, options: o });
      return session.socket as unknown as PlaySocket;
    },
    async wait(ms) {
      r.run(ms);
      await Promise.resolve();
    },
    until,
  };
  const returned = await probe(kit);
  for (const { session } of driven) {
    const s = session.socket;
    if (s && s.readyState < 2) s.close(1000, 'probe done');
  }
  await until(() => driven.every(({ session }) => (session.socket?.readyState ?? 3) === 3), 1000);
  r.run();
  const connections = [...returned, ...driven.map((d) => record(d.session, d.id, d.url, d.options))];
  return { mode: 'loopback', connections, inputs: {}, console: [] };
}
