/**
 * The relay: `ws://<our host>/__relay?to=ws://127.0.0.1:9000/path`. The page's WebSocket ends
 * here (leg "browser": the browser is the client, we are the server); we open a second TCP
 * connection to the target with our own handshake (leg "onward": we are the client, the
 * learner's server is the server) and pass frames across, so the byte tap can show every byte
 * of both legs, ping, pong and close included.
 *
 * What crosses unchanged: each frame's FIN, opcode and payload, in order, one frame for one
 * frame (so fragmentation is kept, §5.4), pings and pongs (answered by the far end, not by us:
 * §5.5.2 lets an intermediary pass them), and Close frames with their code and reason. What
 * cannot: the mask keys (§5.3: each client masks with keys of its own, so the onward frames carry
 * ours), TCP segmentation, the handshake headers other than the subprotocol offer and Origin
 * (cookies are never forwarded), and extensions (none are offered onward, none accepted here).
 * Each leg's frames are decoded by the engine's FrameDecoder with that leg's §5.1/§5.2 rules; a
 * violation ends that leg with the engine's close code, and the other leg gets 1014 (bad
 * gateway) if the target broke the rules, or 1001 if the browser did. Message-level rules
 * (UTF-8, fragment order) are the ends' to enforce: they see the same frames.
 *
 * Closing (§7.1.1): a Close from either end is passed on, the answer passed back; the target,
 * as the server, ends its TCP first, and then we end the browser's (we are its server).
 * If the target drops TCP without a Close, the browser's TCP is ended without one too (its
 * page sees 1006), and the other way round.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildClosePayload, parseClosePayload } from '../protocol/close.ts';
import { FrameDecoder } from '../protocol/decoder.ts';
import { encodeFrame } from '../protocol/frame.ts';
import {
  buildClientRequest,
  buildServerResponse,
  generateKey,
  validateServerResponse,
} from '../protocol/handshake.ts';
import { HeadReader, parseResponse } from '../protocol/http.ts';
import {
  Opcode,
  type Entropy,
  type Frame,
  type ReadyState,
  type Side,
  type WireEvent,
} from '../protocol/types.ts';
import type { RelayTarget } from './relay-target.ts';

export const DEFAULT_RELAY_PATH = '/__relay';
/** Longest wait for the target's TCP connection and 101. */
export const RELAY_CONNECT_TIMEOUT_MS = 10_000;

type Tap = ((e: WireEvent) => void) | undefined;

export interface RelayDeps {
  entropy: Entropy;
  now: () => number;
  closeTimeout: number;
  maxFrameSize: number;
  log: (line: string) => void;
  /** Answers the browser with an HTTP error (written and tapped) instead of a 101. */
  refuse: (socket: Duplex, response: string, tap: Tap) => void;
  httpError: (status: number, body: string) => string;
  connect?: (target: RelayTarget) => net.Socket;
}

export interface RelayRequest {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  target: RelayTarget;
  /** The browser's Sec-WebSocket-Key (validated) and offered subprotocols. */
  key: string;
  offeredProtocols: readonly string[];
  id: string;
  /** The browser leg's tap (its request is already tapped) and the onward leg's. */
  tap: Tap;
  onwardTap: Tap;
}

interface Leg {
  socket: net.Socket | Duplex;
  decoder: FrameDecoder;
  tap: Tap;
  /** Who is at the other end of this leg (for the tap's `from`). */
  peer: Side;
  us: Side;
  state: ReadyState;
  closeRead: { code: number; reason: string } | undefined;
  closeSent: boolean;
  ended: boolean;
}

function defaultConnect(t: RelayTarget): net.Socket {
  return t.tls
    ? tls.connect({ host: t.host, port: t.port, servername: net.isIP(t.host) ? undefined : t.host })
    : net.connect({ host: t.host, port: t.port });
}

