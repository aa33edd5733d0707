/**
 * A host in a box, for tests of services and of Session: the real engine Connection, a wire
 * that records what was written, and timers and a clock moved by hand. No Node, no DOM: the
 * loopback's tests can use it too.
 */
import { Connection } from '../protocol/connection.ts';
import type { WireEvent } from '../protocol/types.ts';
import type { Service, TimerId, Timers } from './service.ts';
import { Session, type SessionOptions, type Wire } from './session.ts';

/** Timers and a clock that only move when `advance` is called. */
export class ManualClock implements Timers {
  now = 1_700_000_000_000;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void; every?: number }>();

  get pending(): number {
    return this.#timers.size;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: TimerId): void {
    this.#timers.delete(id as number);
  }
  setInterval(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(1, ms), fn, every: Math.max(1, ms) });
    return id;
  }
  clearInterval(id: TimerId): void {
    this.#timers.delete(id as number);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let dueId = -1;
      let due: { at: number; fn: () => void; every?: number } | undefined;
      for (const [id, t] of this.#timers) if (t.at <= end && (!due || t.at < due.at)) [dueId, due] = [id, t];
      if (!due) break;
      this.now = due.at;
      if (due.every !== undefined) due.at += due.every;
      else this.#timers.delete(dueId);
      due.fn();
    }
    this.now = end;
  }
}

/** A wire that keeps every chunk written; `bufferedAmount` is set by the test. */
export class RecordingWire implements Wire {
  written: Uint8Array[] = [];
  bufferedAmount = 0;
  ended = false;
  destroyed = false;
  write(chunks: readonly Uint8Array[]): void {
    if (!this.ended && !this.destroyed) this.written.push(...chunks);
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Everything written so far as one array, then forgets it. */
  take(): Uint8Array {
    const n = this.written.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.written) {
      out.set(c, at);
      at += c.length;
    }
    this.written = [];
    return out;
  }
}

export interface TestHost {
  session: Session;
  wire: RecordingWire;
  clock: ManualClock;
  /** A client-side engine connection talking to the session (masks its frames). */
  client: Connection;
  /** The tap's events, when `tap: true`. */
  tapped: WireEvent[];
  logs: string[];
  /** Moves the client's bytes to the server and the server's bytes to the client. */
  exchange(): void;
}

let seed = 1;
const entropy = {
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    return out;
  },
};

export function hostService(
  service: Service,
  options: { query?: string; tap?: boolean; clock?: ManualClock; clientAutoPong?: boolean } & Partial<
    Pick<SessionOptions, 'rate' | 'closeTimeout' | 'maxBufferedBytes'>
  > = {},
): TestHost {
  const clock = options.clock ?? new ManualClock();
  const wire = new RecordingWire();
  const tapped: WireEvent[] = [];
  const logs: string[] = [];
  const connection = new Connection({ role: 'server', clock: () => clock.now });
  const client = new Connection({ role: 'client', entropy, autoPong: options.clientAutoPong ?? true });
  const session = new Session({
    connection,
    service,
    wire,
    id: 'c1',
    path: service.path,
    protocol: '',
    query: new URLSearchParams(options.query ?? ''),
    remote: 'test',
    timers: clock,
    now: () => clock.now,
    log: (l) => logs.push(l),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.closeTimeout !== undefined ? { closeTimeout: options.closeTimeout } : {}),
    ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
    ...(options.tap ? { tap: (e: WireEvent) => tapped.push(e) } : {}),
  });
  const host: TestHost = {
    session,
    wire,
    clock,
    client,
    tapped,
    logs,
    exchange() {
      for (let i = 0; i < 10; i++) {
        const up = client.dataToSend();
        for (const c of up) session.receive(c);
        const down = wire.take();
        if (down.length > 0) client.receiveData(down);
        if (up.length === 0 && down.length === 0) break;
      }
    },
  };
  session.start();
  return host;
}

/** The client's events of one type, drained. */
export function clientEvents(host: TestHost): ReturnType<Connection['events']> {
  host.exchange();
  const all: ReturnType<Connection['events']> = [];
  // Until none are left: a Close read after a message is held until that message was taken.
  for (let e = host.client.events(); e.length > 0; e = host.client.events()) all.push(...e);
  return all;
}
