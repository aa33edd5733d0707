/**
 * Which targets the relay (`/__relay?to=ws://host:port/path`) may connect to, and why not.
 *
 * A relay that connects anywhere a page asks is an open proxy: any site a learner visits could
 * make our server reach into the operator's network. So the default is loopback only (the
 * learner's own server on this machine), and the operator widens it with `--relay-allow
 * host:port,...` (`host:*` for every port of a host). Host names are compared as written; no
 * DNS lookup decides anything (a name that resolves to 127.0.0.1 is not loopback here, only
 * `localhost` is).
 */

export interface RelayTarget {
  url: URL;
  /** Host as written, without IPv6 brackets. */
  host: string;
  port: number;
  tls: boolean;
}

export type TargetVerdict =
  { ok: true; target: RelayTarget } | { ok: false; status: 400 | 403; body: string };

/** 127.0.0.0/8, ::1 and localhost: this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return /^127(\.\d{1,3}){3}$/.test(h) || h === '::1' || h === 'localhost' || h.endsWith('.localhost');
}

/** `host:port` entries (also `[v6]:port` and `host:*`), separated by commas or given one by one. */
export function parseAllowList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const entry = part.trim().toLowerCase();
      if (entry === '') continue;
      if (!/^(\[[0-9a-f:.]+\]|[a-z0-9._-]+):(\d{1,5}|\*)$/.test(entry))
        throw new Error(`--relay-allow wants host:port (or host:*), not '${part.trim()}'`);
      out.push(entry);
    }
  }
  return out;
}

function allowed(target: RelayTarget, allow: readonly string[]): boolean {
  if (isLoopbackHost(target.host)) return true;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return allow.includes(`${host}:${target.port}`) || allow.includes(`${host}:*`);
}

/** The `to` parameter checked: a ws:// or wss:// URL to a host the operator allows. */
export function checkRelayTarget(to: string | null, allow: readonly string[]): TargetVerdict {
  if (to === null || to === '')
    return {
      ok: false,
      status: 400,
      body: 'relay: say where to connect with ?to=ws://127.0.0.1:9000/path (the URL encoded as one query value).',
    };
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return { ok: false, status: 400, body: `relay: '${to}' is not a URL; expected ?to=ws://host:port/path.` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    return {
      ok: false,
      status: 400,
      body: `relay: the target must be a ws:// or wss:// URL, not ${url.protocol}//.`,
    };
  if (url.hash !== '')
    return { ok: false, status: 400, body: 'relay: a WebSocket URL has no #fragment (RFC 6455 3).' };
  const tls = url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  const target = { url, host, port, tls };
  if (!allowed(target, allow)) {
    const entry = `${url.hostname}:${port}`;
    return {
      ok: false,
      status: 403,
      body:
        `relay refused: ${entry} is not on this machine, and the relay only connects to loopback ` +
        `addresses (127.0.0.1, ::1, localhost) unless the operator allows more. To allow it, start ` +
        `the server with --relay-allow ${entry} (npm run serve or classroom), or run ` +
        `WSP_RELAY_ALLOW=${entry} npm run dev.`,
    };
  }
  return { ok: true, target };
}