export function createRelay(deps: RelayDeps): {
  open(r: RelayRequest): void;
  readonly count: number;
  close(code: number, reason: string): void;
} {
  const live = new Set<(code: number, reason: string) => void>();

  function open(r: RelayRequest): void {
    const { socket, target, tap, onwardTap, id } = r;
    const now = deps.now;
    const onward = (deps.connect ?? defaultConnect)(target);
    onward.setNoDelay?.(true);
    let answered = false;
    const text = target.url.toString();
    const fail = (status: number, body: string): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      onward.destroy();
      deps.log(`${id} relay to ${text}: ${status} ${body}`);
      deps.refuse(socket, deps.httpError(status, body), tap);
    };
    const timer = setTimeout(
      () => fail(504, `relay: ${text} did not answer within ${RELAY_CONNECT_TIMEOUT_MS / 1000} s.`),
      RELAY_CONNECT_TIMEOUT_MS,
    );
    timer.unref?.();
    socket.on('close', () => {
      if (!answered) fail(499, 'the browser left');
    });
    onward.on('error', (e: NodeJS.ErrnoException) => {
      fail(
        502,
        `relay: could not connect to ${target.host}:${target.port}: ${e.code ?? e.message} (is your server running there?)`,
      );
    });
    const key = generateKey(deps.entropy);
    const origin = headerOf(r.req, 'origin');
    onward.once(target.tls ? 'secureConnect' : 'connect', () => {
      const request = buildClientRequest({
        host: target.url.host,
        path: target.url.pathname + target.url.search,
        key,
        protocols: [...r.offeredProtocols],
        ...(origin !== undefined ? { origin } : {}),
      });
      onwardTap?.({ kind: 'handshake', t: now(), from: 'client', text: request });
      onward.write(request, 'latin1');
    });
    const head = new HeadReader();
    const onHead = (chunk: Buffer): void => {
      const h = head.push(new Uint8Array(chunk));
      if (h.kind === 'more') return;
      onward.off('data', onHead);
      if (h.kind === 'error') return fail(502, `relay: ${text} sent no HTTP answer: ${h.error.message}`);
      onwardTap?.({ kind: 'handshake', t: now(), from: 'server', text: h.text });
      const parsed = parseResponse(h.text);
      if (!parsed.ok)
        return fail(502, `relay: ${text} answered with a bad HTTP head: ${parsed.error.message}`);
      const res = parsed.response;
      if (res.status !== 101)
        return fail(502, `relay: ${text} refused the WebSocket handshake with ${res.status} ${res.reason}.`);
      const verdict = validateServerResponse(res, { key, protocols: [...r.offeredProtocols] });
      if (!verdict.ok)
        return fail(502, `relay: ${text} answered 101 but broke the handshake: ${verdict.error.message}`);
      answered = true;
      clearTimeout(timer);
      bridge(r, onward, verdict.protocol, h.rest);
    };
    onward.on('data', onHead);
  }

  function bridge(r: RelayRequest, onward: net.Socket, protocol: string, early: Uint8Array): void {
    const now = deps.now;
    const socket = r.socket;
    const response = buildServerResponse(r.key, protocol);
    socket.write(response, 'latin1');
    r.tap?.({ kind: 'handshake', t: now(), from: 'server', text: response });
    const leg = (s: Duplex, t: Tap, role: 'server' | 'client'): Leg => ({
      socket: s,
      decoder: new FrameDecoder({ role, maxPayload: deps.maxFrameSize }),
      tap: t,
      peer: role === 'server' ? 'client' : 'server',
      us: role,
      state: 'OPEN',
      closeRead: undefined,
      closeSent: false,
      ended: false,
    });
    const browser = leg(socket, r.tap, 'server');
    const target = leg(onward, r.onwardTap, 'client');
    for (const l of [browser, target]) l.tap?.({ kind: 'state', t: now(), state: 'OPEN' });
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const armDeadline = (): void => {
      deadline ??= setTimeout(() => {
        socket.destroy();
        onward.destroy();
      }, deps.closeTimeout);
      deadline.unref?.();
    };

    const setState = (l: Leg, state: ReadyState): void => {
      if (l.state === state) return;
      l.state = state;
      l.tap?.({ kind: 'state', t: now(), state });
      if (state === 'CLOSING') armDeadline();
    };
    const write = (l: Leg, frame: Frame): void => {
      // 5.5.1: nothing follows a Close frame on a leg.
      if (l.ended || l.closeSent || l.socket.destroyed || !l.socket.writable) return;
      if (l.us === 'client') frame.maskKey = deps.entropy.randomBytes(4).slice(0, 4);
      else delete frame.maskKey;
      const bytes = encodeFrame(frame);
      l.tap?.({ kind: 'frame', t: now(), from: l.us, bytes });
      if (!l.socket.write(bytes)) {
        // Backpressure: stop reading the other leg until this one drains.
        const other = l === browser ? target : browser;
        other.socket.pause();
        l.socket.once('drain', () => other.socket.resume());
      }
      if (frame.opcode === Opcode.Close) {
        l.closeSent = true;
        setState(l, 'CLOSING');
      }
    };
    const sendClose = (l: Leg, code: number, reason: string): void => {
      if (l.closeSent) return;
      write(l, {
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: Opcode.Close,
        payload: buildClosePayload(code, reason),
      });
    };
    const endLeg = (l: Leg): void => {
      if (l.ended) return;
      l.ended = true;
      if (!l.socket.destroyed) l.socket.end();
      armDeadline();
    };
    const finish = (l: Leg): void => {
      if (l.state === 'CLOSED') return;
      setState(l, 'CLOSED');
      const clean = l.closeSent && l.closeRead !== undefined;
      l.tap?.({
        kind: 'close',
        t: now(),
        code: l.closeRead?.code ?? 1006,
        reason: l.closeRead?.reason ?? '',
        wasClean: clean,
      });
    };

    const read = (from: Leg, to: Leg, chunk: Uint8Array): void => {
      from.decoder.push(chunk);
      for (;;) {
        const n = from.decoder.next();
        if (n.kind === 'more') return;
        if (n.kind === 'error') {
          const e = n.error;
          from.tap?.({ kind: 'error', t: now(), code: e.code, message: e.message });
          // 7.1.7 on the leg that broke the rules; the other end learns why in its own terms.
          sendClose(from, e.closeCode >= 1000 && e.closeCode !== 1006 ? e.closeCode : 1002, e.code);
          endLeg(from);
          if (from === target) sendClose(to, 1014, `relay: the target broke the protocol (${e.code})`);
          else sendClose(to, 1001, 'relay: the browser side broke the protocol');
          if (to === browser) endLeg(to);
          return;
        }
        const { frame, bytes } = n;
        from.tap?.({ kind: 'frame', t: now(), from: from.peer, bytes });
        // 5.5.1: what an end sends after its Close is shown on its leg, never passed on.
        if (from.closeRead) continue;
        if (frame.opcode === Opcode.Close) {
          const parsed = parseClosePayload(frame.payload);
          from.closeRead = parsed.ok
            ? { code: parsed.code, reason: parsed.reason }
            : { code: 1002, reason: '' };
          setState(from, 'CLOSING');
          // Passed on as it came (code and reason); the far end answers it, not us.
          if (!to.closeSent) write(to, { ...frame });
          // 7.1.1: once both Close frames crossed, the server ends TCP: on the browser leg that
          // is us; on the onward leg we wait for the target to (the deadline bounds the wait).
          if (browser.closeSent && browser.closeRead) endLeg(browser);
          continue;
        }
        write(to, { ...frame });
      }
    };

    socket.on('data', (c: Buffer) =>
      read(browser, target, new Uint8Array(c.buffer, c.byteOffset, c.byteLength)),
    );
    onward.on('data', (c: Buffer) =>
      read(target, browser, new Uint8Array(c.buffer, c.byteOffset, c.byteLength)),
    );
    socket.on('error', () => {});
    onward.on('error', () => {});
    socket.on('end', () => {
      browser.tap?.({ kind: 'eof', t: now(), from: 'client' });
      // The browser ended its TCP: end the onward one (we are its client, 7.1.1 lets us).
      endLeg(target);
      endLeg(browser);
    });
    onward.on('end', () => {
      target.tap?.({ kind: 'eof', t: now(), from: 'server' });
      endLeg(target);
      // The target (a server) ends TCP after the closing handshake; without one, the browser's
      // TCP ends without a Close too: its page sees 1006, as it would talking to the target.
      endLeg(browser);
    });
    socket.on('close', () => {
      finish(browser);
      browser.tap?.({ kind: 'eof', t: now(), from: 'server' });
      if (!onward.destroyed) endLeg(target);
      done();
    });
    onward.on('close', () => {
      finish(target);
      target.tap?.({ kind: 'eof', t: now(), from: 'client' });
      if (!socket.destroyed) endLeg(browser);
      done();
    });
    const shutdown = (code: number, reason: string): void => {
      sendClose(browser, code, reason);
      sendClose(target, code, reason);
      armDeadline();
    };
    live.add(shutdown);
    function done(): void {
      if (!socket.destroyed || !onward.destroyed) return;
      live.delete(shutdown);
      if (deadline !== undefined) clearTimeout(deadline);
    }
    if (r.head.length > 0) read(browser, target, new Uint8Array(r.head));
    if (early.length > 0) read(target, browser, early);
  }

  return {
    open,
    get count() {
      return live.size;
    },
    close(code, reason) {
      for (const s of [...live]) s(code, reason);
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The onward leg's tap token: the browser leg's, suffixed (a page that knows one knows both). */
export function onwardToken(token: string): string | undefined {
  const t = `${token}-onward`;
  return t.length <= 128 ? t : undefined;
}
