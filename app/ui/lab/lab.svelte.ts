/**
 * The connection lab: tabs of connections side by side. A tab keeps what the learner typed (URL,
 * subprotocols) and its current LabConnection; connecting again starts a fresh LabConnection in the tab.
 */
import type { SessionFile } from '../connection/export.ts';
import { connections, sessionFiles } from './parts.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';
import type { Transport } from '../transport/transport.ts';
import { afterPaint } from '../lib/lazy.ts';
import { checkProtocols, checkUrl } from '../connection/validate.ts';
import { FormatError } from '../connection/session-json.ts';

/** The bundled endpoints, one click each. */
export const ENDPOINTS: readonly { path: string; label: string; hint: string }[] = [
  { path: '/echo', label: '/echo', hint: 'echoes every message, answers ping with pong' },
  { path: '/chat', label: '/chat', hint: 'broadcasts to every open /chat socket' },
  { path: '/ticker', label: '/ticker', hint: 'the server pushes a quote every second' },
  { path: '/heartbeat', label: '/heartbeat', hint: 'the server pings; miss a pong and it hangs up' },
  { path: '/close?code=4000&reason=bye', label: '/close 4000', hint: 'the server closes with 4000 "bye"' },
  {
    path: '/close?code=4000&reason=later&delay=2000',
    label: '/close +2 s',
    hint: 'the server waits 2 s, then closes with 4000 "later": time to send first',
  },
  {
    path: '/close?code=none',
    label: '/close 1005',
    hint: 'the server sends a Close frame with no status code: the page reports 1005 (§7.1.5)',
  },
  {
    path: '/close?drop=1',
    label: '/close 1006',
    hint: 'the server drops TCP without a Close frame: the page reports 1006, wasClean false (§7.1.5)',
  },
];

let tabIds = 1;

/** How many sessions `Lab.history` keeps. */
export const HISTORY_LIMIT = 100;

export interface LabRecord {
  session: LabConnection;
  origin: 'lab' | 'code';
}

export class ConnectionTab {
  readonly id = tabIds++;
  url = $state('');
  protocols = $state('');
  session = $state<LabConnection | undefined>(undefined);
  /** A problem opening the socket that validation did not foresee. */
  openError = $state('');
  /** Through the relay: which leg the lab and inspector show. */
  leg = $state<'browser' | 'onward'>('browser');
  readonly #lab: Lab;

  constructor(lab: Lab, url: string) {
    this.#lab = lab;
    this.url = url;
  }

  readonly urlCheck = $derived(
    checkUrl(this.url, {
      pageProtocol: typeof location === 'undefined' ? 'http:' : location.protocol,
      endpointUrl: (p) => this.#lab.transport.endpointUrl(p),
    }),
  );
  readonly protocolsCheck = $derived(checkProtocols(this.protocols));

  /** Open (or opening) now: the form is locked and the button disconnects. */
  get busy(): boolean {
    const s = this.session?.readyState;
    return this.session?.live === true && (s === 'CONNECTING' || s === 'OPEN' || s === 'CLOSING');
  }

  /** The session the panels show: the chosen leg of a relayed connection, else the session. */
  get shown(): LabConnection | undefined {
    return this.leg === 'onward' ? (this.session?.onward ?? this.session) : this.session;
  }

