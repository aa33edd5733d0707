/**
 * The standalone server's command line:
 *   tsx app/server/cli.ts serve [--host H] [--port P] [options]
 *   tsx app/server/cli.ts classroom [--port P] [options]
 * Run with --help for the options.
 */
import { readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVICE_PATHS } from '../services/index.ts';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE_SIZE, type ConnectionInfo } from './server.ts';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_ROOT,
  hostForUrl,
  startStandalone,
  type StandaloneOptions,
} from './standalone.ts';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_BUFFERED_BYTES } from '../services/session.ts';
import { parseAllowList } from './relay-target.ts';
import { CLASSROOM_CHAT_LIMITS } from '../services/chat-moderation.ts';
import { createClassroomHost } from './classroom.ts';

const CLASSROOM_MAX_CONNECTIONS = 2_000;

export const HELP = `WebSocket Playground server

Usage:
  serve      [options]   the built site (dist/) and the WebSocket endpoints
  classroom  [options]   the same on every network interface, printing the LAN URLs
                         students type, and logging who joins and leaves

Endpoints: ${SERVICE_PATHS.join(' ')}  (and the byte tap /__tap?token=T, the relay /__relay?to=ws://...)

Options:
  --host H                 address to listen on (serve: 127.0.0.1, classroom: 0.0.0.0)
  --port P                 port; 0 picks a free one (default 8080)
  --root DIR               the built site (default ${DEFAULT_ROOT})
  --max-connections N      open WebSockets at once (serve: ${DEFAULT_MAX_CONNECTIONS}, classroom: ${CLASSROOM_MAX_CONNECTIONS})
  --max-message-size B     largest message in bytes before close 1009 (default ${DEFAULT_MAX_MESSAGE_SIZE})
  --rate N                 messages per second per connection before close 1008 (default: none)
  --origin O               allow only this Origin (repeatable; default: any) — others get 403
  --relay-allow H:P,...    relay targets allowed besides loopback (repeatable; H:* for any port):
                           /__relay?to=ws://H:P/path connects there and taps both legs
  --close-timeout MS       longest closing handshake before TCP is dropped (default ${DEFAULT_CLOSE_TIMEOUT_MS})
  --handshake-timeout MS   time to send the request head (default ${DEFAULT_HANDSHAKE_TIMEOUT_MS})
  --max-buffered B         unread bytes per connection before close 1008 (default ${DEFAULT_MAX_BUFFERED_BYTES})
  --tls-cert FILE          PEM certificate: serve HTTPS and wss:// (needs --tls-key)
  --tls-key FILE           PEM private key of that certificate
  --quiet                  log nothing but the listening line and errors
  -h, --help               this text

Classroom only (the /chat room's limits, per connection; shown on the dashboard):
  --chat-rate N            messages per second before close 1008 (default ${CLASSROOM_CHAT_LIMITS.rate})
  --chat-max-size B        largest message in bytes before close 1009 (default ${CLASSROOM_CHAT_LIMITS.maxMessageSize})
  --chat-queue B           unread bytes per member beyond which broadcasts to it are skipped
                           (it is told how many; default ${CLASSROOM_CHAT_LIMITS.queueBytes})
  --secret S               the dashboard's secret (default: a new random one each start)

Stops on SIGINT or SIGTERM, closing every WebSocket with 1001 (Going Away).
`;

