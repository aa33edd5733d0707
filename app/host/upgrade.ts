/**
 * One transport connection on the server core (server-core.ts), from its first byte to its
 * end: the request head read (or handed over by a host that parsed it), the handshake decided
 * and answered, then the service hosted by a `Session`. The transport only moves bytes:
 *
 *   transport read  -> receive(bytes)        transport write <- HostTransport.write(chunks)
 *   peer's FIN      -> receiveEof()          end / drop      <- HostTransport.end() / destroy()
 *   closed          -> transportClosed()     101 written     <- HostTransport.opened(accepted)
 *
 * Every refusal is an HTTP answer (RFC 6455 4.2.1, 4.2.2), tapped as written, body included,
 * after the request: the tap sees the request before any decision.
 */
import { Connection } from '../protocol/connection.ts';
import { buildServerResponse, rejection, validateClientRequest } from '../protocol/handshake.ts';
import { httpErrorResponse } from '../protocol/http-status.ts';
import { HeadReader, parseRequest, type HttpRequest } from '../protocol/http.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import type { Service } from '../services/service.ts';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  Session,
  type Wire,
} from '../services/session.ts';
import { ownAccept, verifyRequest, withAccept } from './hooks.ts';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type AcceptOptions,
  type ConnectionInfo,
  type ServerCore,
  type Tap,
} from './server-core.ts';

/** A refused peer that never reads must not hold its connection open: dropped after this long. */
export const REFUSED_LINGER_MS = 1_000;
/** Bytes a client may send before its 101 (it should send none, 4.1); more and it is dropped. */
export const EARLY_BYTES_LIMIT = 64 * 1024;

/** What the core needs of a transport: `Wire` (session.ts), and to hear of the 101. */
export interface HostTransport extends Wire {
  /** The 101 is about to be written and the service hosted: the host's own settings (read pace...). */
  opened?(accepted: Accepted): void;
  /** The session is over (the service told, the transport closed). */
  ended?(): void;
}

/** An accepted connection. */
export interface Accepted {
  readonly info: ConnectionInfo;
  readonly service: Service;
  /** The query the service sees (the host's own keys removed). */
  readonly query: URLSearchParams;
  readonly session: Session;
}

type Verdict = Extract<ReturnType<typeof validateClientRequest>, { ok: true }>;

type Phase = 'head' | 'deciding' | 'open' | 'refused' | 'closed';

export class HostConnection {
  readonly id: string;
  readonly #core: ServerCore;
  readonly #transport: HostTransport;
  readonly #o: AcceptOptions;
  #phase: Phase = 'head';
  #head: HeadReader | undefined;
  #tap: Tap | undefined;
  /** Bytes read after the head while the answer is being decided. */
  #early: Uint8Array[] = [];
  #earlyLength = 0;
  /** The peer's FIN came while the answer was being decided. */
  #eof = false;
  #linger: unknown;
  #session: Session | undefined;
  #accepted: Accepted | undefined;

  constructor(core: ServerCore, transport: HostTransport, options: AcceptOptions & { id: string }) {
    this.#core = core;
    this.#transport = transport;
    this.#o = options;
    this.id = options.id;
    this.#tap = options.tap;
  }

  /** The accepted connection, once the 101 is written. */
  get accepted(): Accepted | undefined {
    return this.#accepted;
  }

  get session(): Session | undefined {
    return this.#session;
  }

