/**
 * Sockets opened by sandboxed code join the connection lab (and so the inspector): each one
 * becomes a lab tab with a live Session, through a one-connection Transport whose `open()`
 * hands over the page's mirror of the socket and its wire events:
 *
 * - native route (server mode): the bytes come from the Node server's tap, subscribed with the
 *   token the sandbox put in the socket's URL;
 * - loopback route: the virtual network's own wire log for the connection.
 */
import type { SandboxSocket } from '../../sandbox/host.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import { Session } from '../lab/session.svelte.ts';
import { TAP_PATH, TapClient } from '../lab/tap-client.ts';
import type { OpenedConnection, Transport, WireStream } from '../lab/transport.ts';
import type { CodeRun } from './run.svelte.ts';
import { SandboxSocketView } from './sandbox-socket.ts';

function tapUrl(token: string, base: string): string {
  const u = new URL(TAP_PATH, base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.href;
}

export function registerInLab(
  lab: Lab,
  run: CodeRun,
  s: SandboxSocket,
  base: string = document.baseURI,
): Session {
  let tap: TapClient | undefined;
  let wire: WireStream | undefined;
  let wireNote: string | undefined;
  if (s.route === 'native') {
    if (s.tap) wire = tap = new TapClient(tapUrl(s.tap, base));
    else
      wireNote = `${new URL(s.url).host} is not the playground's server, so its bytes cannot be tapped: you see what the API shows.`;
  } else {
    wire = s.wire;
  }
  const view = new SandboxSocketView(s.socket, wire);
  const opened: OpenedConnection = {
    socket: view,
    wire,
    ...(wireNote ? { wireNote } : {}),
    dispose: () => {
      view.dispose();
      tap?.close();
    },
    calls: (fn) => view.calls(fn),
  };
  const transport: Transport = {
    label: s.route === 'native' ? 'server' : 'loopback',
    description: `opened by your code (${run.label})`,
    canFragment: false,
    endpointUrl: (path) => lab.transport.endpointUrl(path),
    open: () => opened,
  };
  const session = Session.connect(transport, s.url, s.protocols, {
    name: `${run.label} · ${shortPath(s.url)}`,
  });
  view.onStopped = (note) => (session.notes = [...session.notes, note]);
  const tab = lab.addTab(s.url);
  tab.session = session;
  return session;
}

/** '/echo' on the page's own host; host and path elsewhere ('localhost:8080'). */
function shortPath(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname === '/' && !u.search ? '' : u.pathname + u.search;
    return u.host === location.host ? path || '/' : `${u.host}${path}`;
  } catch {
    return url;
  }
}
