/**
 * Reading a socket into a buffer it keeps, rather than into new memory for every read.
 *
 * Why: Node gives each read of a socket a new ArrayBuffer (a 64 KiB allocation, then trimmed
 * to what was read). That memory lies outside V8's heap and is freed only once a scavenge finds
 * the Buffer dead. Echoing 16 KiB messages, that is hundreds of MB a second; between two
 * scavenges it passes V8's external-memory limit, and V8 then runs full mark-compact
 * collections, 10 to 30 a second, which cost a quarter of the server's CPU and show in its p99
 * (bench/README.md). The `ws` package pays the same. With Node's `onread` option a socket
 * reads into memory we give it, and we give it the same buffer again as long as nothing still
 * refers to what the last read put there.
 *
 * The rule (a buffer is lent for one read, then reused or given away):
 * - `onRead(bytes)` gets a view of the buffer, valid only during the call, and returns whether
 *   anything may still refer to it afterwards (the engine holds half a frame, a write that used
 *   it is queued: HostConnection.receiveBorrowed and server.ts say). If so, the buffer is given
 *   away (left to the garbage collector with whoever holds it) and the next read gets a new one.
 * - Each socket has its own buffer: a socket's next read goes into the buffer it was handed
 *   after its last one, so a buffer shared between sockets could not be taken back from one
 *   whose read overwrote bytes another still needs.
 * - The buffer fits the traffic: it grows (x4, up to 64 KiB) when a read fills it, and shrinks
 *   after a run of reads that use little of it, so an idle connection holds 4 KiB.
 *
 * Node offers `onread` only to sockets made with `new net.Socket()` or `net.connect()`: a
 * server's sockets come from its listener. So the socket an HTTP upgrade hands over is rebuilt
 * around the same TCP handle, `new Socket({ handle, onread })`; the old object gives up the
 * handle, is destroyed without touching TCP (listeners such as Vite's socket list hear its
 * 'close'), and the server's connection count moves to the new one. That uses private fields
 * (`_handle`, `_server`, the handle's `useUserBuffer`). They are checked before use, and
 * anything unexpected (TLS, a pipe, bytes already buffered, a Node without them) leaves the
 * socket to be read as before. reused-reads.test.ts pins this behaviour on the Node we run.
 */
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { Duplex } from 'node:stream';

/** The smallest and largest read buffer a socket holds. */
export const MIN_READ_BUFFER = 4 * 1024;
export const MAX_READ_BUFFER = 64 * 1024;
/** Reads using at most 1/16 of the buffer, in a row, before it shrinks. */
const SHRINK_AFTER = 32;

interface TcpHandle {
  useUserBuffer?: unknown;
  constructor: { name: string };
}

/** The private fields relied on (see the top). */
interface Internals {
  _handle: TcpHandle | null;
  _server: unknown;
  encrypted?: boolean;
}

/** What a socket's read buffer should be next (see the top). */
export class ReadBufferSizer {
  size = MIN_READ_BUFFER;
  #small = 0;

  /** After a read of `n` bytes into a buffer of `size`: the size for the next buffer. */
  next(n: number): number {
    if (n >= this.size) {
      this.#small = 0;
      this.size = Math.min(MAX_READ_BUFFER, this.size * 4);
    } else if (n * 16 <= this.size && this.size > MIN_READ_BUFFER) {
      if (++this.#small >= SHRINK_AFTER) {
        this.#small = 0;
        this.size = Math.max(MIN_READ_BUFFER, this.size / 4);
      }
    } else this.#small = 0;
    return this.size;
  }
}

/**
 * Rebuilds `socket` (just handed over by an HTTP upgrade, nothing read from it yet) to read
 * into buffers it keeps, each read going to `onRead` (see the top). Returns the socket to use
 * from now on, or undefined when this one cannot be rebuilt: then read it with 'data' as usual.
 */
export function readIntoOwnBuffer(
  socket: Duplex,
  onRead: (bytes: Uint8Array) => boolean,
): Socket | undefined {
  if (!(socket instanceof Socket)) return undefined;
  const old = socket as Socket & Internals;
  const handle = old._handle;
  if (
    old.encrypted === true ||
    handle === null ||
    handle === undefined ||
    handle.constructor.name !== 'TCP' ||
    typeof handle.useUserBuffer !== 'function' ||
    !('_server' in old) ||
    old.destroyed ||
    old.readableLength !== 0
  )
    return undefined;
  const sizer = new ReadBufferSizer();
  let buffer = new Uint8Array(sizer.size);
  const server = old._server;
  old._handle = null;
  old._server = null;
  // `handle` is a constructor option Node's typings leave out (it is how Node wraps accepted
  // connections itself), and `onread` is typed on connect()'s options only.
  const options: SocketConstructorOpts & { handle: unknown; onread: OnReadOpts } = {
    handle,
    allowHalfOpen: old.allowHalfOpen,
    onread: {
      // Node asks for the buffer at the start and after every callback.
      buffer: () => buffer,
      // Returns true: go on reading (false would stop, as pause() does).
      callback: (n: number, into: Uint8Array): boolean => {
        let kept = true;
        try {
          kept = onRead(into.subarray(0, n));
        } finally {
          const size = sizer.next(n);
          if (kept || size !== buffer.length) buffer = new Uint8Array(size);
        }
        return true;
      },
    },
  };
  const fresh = new Socket(options) as Socket & Internals;
  fresh._server = server;
  old.destroy();
  return fresh;
}
