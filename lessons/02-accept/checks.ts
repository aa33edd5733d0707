/**
 * Lesson 2, Sec-WebSocket-Accept by hand (RFC 6455 §4.2.2). The learner's server (their code,
 * on ws://localhost:6455) answers the handshake with their own `acceptFor(key)`. The lesson's
 * probe connects with fresh random keys, so only a function passes, never a copied value; each
 * task reads the key of a GET and the Accept of its 101, and names the step that went wrong.
 */
import {
  defineChecks,
  fail,
  handshakeOf,
  pass,
  plural,
  rfc,
  type TaskResult,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';
import { diagnose, isEcho, stepsFor, type Diagnosis, type StepName } from './diagnose.ts';

export const PORT = 6455;
export const SERVER_URL = `ws://localhost:${PORT}/`;
/** Connections per probe: each with its own fresh key. */
export const PROBES = 3;

/** One answered handshake: the key sent, the Accept received, and what went wrong. */
interface Answer {
  conn: TraceConnection;
  key: string;
  accept: string;
  diagnosis: Diagnosis;
}

function onLearnerServer(conn: TraceConnection): boolean {
  try {
    const u = new URL(conn.url);
    return u.port === String(PORT) && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

/** The latest handshake with the learner's server that got a 101 with an Accept, or why none did. */
function latestAnswer(trace: Trace): Answer | TaskResult {
  const conn = trace.connections.filter(onLearnerServer).at(-1);
  return conn ? answerOf(conn) : NOTHING_LISTENS;
}

const NOTHING_LISTENS = fail({
  expected: `a 101 from your server on ${SERVER_URL} (press Run, then Check)`,
  seen: `nothing answered on ${SERVER_URL}: is your server running?`,
  rfc: rfc('4.2.2'),
});

function answerOf(conn: TraceConnection): Answer | TaskResult {
  const { request, response } = handshakeOf(conn);
  // No GET on the wire: the connection never reached a server (the server side records it).
  if (!request) return NOTHING_LISTENS;
  const key = request.headers['sec-websocket-key'];
  if (key === undefined)
    return fail({
      expected: 'a GET with a Sec-WebSocket-Key',
      seen: 'a GET without Sec-WebSocket-Key',
      rfc: rfc('4.1'),
    });
  if (!response)
    return fail({
      expected: `a 101 answering the key ${key}`,
      seen: 'no answer from your server (did acceptFor throw? look at its console)',
      rfc: rfc('4.2.2'),
    });
  if (response.status !== 101)
    return fail({
      expected: `a 101 answering the key ${key}`,
      seen: `'${response.startLine}'`,
      rfc: rfc('4.2.2'),
    });
  const accept = response.headers['sec-websocket-accept'];
  if (accept === undefined)
    return fail({
      expected: `Sec-WebSocket-Accept in the 101 (new WebSocketServer({ port: ${PORT}, acceptKey: acceptFor }))`,
      seen: 'a 101 without Sec-WebSocket-Accept',
      rfc: rfc('4.2.2'),
    });
  return { conn, key, accept, diagnosis: diagnose(key, accept) };
}

function isResult(v: object): v is TaskResult {
  return 'ok' in v;
}

/** The latest connections to the learner's server (a probe's worth): older runs no longer count. */
function latestBatch(trace: Trace): TraceConnection[] {
  return trace.connections.filter(onLearnerServer).slice(-PROBES);
}

/** Two different keys that got the same answer: a fixed value, not a function of the key. */
function sameForDifferentKeys(conns: TraceConnection[]): string | undefined {
  const seen = new Map<string, string>();
  for (const conn of conns) {
    const a = answerOf(conn);
    if (isResult(a)) continue;
    const other = seen.get(a.accept);
    if (other !== undefined && other !== a.key)
      return `the same Sec-WebSocket-Accept, ${a.accept}, for the keys ${other} and ${a.key}: a fixed value, not one computed from each key`;
    seen.set(a.accept, a.key);
  }
  return undefined;
}

const ORDER: StepName[] = ['concat', 'sha1', 'base64'];
const STEP_TITLE: Record<StepName, string> = {
  concat: 'step 1, key + GUID',
  sha1: 'step 2, SHA-1',
  base64: 'step 3, base64',
};

/** What step `step` should give for this answer's key. */
function expectedAt(step: StepName, key: string): string {
  const s = stepsFor(key);
  if (step === 'concat') return `the text ${s.joined}: the key as received, then the GUID, nothing between`;
  if (step === 'sha1') return `the 20 bytes of SHA-1(key + GUID), in hex ${s.sha1Hex}`;
  return `those 20 bytes in base64: Sec-WebSocket-Accept: ${s.accept}`;
}

/** The verdict on one step for one answer: it passes only if this step and those before are right. */
function stepVerdict(step: StepName, a: Answer, fixed: string | undefined): TaskResult {
  const section = rfc('4.2.2');
  const expected = `for the key ${a.key}, ${expectedAt(step, a.key)}`;
  if (fixed) return fail({ expected, seen: fixed, rfc: section });
  const d = a.diagnosis;
  const seen = `Sec-WebSocket-Accept: ${a.accept}`;
  if (d.kind === 'right') return pass(`the key ${a.key} got ${a.accept}: ${STEP_TITLE[step]} is right`);
  if (d.kind === 'unknown') return fail({ expected, seen: `${seen}, ${d.shape}`, rfc: section });
  if (isEcho(d))
    return fail({
      expected,
      seen: `${seen}: the key itself, sent back unchanged; no step is done yet`,
      rfc: section,
    });
  const at = ORDER.indexOf(step);
  const first = ORDER.indexOf(d.first);
  if (first < at)
    return fail({
      expected,
      seen: `${seen}: ${STEP_TITLE[d.first]} is not right yet (you ${slipAt(d, d.first)})`,
      rfc: section,
    });
  const slip = slipAt(d, step);
  if (slip) return fail({ expected, seen: `${seen}: you ${slip}`, rfc: section });
  return pass(`the key ${a.key} got ${a.accept}: ${STEP_TITLE[step]} is right`);
}

function slipAt(d: Extract<Diagnosis, { kind: 'slip' }>, step: StepName): string {
  return step === 'concat' ? d.concat.slip : step === 'sha1' ? d.hash.slip : d.encoding.slip;
}

function stepTask(step: StepName, trace: Trace): TaskResult {
  const a = latestAnswer(trace);
  if (isResult(a)) return a;
  return stepVerdict(step, a, sameForDifferentKeys(latestBatch(trace)));
}

export default defineChecks({
  async probe(kit) {
    const out: TraceConnection[] = [];
    for (let i = 0; i < PROBES; i++) {
      try {
        out.push(await kit.open(SERVER_URL)); // a fresh random key each time (ProbeKit.open)
      } catch {
        break; // nothing listens there: the tasks say so
      }
    }
    return out;
  },
  tasks: [
    {
      id: 'answers',
      title: `Run the server and let the lesson's client connect to ${SERVER_URL}`,
      check(trace) {
        const a = latestAnswer(trace);
        if (isResult(a)) return a;
        const verdict =
          a.diagnosis.kind === 'right' ? 'the value the client expects' : 'not the value the client expects';
        return pass(
          `your server answered the key ${a.key} with Sec-WebSocket-Accept: ${a.accept}, ${verdict}`,
        );
      },
    },
    {
      id: 'concat',
      title: 'Step 1: join the key and the GUID',
      check: (trace) => stepTask('concat', trace),
    },
    {
      id: 'sha1',
      title: 'Step 2: hash key + GUID with SHA-1',
      check: (trace) => stepTask('sha1', trace),
    },
    {
      id: 'base64',
      title: 'Step 3: write the 20 bytes in base64',
      check: (trace) => stepTask('base64', trace),
    },
    {
      id: 'every-key',
      title: `Answer ${PROBES} fresh keys from the lesson's client, each with its own right Accept`,
      check(trace) {
        const probes = trace.connections
          .filter((c) => c.origin === 'probe' && onLearnerServer(c))
          .slice(-PROBES);
        const expected = `${PROBES} connections from the lesson's client, with ${PROBES} different keys, each answered with its own right Accept`;
        if (probes.length < PROBES)
          return fail({
            expected: `${expected} (press Check with your server running)`,
            seen: `${plural(probes.length, 'connection')} from the lesson's client`,
            rfc: rfc('4.2.2'),
          });
        const fixed = sameForDifferentKeys(probes);
        if (fixed) return fail({ expected, seen: fixed, rfc: rfc('4.2.2') });
        const keys = new Set<string>();
        for (const conn of probes) {
          const a = answerOf(conn);
          if (isResult(a)) return a;
          keys.add(a.key);
          if (a.diagnosis.kind !== 'right')
            return fail({
              expected,
              seen: `the key ${a.key} got ${a.accept}, where it needs ${stepsFor(a.key).accept}`,
              rfc: rfc('4.2.2'),
            });
        }
        if (keys.size < PROBES)
          return fail({
            expected,
            seen: `${plural(keys.size, 'different key')} in ${PROBES} connections`,
            rfc: rfc('4.1'),
          });
        return pass(`${PROBES} fresh keys, ${PROBES} right answers: ${[...keys].join(', ')}`);
      },
    },
  ],
});
