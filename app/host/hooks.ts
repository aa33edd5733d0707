/**
 * A service's own say in its handshake (service.ts): `verifyClient` (accept, or refuse with an
 * HTTP status, RFC 6455 4.2.2 item 4, 10.2) and `acceptKey` (its own Sec-WebSocket-Accept,
 * 4.2.2). Either may answer at once or later (a promise, e.g. the learner's code in the
 * sandbox). Whatever it gives, the host ends up with a valid HTTP answer: bad values and throws
 * become a 500 saying why, never a crash and never a header a value could inject.
 */
import { statusText } from '../protocol/http-status.ts';
import type { ClientRequestInfo, Service } from '../services/service.ts';

/** What a header value may hold here: visible ASCII, spaces and tabs (RFC 9110 5.5, no obs-text). */
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** What the host does with a hook's answer. */
export type HookOutcome<T> = { ok: true; value: T } | { ok: false; status: number; body: string };

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Calls `run`; a value goes to `done` now, a promise's value when it settles; a throw or rejection to `failed`. */
function settle<T>(
  run: () => T | PromiseLike<T>,
  done: (v: unknown) => void,
  failed: (why: string) => void,
): void {
  let result: T | PromiseLike<T>;
  try {
    result = run();
  } catch (error) {
    failed(`threw: ${describe(error)}`);
    return;
  }
  const thenable = result as PromiseLike<T> | null;
  if (typeof thenable === 'object' && thenable !== null && typeof thenable.then === 'function')
    thenable.then(done, (error: unknown) => failed(`failed: ${describe(error)}`));
  else done(result);
}

/**
 * The service's verdict on a request (as the `ws` package's verifyClient): `true` goes on;
 * `{ status: 400-599, message? }` is that HTTP error (the message if a header-safe line, else
 * the status text); anything else, a throw or a rejection: 500.
 */
export function verifyRequest(
  service: Service,
  request: ClientRequestInfo,
  answer: (outcome: HookOutcome<true>) => void,
): void {
  const verify = service.verifyClient;
  if (!verify) return answer({ ok: true, value: true });
  settle(
    () => verify.call(service, request),
    (v) => {
      if (v === true) return answer({ ok: true, value: true });
      const r = (typeof v === 'object' && v !== null ? v : {}) as { status?: unknown; message?: unknown };
      const status = r.status;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
        return answer({
          ok: false,
          status: 500,
          body: `the server's verifyClient gave no verdict (true, or a status 400-599)`,
        });
      const message = typeof r.message === 'string' && HEADER_VALUE.test(r.message) ? r.message : '';
      answer({ ok: false, status, body: message || statusText(status) });
    },
    (why) => answer({ ok: false, status: 500, body: `the server's verifyClient ${why}` }),
  );
}

/**
 * 4.2.2 answered by the service's own function: its value goes into the 101 as it is (a wrong
 * one reaches the client, which must fail the connection, 4.1). Not a string, a value no header
 * can carry (a line break, a control character), a throw or a rejection: 500.
 */
export function ownAccept(
  service: Service,
  key: string,
  answer: (outcome: HookOutcome<string>) => void,
): void {
  const acceptKey = service.acceptKey;
  if (!acceptKey) return answer({ ok: false, status: 500, body: `the server has no acceptKey` });
  const fail = (why: string): void =>
    answer({ ok: false, status: 500, body: `the server's acceptKey ${why}` });
  settle(
    () => acceptKey.call(service, key),
    (accept) => {
      if (typeof accept !== 'string')
        fail(`returned ${accept === null ? 'null' : typeof accept}, not a string`);
      else if (!HEADER_VALUE.test(accept))
        fail('returned a value a header cannot carry (a line break or a control character)');
      else answer({ ok: true, value: accept });
    },
    fail,
  );
}

/** The 101 with its Sec-WebSocket-Accept replaced by `accept`, verbatim. */
export function withAccept(response: string, accept: string): string {
  return response.replace(
    /^Sec-WebSocket-Accept: [^\r\n]*\r\n/m,
    () => `Sec-WebSocket-Accept: ${accept}\r\n`,
  );
}