  /**
   * The typed URL is a host other than ours: the browser alone would show no bytes. The relay
   * URL for it when the transport has a server to relay through, '' when it has none (loopback).
   */
  get relayOffer(): { target: string; url: string } | undefined {
    const check = this.urlCheck;
    if (!check.ok || !isForeign(check.value, this.#lab.transport)) return undefined;
    return { target: check.value, url: this.#lab.transport.relayUrl?.(check.value) ?? '' };
  }

  /** Connects to the typed URL through our server's relay, both legs tapped. */
  connectViaRelay(): boolean {
    const offer = this.relayOffer;
    if (!offer?.url) return false;
    const protocols = this.protocolsCheck;
    const kit = connections.current;
    if (!protocols.ok || !this.#lab.ready || !kit) return false;
    this.openError = '';
    this.leg = 'browser';
    this.session?.dispose();
    this.session = kit.LabConnection.connect(this.#lab.transport, offer.url, protocols.value, {
      name: `relay ${shortLabel(offer.target)}`,
    });
    this.#lab.remember(this.session, 'lab');
    return true;
  }

  get label(): string {
    return this.session?.name ?? (this.url.trim() ? shortLabel(this.url) : 'new');
  }

  connect(): boolean {
    const url = this.urlCheck;
    const protocols = this.protocolsCheck;
    const kit = connections.current;
    if (!url.ok || !protocols.ok || !this.#lab.ready || !kit) return false;
    // A recorded session (an import) is kept: the new connection gets a tab of its own.
    const source = this.session?.source;
    if (source === 'import' || source === 'recording') {
      const tab = this.#lab.addTab(this.url);
      tab.protocols = this.protocols;
      return tab.connect();
    }
    this.openError = '';
    this.leg = 'browser';
    this.session?.dispose();
    this.session = kit.LabConnection.connect(this.#lab.transport, url.value, protocols.value);
    this.#lab.remember(this.session, 'lab');
    return true;
  }

  disconnect(): void {
    this.session?.close(1000, '');
  }
}

/** Not one of the transport's own endpoints (its host, or the page's). */
function isForeign(url: string, transport: Transport): boolean {
  try {
    const host = new URL(url).host;
    const ours = new URL(transport.endpointUrl('/echo')).host;
    const page = typeof location === 'undefined' ? ours : location.host;
    return host !== ours && host !== page;
  } catch {
    return false;
  }
}

function shortLabel(url: string): string {
  return url.replace(/^wss?:\/\/[^/]+/, '') || url;
}

export interface LabOptions {
  /** False while the page is still choosing the transport: connecting waits for `useTransport()`. */
  ready?: boolean;
}

export class Lab {
  /** What NEW connections use; each LabConnection keeps the transport it was opened with. */
  transport: Transport;
  /** The transport is chosen (false while the start-up probe runs). */
  #transportReady = $state(true);
  tabs = $state<ConnectionTab[]>([]);
  activeId = $state(0);
  /** Every live session the lab has held, oldest first (at most HISTORY_LIMIT), with who opened it:
   *  lessons read them, including those a tab has since replaced by connecting again. */
  history = $state.raw<readonly LabRecord[]>([]);
  /** Result of the last import, for the learner. */
  importMessage = $state('');
  importOk = $state(true);

  constructor(transport: Transport, options: LabOptions = {}) {
    this.transport = $state.raw(transport);
    this.#transportReady = options.ready ?? true;
    this.addTab(transport.endpointUrl('/echo'));
    afterPaint(() => void connections.start()); // after the first screen; Connect waits for them
  }

  /**
   * Connect can open a socket: the page has chosen the transport (the start-up probe) and the
   * sessions' code has loaded. Setting it says whether the transport is chosen.
   */
  get ready(): boolean {
    return this.#transportReady && connections.current !== undefined;
  }
  set ready(value: boolean) {
    this.#transportReady = value;
  }

  /**
   * Switches the transport for new connections (the learner's mode switch, or the start-up
   * choice). Open tabs keep their LabConnection and its transport; a tab with no LabConnection whose URL is
   * still a bundled endpoint of the old transport follows to the same endpoint on the new one.
   */
  useTransport(next: Transport): void {
    const previous = this.transport;
    this.#transportReady = true;
    if (next === previous) return;
    this.transport = next;
    for (const tab of this.tabs) {
      if (tab.session) continue;
      const endpoint = ENDPOINTS.find((ep) => previous.endpointUrl(ep.path) === tab.url.trim());
      if (endpoint) tab.url = next.endpointUrl(endpoint.path);
    }
  }

  /** Keeps a live session in `history` (the tab's Connect, and sockets opened by code). */
  remember(session: LabConnection, origin: LabRecord['origin']): void {
    this.history = [...this.history.slice(-(HISTORY_LIMIT - 1)), { session, origin }];
  }

  /** Shows a session: its tab if one still holds it, else a new tab with the recording. */
  reveal(session: LabConnection): void {
    const tab = this.tabs.find((t) => t.session === session);
    if (tab) {
      this.activeId = tab.id;
      return;
    }
    const added = this.addTab(session.url);
    added.session = session;
  }

  readonly active = $derived(this.tabs.find((t) => t.id === this.activeId) ?? this.tabs[0]);

  addTab(url = this.transport.endpointUrl('/echo')): ConnectionTab {
    const tab = new ConnectionTab(this, url);
    this.tabs = [...this.tabs, tab];
    this.activeId = tab.id;
    return tab;
  }

  closeTab(id: number): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    if (i === -1) return;
    this.tabs[i]!.session?.dispose();
    const rest = this.tabs.filter((t) => t.id !== id);
    this.tabs = rest.length > 0 ? rest : [new ConnectionTab(this, this.transport.endpointUrl('/echo'))];
    if (this.activeId === id)
      this.activeId = (this.tabs[Math.min(i, this.tabs.length - 1)] ?? this.tabs[0]!).id;
  }

  /**
   * Loads sessions from a file's text into new tabs (the file formats load first, on demand).
   * Never throws; the outcome is in importMessage.
   */
  async importText(text: string, fileName: string): Promise<boolean> {
    const formats = await sessionFiles.start();
    if (!formats) {
      this.importOk = false;
      this.importMessage = `${fileName} was not imported: ${sessionFiles.error}`;
      return false;
    }
    let files: SessionFile[];
    try {
      files = formats.parseSessionFile(text);
    } catch (error) {
      this.importOk = false;
      this.importMessage = `${fileName} was not imported: ${error instanceof FormatError ? error.message : String(error)}`;
      return false;
    }
    return this.#load(files, fileName);
  }

  /**
   * Loads a file's bytes: a pcap or pcapng capture (its reader is loaded only now), else the
   * text formats. Never throws; the outcome is in importMessage.
   */
  async importBytes(bytes: Uint8Array, fileName: string): Promise<boolean> {
    const pcap = await import('../connection/pcap/capture-import.ts');
    if (!pcap.isCapture(bytes)) return this.importText(new TextDecoder().decode(bytes), fileName);
    let files: SessionFile[];
    try {
      files = pcap.importCapture(bytes);
    } catch (error) {
      this.importOk = false;
      this.importMessage = `${fileName} was not imported: ${error instanceof Error ? error.message : String(error)}`;
      return false;
    }
    return this.#load(files, fileName);
  }

  async #load(files: SessionFile[], fileName: string): Promise<boolean> {
    const kit = await connections.start();
    if (!kit) {
      this.importOk = false;
      this.importMessage = `${fileName} was not imported: ${connections.error}`;
      return false;
    }
    for (const f of files) {
      const tab = this.addTab(f.url);
      const session = kit.LabConnection.fromEvents(f.events, {
        source: 'import',
        ...(f.url ? { url: f.url } : {}),
      });
      session.name = `${session.name} (imported)`;
      session.notes = f.notes;
      tab.session = session;
    }
    const frames = files.reduce((n, f) => n + f.events.filter((e) => e.kind === 'frame').length, 0);
    this.importOk = true;
    this.importMessage = `Imported ${fileName}: ${files.length} connection${files.length === 1 ? '' : 's'}, ${frames} frame${frames === 1 ? '' : 's'}.`;
    return true;
  }
}