function number(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} wants an integer >= ${min}, not '${value}'`);
  return n;
}

/** IPv4, non-internal addresses: what students type in a classroom. */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** True for addresses that mean "every interface". */
function isWildcard(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === '[::1]' || host.toLowerCase() === 'localhost';
}

/**
 * The URLs students can type, for a classroom server bound to `host`: every LAN address when it
 * listens on all interfaces; else only the one address it listens on (a LAN URL would point at
 * an interface with nobody listening), saying why there is no LAN URL when that is a loopback.
 */
export function classroomUrls(host: string, port: number, lan: readonly string[], tls = false): string {
  const [http, ws] = tls ? ['https', 'wss'] : ['http', 'ws'];
  if (isWildcard(host)) {
    let out =
      lan.length > 0 ? 'Students open one of:\n' : 'No LAN address found: students on this machine only:\n';
    for (const a of lan) out += `  ${http}://${a}:${port}/   (${ws}://${a}:${port}/chat)\n`;
    return out + `  ${http}://localhost:${port}/   (this machine)\n`;
  }
  const shown = hostForUrl(host);
  if (isLoopback(host)) {
    return (
      `No LAN URL: ${host} is a loopback address, which other machines cannot reach. ` +
      `For students on other machines, run classroom without --host (it listens on 0.0.0.0).\n` +
      `  ${http}://${shown}:${port}/   (this machine only)\n`
    );
  }
  return (
    `Students open (the one address this server listens on; without --host it listens on every interface):\n` +
    `  ${http}://${shown}:${port}/   (${ws}://${shown}:${port}/chat)\n`
  );
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        root: { type: 'string' },
        'max-connections': { type: 'string' },
        'max-message-size': { type: 'string' },
        rate: { type: 'string' },
        origin: { type: 'string', multiple: true },
        'relay-allow': { type: 'string', multiple: true },
        'close-timeout': { type: 'string' },
        'handshake-timeout': { type: 'string' },
        'max-buffered': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'chat-rate': { type: 'string' },
        'chat-max-size': { type: 'string' },
        'chat-queue': { type: 'string' },
        secret: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (command !== 'serve' && command !== 'classroom') {
    process.stderr.write(`unknown command '${command}'\n\n${HELP}`);
    return 2;
  }
  const classroom = command === 'classroom';
  const quiet = values.quiet === true;
  const log = (line: string): void => {
    if (!quiet) process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  };

  let options: StandaloneOptions;
  try {
    const maxConnections =
      number('max-connections', values['max-connections'], 1) ??
      (classroom ? CLASSROOM_MAX_CONNECTIONS : undefined);
    const maxMessageSize = number('max-message-size', values['max-message-size'], 1);
    const rate = number('rate', values.rate, 1);
    const closeTimeout = number('close-timeout', values['close-timeout'], 1);
    const handshakeTimeout = number('handshake-timeout', values['handshake-timeout'], 1);
    const maxBufferedBytes = number('max-buffered', values['max-buffered'], 1);
    options = {
      host: values.host ?? (classroom ? '0.0.0.0' : '127.0.0.1'),
      port: number('port', values.port, 0) ?? 8080,
      log,
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(maxConnections !== undefined ? { maxConnections } : {}),
      ...(maxMessageSize !== undefined ? { maxMessageSize } : {}),
      ...(rate !== undefined ? { rate } : {}),
      ...(closeTimeout !== undefined ? { closeTimeout } : {}),
      ...(handshakeTimeout !== undefined ? { handshakeTimeout } : {}),
      ...(maxBufferedBytes !== undefined ? { maxBufferedBytes } : {}),
      ...(values.origin ? { origins: values.origin } : {}),
      ...(values['relay-allow'] ? { relayAllow: parseAllowList(values['relay-allow']) } : {}),
    };
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
      throw new Error('--tls-cert and --tls-key go together: give both files (PEM) or neither');
    if (values['tls-cert'] !== undefined && values['tls-key'] !== undefined) {
      options.tls = {
        cert: readPem('tls-cert', values['tls-cert']),
        key: readPem('tls-key', values['tls-key']),
      };
    }
    if (classroom) {
      const chatRate = number('chat-rate', values['chat-rate'], 1);
      const chatMax = number('chat-max-size', values['chat-max-size'], 1);
      const chatQueue = number('chat-queue', values['chat-queue'], 1024);
      if (values.secret !== undefined && !/^[\w-]{8,128}$/.test(values.secret))
        throw new Error('--secret wants 8-128 characters of A-Z a-z 0-9 _ -');
      options.classroom = createClassroomHost({
        chat: {
          ...(chatRate !== undefined ? { rate: chatRate } : {}),
          ...(chatMax !== undefined ? { maxMessageSize: chatMax } : {}),
          ...(chatQueue !== undefined ? { queueBytes: chatQueue } : {}),
        },
        ...(values.secret !== undefined ? { secret: values.secret } : {}),
      });
    } else if (['chat-rate', 'chat-max-size', 'chat-queue', 'secret'].some((k) => k in values)) {
      throw new Error('--chat-rate, --chat-max-size, --chat-queue and --secret are for classroom only');
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  if (classroom) Object.assign(options, classroomLog(log));

  let standalone;
  try {
    standalone = await startStandalone(options);
  } catch (error) {
    process.stderr.write(
      `cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const { port } = standalone;
  // One write, so a reader that sees the listening line sees the whole banner.
  let banner = `WebSocket Playground listening on ${standalone.httpUrl}  (${standalone.wsUrl})\n`;
  if (!standalone.built && !quiet)
    banner += `dist/ not built: serving the endpoints only (run npm run build for the site)\n`;
  if (classroom) {
    const tls = options.tls !== undefined;
    banner += classroomUrls(standalone.host, port, lanAddresses(), tls);
    options.classroom?.classroom.setJoinUrls(
      isWildcard(standalone.host)
        ? lanAddresses().map((a) => `${tls ? 'https' : 'http'}://${a}:${port}/`)
        : isLoopback(standalone.host)
          ? []
          : [standalone.httpUrl],
    );
    const local = isWildcard(standalone.host) ? 'localhost' : hostForUrl(standalone.host);
    banner +=
      `Instructor's dashboard (keep this link to yourself; it holds the secret):\n` +
      `  ${tls ? 'https' : 'http'}://${local}:${port}/#teacher=${options.classroom?.secret ?? ''}\n`;
  }
  // The signal handlers go in before the banner: whoever reads "listening" may signal at once
  // (a supervisor, a test), and a signal with no handler yet would kill the process without
  // the 1001 closes.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: closing ${standalone.playground.connections} connection(s) with 1001`);
      const force = setTimeout(() => resolve(0), (options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS) + 2_000);
      force.unref();
      standalone.stop().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write(banner);
  return await stopped;
}

/** Join and leave lines for the instructor: a student is an IP address with one or more sockets. */
function classroomLog(log: (line: string) => void): Pick<StandaloneOptions, 'onOpen' | 'onClose'> {
  const students = new Map<string, number>();
  let sockets = 0;
  return {
    onOpen(info: ConnectionInfo) {
      sockets += 1;
      const n = (students.get(info.address) ?? 0) + 1;
      students.set(info.address, n);
      if (n === 1)
        log(`join  ${info.address} (${info.path}) - ${students.size} student(s), ${sockets} socket(s)`);
    },
    onClose(info: ConnectionInfo & { code: number }) {
      sockets -= 1;
      const n = (students.get(info.address) ?? 1) - 1;
      if (n > 0) students.set(info.address, n);
      else {
        students.delete(info.address);
        log(
          `leave ${info.address} (${info.path}, ${info.code}) - ${students.size} student(s), ${sockets} socket(s)`,
        );
      }
    },
  };
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(
      `--${flag}: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return (
      pathToFileURL(realpathSync(script)).href ===
      pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href
    );
  } catch {
    return false;
  }
}

if (isMain()) {
  // A classroom server keeps serving the other students whatever one connection did:
  // a bug that escapes every handler is logged, not fatal.
  process.on('uncaughtException', (error) =>
    process.stderr.write(`uncaught: ${error.stack ?? error.message}\n`),
  );
  process.on('unhandledRejection', (error) =>
    process.stderr.write(`unhandled rejection: ${String(error)}\n`),
  );
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
