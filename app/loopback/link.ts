/**
 * A virtual TCP connection: two endpoints joined by two one-way pipes with a latency and a
 * bandwidth the learner can change while bytes are in flight.
 *
 * Each pipe models the sender's buffer and the wire:
 *
 *   write() ──▶ [ send buffer ]──serialise at `bandwidth`──▶ ~~~ `latencyMs` ~~~▶ peer.ondata
 *               (bufferedAmount)                               (in flight)
 *
 * - Bytes leave the send buffer in packets; with a finite bandwidth a packet of n bytes takes
 *   n / bandwidth seconds, so the buffer (and the page's bufferedAmount) drains visibly.
 * - Nothing moves synchronously inside write(): the earliest transmission is the next task.
 * - Order is kept even when the latency is lowered mid-flight (arrivals never overtake).
 * - end() sends a FIN after the buffered bytes. destroy() is Node's socket.destroy() (a close()
 *   of the descriptor): the endpoint stops reading at once, the bytes already written still go
 *   out, then a reset. cut() is a broken network: nothing more moves either way, and both ends
 *   see the connection reset.
 * - An endpoint is closed once it has sent and received a FIN, or on a reset either way.
 * - readAt(rate): an endpoint that reads slowly (a service's readRate). Real TCP would fill the
 *   reader's receive buffer, then close its window; here the peer's bytes simply leave its send
 *   buffer no faster than the reader takes them, so the peer's bufferedAmount grows the same way.
 */
import type { TimerId } from '../services/service.ts';
import type { Scheduler } from './scheduler.ts';

export interface LinkConditions {
  /** One-way delay in milliseconds. */
  latencyMs: number;
  /** Bytes per second in each direction; Infinity for no limit. */
  bandwidth: number;
}

export const NO_DELAY: LinkConditions = { latencyMs: 0, bandwidth: Infinity };

/** The smallest and largest packet the pipes put on the wire at a time. */
const MIN_PACKET = 256;
const MAX_PACKET = 64 * 1024;

/** Packets of about 1/50 s of the bandwidth: smooth draining with few timers. */
function packetSize(bandwidth: number): number {
  return Math.max(MIN_PACKET, Math.min(MAX_PACKET, Math.floor(bandwidth / 50)));
}

interface Queued {
  bytes: Uint8Array;
  /** Bytes of it already transmitted. */
  sent: number;
  /** Application bytes this write stands for (what the page's bufferedAmount counted). */
  app: number;
  appCredited: number;
}

type Packet =
  | { at: number; kind: 'data'; chunks: Uint8Array[] }
  | { at: number; kind: 'fin' }
  | { at: number; kind: 'rst' };

export class VirtualSocket {
  /** Bytes arrived from the peer. */
  ondata: ((bytes: Uint8Array) => void) | undefined;
  /** The peer sent its FIN: it will send nothing more. */
  onend: (() => void) | undefined;
  /** The connection is fully closed (`reset`: by a reset rather than FINs both ways). */
  onclose: ((reset: boolean) => void) | undefined;
  /** `app` application bytes left the send buffer (see write()). */
  ontransmit: ((app: number) => void) | undefined;

  readonly #link: Link;
  #peer!: VirtualSocket;
  readonly #queue: Queued[] = [];
  #buffered = 0;
  #inflight: Packet[] = [];
  #lastArrival = 0;
  #retryArmed = false;
  #pumpTimer: TimerId | undefined;
  #pumpQueued = false;
  #endRequested = false;
  #finSent = false;
  #finReceived = false;
  #closed = false;
  /** destroy(): a reset follows the buffered bytes instead of a FIN. */
  #resetPending = false;
  #resetSent = false;
  /** cut(): the connection is broken; nothing moves any more. */
  #broken = false;
  /** The peer reads no faster than this (bytes/s): see readAt(). */
  #peerReadRate = Infinity;

  constructor(link: Link) {
    this.#link = link;
  }

  /** @internal */
  pairWith(peer: VirtualSocket): void {
    this.#peer = peer;
  }

  /** Bytes written and not yet put on the wire. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** No more writes: end() or destroy() was called, or the connection closed. */
  get writableEnded(): boolean {
    return this.#endRequested || this.#closed;
  }

