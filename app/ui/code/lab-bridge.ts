/**
 * Sockets opened by sandboxed code join the connection lab (and so the inspector): each one
 * becomes a lab tab with a live LabConnection, through a one-connection Transport whose `open()`
 * hands over the page's mirror of the socket and its wire events:
 *
 * - native route (server mode): the bytes come from the Node server's tap, subscribed with the
 *   token the sandbox put in the socket's URL;
 * - loopback route: the virtual network's own wire log for the connection.
 *
 * A run gets at most LAB_TABS_PER_RUN tabs: code that opens 300 sockets (a load test, a loop)
 * would bury the lab under tabs and stall the page building them. The sockets past the cap run
 * as usual, without a tab, and the run's console says so once.
 */
import type { SandboxSocket } from '../../sandbox/host.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import { LabConnection } from '../connection/lab-connection.svelte.ts';
import { TAP_PATH, TapClient } from '../transport/tap-client.ts';
import type { OpenedConnection, Transport, WireStream } from '../transport/transport.ts';
import type { CodeRun } from './run.svelte.ts';
import { SandboxSocketView } from './sandbox-socket.ts';

function tapUrl(token: string, base: string): string {
  const u = new URL(TAP_PATH, base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.href;
}

export const LAB_TABS_PER_RUN = 8;

const tabsOf = new WeakMap<CodeRun, number>();

export function registerInLab(
  lab: Lab,
  run: CodeRun,
  s: SandboxSocket,
  base: string = document.baseURI,
): LabConnection | undefined {
  const n = (tabsOf.get(run) ?? 0) + 1;
  tabsOf.set(run, n);
  if (n > LAB_TABS_PER_RUN) {
    if (n === LAB_TABS_PER_RUN + 1)
      run.note(
        `your code opened more than ${LAB_TABS_PER_RUN} sockets: the lab shows the first ${LAB_TABS_PER_RUN} as tabs; the others run as usual, without a tab.`,
      );
    return undefined;
  }
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
  // One tab per run and URL: a reconnecting client's next socket reuses the tab of its last,
  // closed one (20 reconnects are one tab, not 20).
  const key = `${run.label}\n${s.url}`;
  const tabs = reused.get(lab) ?? new Map<string, { tabId: number; count: number }>();
  reused.set(lab, tabs);
  const previous = tabs.get(key);
  const old = previous && lab.tabs.find((t) => t.id === previous.tabId);
  // Only a tab whose socket has really closed is reused: a new LabConnection's readyState is known only
  // after its first update, so "not busy" would also catch a socket that is still opening (and
  // disposing its LabConnection would close it). Closed is read from the socket itself.
  const closed =
    old?.session === undefined || old.session.socket?.readyState === 3 || old.session.readyState === 'CLOSED';
  const again = old !== undefined && closed ? old : undefined;
  const count = again ? previous!.count + 1 : 1;
  const session = LabConnection.connect(transport, s.url, s.protocols, {
    name: `${run.label} · ${shortPath(s.url)}${count > 1 ? ` (connection ${count})` : ''}`,
  });
  view.onStopped = (note) => (session.notes = [...session.notes, note]);
  const tab = again ?? lab.addTab(s.url);
  tab.session?.dispose();
  tab.session = session;
  lab.remember(session, 'code');
  tabs.set(key, { tabId: tab.id, count });
  return session;
}

/** Per lab: run label + URL -> the tab its latest socket is in, and how many it opened. */
const reused = new WeakMap<Lab, Map<string, { tabId: number; count: number }>>();

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