  /** Bytes read from the transport: the request head first, then frames for the session. */
  receive(bytes: Uint8Array): void {
    const session = this.#session;
    if (session !== undefined) {
      session.receive(bytes);
      return;
    }
    if (this.#phase === 'deciding') return this.#keepEarly(bytes);
    if (this.#phase !== 'head') return; // after a refusal, nothing read matters
    this.#head ??= new HeadReader();
    const r = this.#head.push(bytes);
    if (r.kind === 'more') return;
    this.#head = undefined;
    if (r.kind === 'error') {
      this.#phase = 'deciding';
      return this.#refuse(r.error.status ?? 400, r.error.message);
    }
    this.request(r.text, r.rest);
  }

  /**
   * Bytes in memory the transport reuses once this returns (server.ts reads each socket into a
   * buffer it keeps: reused-reads.ts). Returns whether anything may still refer to them; the
   * transport must then read into new memory. What is kept by design gets a copy instead: bytes
   * before the 101 (the answer may wait for a hook), and a tapped session's (the tap shows them).
   * Services never keep message data past their listener (service.ts), so the rest is the
   * engine's to say.
   */
  receiveBorrowed(bytes: Uint8Array): boolean {
    const session = this.#session;
    if (session === undefined || !session.readsBorrowed) {
      this.receive(bytes.slice());
      return false;
    }
    session.receive(bytes);
    return session.holdsInput;
  }

  /**
   * The request head as text (for a host whose HTTP parser read it, as Node's does), and the
   * bytes that came after it.
   */
  request(text: string, rest: Uint8Array = new Uint8Array(0)): void {
    if (this.#phase !== 'head') return;
    this.#phase = 'deciding';
    if (rest.length > 0) this.#keepEarly(rest.slice());
    const core = this.#core;
    const target = text.split(' ')[1] ?? '/';
    let url: URL;
    try {
      url = new URL(target, 'http://playground.invalid');
    } catch {
      url = new URL('http://playground.invalid/');
    }
    const service = core.route(url.pathname);
    const hidden = service !== undefined && core.isHidden(service);
    if (this.#tap === undefined && !hidden) this.#tap = core.options.tapFor?.(url.searchParams, this.id);
    this.#emit({ kind: 'handshake', t: core.options.now(), from: 'client', text });
    if (!service)
      return this.#refuse(
        404,
        `no WebSocket endpoint at ${url.pathname}; try ${[...core.services.keys()].join(', ')}`,
      );
    const busy = core.admission();
    if (busy) {
      if (!core.closing) this.#log(`refused ${url.pathname}: ${busy.body}`);
      return this.#refuse(busy.status, busy.body, busy.headers);
    }
    // 4.2.1: the engine checks the request (method, version, key, Origin, subprotocols) and
    // writes the answer: 101, or 400/403/426 (426 with Sec-WebSocket-Version: 13).
    const parsed = parseRequest(text);
    const o = core.options;
    // RFC 7692: on unless the host, the service or the URL (?deflate=0) says no, and only with a codec.
    const codec = o.deflateCodec;
    const wantsDeflate =
      service.deflate !== false &&
      o.deflate !== false &&
      url.searchParams.get('deflate') !== '0' &&
      codec !== undefined &&
      (codec.load !== undefined || codec.loaded() !== undefined);
    const verdict = parsed.ok
      ? validateClientRequest(parsed.request, {
          protocols: service.protocols ?? [],
          deflate: wantsDeflate,
          ...(o.origins && o.origins.length > 0 ? { origins: o.origins } : {}),
        })
      : rejection(parsed.error);
    if (!verdict.ok) {
      this.#log(`refused ${url.pathname} from ${this.#o.remote ?? '?'}: ${verdict.status} ${verdict.reason}`);
      return this.#answerRefusal(verdict.response);
    }
    const request = (parsed as { request: HttpRequest }).request;
    const query = this.#serviceQuery(url, service);
    this.#withCodec(verdict, () =>
      verifyRequest(service, { url: request.target, headers: request.headers }, (v) => {
        if (this.#phase !== 'deciding') return; // the client went away meanwhile
        if (!v.ok) return this.#refuse(v.status, v.body);
        this.#answer(service, verdict, query, request);
      }),
    );
  }

  /** RFC 7692: the 101 that accepts permessage-deflate waits for a codec still loading; 500 if it fails. */
  #withCodec(verdict: Verdict, next: () => void): void {
    const source = this.#core.options.deflateCodec;
    if (verdict.deflate === undefined || source?.loaded() !== undefined || source?.load === undefined)
      return next();
    source.load().then(
      () => {
        if (this.#phase === 'deciding') next();
      },
      () => {
        if (this.#phase === 'deciding') this.#refuse(500, 'the server could not load its compressor');
      },
    );
  }

  /** The 101: the host's fault if one is set, the service's own accept or 101, else the engine's. */
  #answer(service: Service, verdict: Verdict, query: URLSearchParams, request: HttpRequest): void {
    // The /misbehave escape hatch (services/service.ts): a 101 the engine would never write.
    const response =
      service.breakHandshake?.({
        response: verdict.response,
        key: verdict.key,
        offeredProtocols: verdict.offeredProtocols,
        query,
      }) ?? verdict.response;
    const fault = this.#core.options.fault?.();
    if (fault?.kind === 'status')
      return this.#refuse(fault.status, `handshake refused on purpose (status ${fault.status})`);
    if (fault?.kind === 'reset') {
      this.#phase = 'refused';
      return this.#transport.destroy();
    }
    if (fault?.kind === 'bad-accept')
      // A valid-looking but wrong accept value: the key of another handshake.
      return this.#open(
        service,
        verdict,
        query,
        request,
        buildServerResponse('AAAAAAAAAAAAAAAAAAAAAA==', verdict.protocol),
      );
    if (!service.acceptKey) return this.#open(service, verdict, query, request, response);
    ownAccept(service, verdict.key, (a) => {
      if (this.#phase !== 'deciding') return;
      if (!a.ok) return this.#refuse(a.status, a.body);
      this.#open(service, verdict, query, request, withAccept(response, a.value));
    });
  }

  #open(
    service: Service,
    verdict: Verdict,
    query: URLSearchParams,
    request: HttpRequest,
    response: string,
  ): void {
    const core = this.#core;
    const busy = core.admission(); // shut down while a hook was deciding
    if (busy) return this.#refuse(busy.status, busy.body, busy.headers);
    const o = core.options;
    const tap = this.#tap;
    const codec = o.deflateCodec?.loaded();
    const connection = new Connection({
      role: 'server',
      entropy: o.entropy,
      maxMessageSize: o.maxMessageSize ?? service.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      clock: o.now,
      protocol: verdict.protocol,
      extensions: verdict.extensions,
      ...(verdict.deflate !== undefined && codec !== undefined
        ? { deflate: { params: verdict.deflate, codec } }
        : {}),
      // Frame events carry each frame's exact bytes for the inspector; only the tap reads them.
      frameEvents: tap !== undefined,
    });
    const info: ConnectionInfo = {
      id: this.id,
      path: service.path,
      address: this.#o.address ?? '?',
      remote: this.#o.remote ?? '?',
      protocol: verdict.protocol,
    };
    let lastCode = 1006;
    const session = new Session({
      connection,
      service,
      wire: this.#transport,
      id: this.id,
      path: service.path,
      protocol: verdict.protocol,
      query,
      remote: info.remote,
      headers: request.headers,
      timers: o.timers,
      now: o.now,
      ...(o.log ? { log: o.log } : {}),
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      closeTimeout: o.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS,
      maxBufferedBytes: Math.max(o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, 0),
      ...(tap ? { tap } : {}),
      onEnd: () => {
        this.#phase = 'closed';
        core.ended(session);
        o.onClose?.({ ...info, code: lastCode });
        this.#transport.ended?.();
      },
    });
    session.socket.on('close', (c) => {
      lastCode = c.code;
    });
    this.#phase = 'open';
    this.#session = session;
    this.#accepted = { info, service, query, session };
    core.opened(session);
    this.#transport.opened?.(this.#accepted);
    this.#transport.write([encodeUtf8(response)]);
    this.#emit({ kind: 'handshake', t: o.now(), from: 'server', text: response });
    o.onOpen?.(info);
    session.start();
    const early = this.#early;
    this.#early = [];
    this.#earlyLength = 0;
    for (const bytes of early) session.receive(bytes);
    if (this.#eof) session.receiveEof();
  }

  /** The peer ended its side (TCP FIN). */
  receiveEof(): void {
    if (this.#session !== undefined) return this.#session.receiveEof();
    if (this.#phase === 'deciding') {
      this.#eof = true; // the session hears of it once open
      return;
    }
    if (this.#phase !== 'head') return;
    // Gone before a whole request: nothing to answer, end our side too.
    this.#phase = 'refused';
    this.#emit({ kind: 'eof', t: this.#core.options.now(), from: 'client' });
    this.#transport.end();
  }

  /** The transport is closed, by either side. Idempotent. */
  transportClosed(): void {
    if (this.#session !== undefined) return this.#session.transportClosed();
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    if (this.#linger !== undefined) this.#core.options.timers.clearTimeout(this.#linger);
    this.#emit({ kind: 'eof', t: this.#core.options.now(), from: 'server' });
  }

  #refuse(status: number, body: string, headers: Record<string, string> = {}): void {
    this.#answerRefusal(httpErrorResponse(status, body, headers));
  }

  /** An HTTP error answer: tapped whole (the lab shows its body), written, then the transport ended. */
  #answerRefusal(response: string): void {
    if (this.#phase !== 'deciding') return;
    this.#phase = 'refused';
    this.#early = [];
    this.#emit({ kind: 'handshake', t: this.#core.options.now(), from: 'server', text: response });
    this.#transport.write([encodeUtf8(response)]);
    this.#transport.end();
    this.#linger = this.#core.options.timers.setTimeout(() => {
      this.#linger = undefined;
      this.#transport.destroy();
    }, REFUSED_LINGER_MS);
  }

  #keepEarly(bytes: Uint8Array): void {
    this.#early.push(bytes);
    this.#earlyLength += bytes.length;
    if (this.#earlyLength > EARLY_BYTES_LIMIT) {
      this.#log(`${this.id}: ${this.#earlyLength} bytes before the handshake's answer: dropped`);
      this.#phase = 'refused';
      this.#early = [];
      this.#transport.destroy();
    }
  }

  /**
   * The query a service sees: the request's without the host's own keys: the tap's token, and
   * `deflate` where the service speaks permessage-deflate (a learner's server, which does not,
   * sees it as sent).
   */
  #serviceQuery(url: URL, service: Service): URLSearchParams {
    const query = new URLSearchParams(url.search);
    const tapKey = this.#core.options.tapKey;
    if (tapKey !== undefined) query.delete(tapKey);
    if (service.deflate !== false) query.delete('deflate');
    return query;
  }

  #emit(event: Parameters<Tap>[0]): void {
    const tap = this.#tap;
    if (!tap) return;
    try {
      tap(event);
    } catch {
      // a broken subscriber never disturbs the connection it watches
    }
  }

  #log(line: string): void {
    this.#core.options.log?.(line);
  }
}