  /**
   * Queues bytes for the peer. `app` is how many application bytes they carry (a frame's
   * payload, for bufferedAmount); it is credited back through `ontransmit` as they leave.
   */
  write(bytes: Uint8Array, app = 0): void {
    if (this.#endRequested || this.#closed) return;
    if (bytes.length === 0 && app === 0) return;
    this.#queue.push({ bytes, sent: 0, app, appCredited: 0 });
    this.#buffered += bytes.length;
    this.#schedulePump();
  }

  /**
   * This end reads at most `bytesPerSecond` (Infinity: as fast as bytes come): the peer's
   * writes leave its send buffer at that pace even on a faster link (flow control: TCP's window
   * stays as shut as the reader is slow).
   */
  readAt(bytesPerSecond: number): void {
    this.#peer.#peerReadRate = bytesPerSecond > 0 ? bytesPerSecond : Infinity;
  }

  /** Sends a FIN once the buffered bytes are on the wire. */
  end(): void {
    if (this.#endRequested || this.#closed) return;
    this.#endRequested = true;
    this.#schedulePump();
  }

  /** Stops reading now; the bytes already written still go out, followed by a reset. */
  destroy(): void {
    if (this.#closed) return;
    this.#endRequested = true;
    this.#resetPending = true;
    this.#close(true);
    this.#schedulePump();
  }

  /** Breaks the whole connection, as a pulled cable would: see Link.cut(). */
  cut(): void {
    this.#link.cut();
  }

  /** @internal Link.cut(): nothing more is sent or delivered; closed as by a reset. */
  breakOff(): void {
    this.#broken = true;
    this.#inflight = [];
    this.#dropBuffer();
    this.#close(true);
  }

  #dropBuffer(): void {
    this.#queue.length = 0;
    this.#buffered = 0;
    if (this.#pumpTimer !== undefined) this.#link.scheduler.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
  }

  #close(reset: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#link.scheduler.queueTask(() => this.onclose?.(reset));
  }

  #schedulePump(): void {
    if (this.#pumpTimer !== undefined || this.#pumpQueued) return;
    this.#pumpQueued = true;
    this.#link.scheduler.queueTask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Puts the next packet (all of it, with no bandwidth limit) on the wire. */
  #pump(): void {
    if (this.#broken) return;
    const bandwidth = Math.min(this.#link.conditions().bandwidth, this.#peerReadRate);
    const unlimited = !(bandwidth > 0 && Number.isFinite(bandwidth));
    let budget = unlimited ? Infinity : packetSize(bandwidth);
    const chunks: Uint8Array[] = [];
    let taken = 0;
    let app = 0;
    while (budget > 0 && this.#queue.length > 0) {
      const q = this.#queue[0] as Queued;
      const n = Math.min(budget, q.bytes.length - q.sent);
      if (n > 0) chunks.push(q.bytes.subarray(q.sent, q.sent + n));
      q.sent += n;
      budget -= n;
      taken += n;
      // Application bytes leave in proportion to the frame's bytes.
      const credited = q.sent === q.bytes.length ? q.app : Math.floor((q.app * q.sent) / q.bytes.length);
      app += credited - q.appCredited;
      q.appCredited = credited;
      if (q.sent === q.bytes.length) this.#queue.shift();
    }
    this.#buffered -= taken;
    if (chunks.length > 0)
      this.#send({ at: 0, kind: 'data', chunks }, unlimited ? 0 : (taken / bandwidth) * 1000);
    if (app > 0) this.ontransmit?.(app);
    if (this.#queue.length > 0) {
      const ms = unlimited ? 0 : (taken / bandwidth) * 1000;
      this.#pumpTimer = this.#link.scheduler.setTimeout(() => {
        this.#pumpTimer = undefined;
        this.#pump();
      }, ms);
      return;
    }
    if (this.#resetPending) {
      if (!this.#resetSent) {
        this.#resetSent = true;
        this.#send({ at: 0, kind: 'rst' });
      }
      return;
    }
    if (this.#endRequested && !this.#finSent) {
      this.#finSent = true;
      this.#send({ at: 0, kind: 'fin' });
      if (this.#finReceived) this.#close(false);
    }
  }

  /** Puts a packet in flight to the peer: it arrives after the serialisation time plus the latency. */
  #send(packet: Packet, serialiseMs = 0): void {
    const s = this.#link.scheduler;
    const now = s.now();
    const at = Math.max(now + serialiseMs + this.#link.conditions().latencyMs, this.#lastArrival);
    this.#lastArrival = at;
    packet.at = at;
    this.#inflight.push(packet);
    const deliver = (): void => this.#deliverDue();
    if (at <= now) s.queueTask(deliver);
    else s.setTimeout(deliver, at - now);
  }

  #deliverDue(): void {
    if (this.#broken) return;
    const s = this.#link.scheduler;
    const now = s.now();
    while (this.#inflight.length > 0 && (this.#inflight[0] as Packet).at <= now) {
      const p = this.#inflight.shift() as Packet;
      this.#peer.#arrive(p);
    }
    // Real timers may fire a little before the clock says the packet is due: look again then.
    const head = this.#inflight[0];
    if (head && head.at > now && !this.#retryArmed) {
      this.#retryArmed = true;
      s.setTimeout(
        () => {
          this.#retryArmed = false;
          this.#deliverDue();
        },
        Math.max(1, Math.ceil(head.at - now)),
      );
    }
  }

  #arrive(p: Packet): void {
    if (this.#closed) return;
    switch (p.kind) {
      case 'data':
        for (const c of p.chunks) {
          if (this.#closed) return;
          this.ondata?.(c);
        }
        return;
      case 'fin':
        this.#finReceived = true;
        this.onend?.();
        if (this.#finSent) this.#close(false);
        return;
      case 'rst':
        // A reset discards whatever this end had not sent yet.
        this.#endRequested = true;
        this.#dropBuffer();
        this.#close(true);
        return;
    }
  }
}

/** The two ends of one virtual TCP connection. */
export class Link {
  readonly scheduler: Scheduler;
  readonly conditions: () => LinkConditions;
  readonly client: VirtualSocket;
  readonly server: VirtualSocket;

  constructor(scheduler: Scheduler, conditions: () => LinkConditions = () => NO_DELAY) {
    this.scheduler = scheduler;
    this.conditions = conditions;
    this.client = new VirtualSocket(this);
    this.server = new VirtualSocket(this);
    this.client.pairWith(this.server);
    this.server.pairWith(this.client);
  }

  /** A broken network: bytes in flight are lost and both ends see the connection reset. */
  cut(): void {
    this.client.breakOff();
    this.server.breakOff();
  }
}
