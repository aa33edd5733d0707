/**
 * The page's one transport choice, shared by the header switch, the connection lab and the
 * code area (`getModeChoice()`): 'server' when our Node server serves the page (dev, preview,
 * serve, classroom), 'loopback' otherwise, and the learner can switch. A switch changes what
 * NEW connections use; a LabConnection keeps the transport it was opened with.
 *
 * The decision itself is app/loopback/mode.ts's `TransportChoice` (one HEAD request, pinning);
 * this class mirrors it in runes and turns the mode into a lab `Transport`. The loopback
 * (engine sessions, services, virtual network) is loaded by a dynamic import the first time
 * the loopback mode is used, never before.
 */
import {
  probeServer,
  TransportChoice,
  type TransportMode,
  type TransportState,
} from '../../loopback/mode.ts';
import type { LoopbackKit } from './loopback-kit.ts';
import { ServerTransport } from './server-transport.ts';
import type { Transport } from './transport.ts';

export type { TransportMode };

export const MODE_INFO: Record<TransportMode, { label: string; title: string }> = {
  server: {
    label: 'Server',
    title: 'Server: real TCP to the Node server on this origin; the bytes come from its tap.',
  },
  loopback: {
    label: 'Loopback',
    title: 'Loopback: an in-page virtual network; the bytes are made by the same RFC 6455 engine.',
  },
};

/** Why the Server option cannot be picked (shown beside the disabled option). */
export const NO_SERVER_REASON =
  'No playground server answers on this origin (a static host), so only the in-page loopback can carry sockets. Run `npm run dev` or `npm run serve` for real TCP.';

export interface ModeChoiceOptions {
  /** The decision (probe + pinning); default a TransportChoice with the real probe. */
  choice?: Pick<TransportChoice, 'detect' | 'set' | 'subscribe'>;
  /** Loads the loopback; default a dynamic import of loopback-kit.ts. */
  loadLoopback?: () => Promise<LoopbackKit>;
  /** Makes the server transport; default `new ServerTransport()` for the page. */
  serverTransport?: () => Transport;
}

const importLoopback = (): Promise<LoopbackKit> =>
  import('./loopback-kit.ts').then((m) => m.createLoopbackKit());

export class ModeChoice {
  /** The mode new connections use. Provisional ('loopback') until `settled`. */
  mode = $state<TransportMode>('loopback');
  /** What the probe found; undefined while it runs. */
  serverAvailable = $state<boolean | undefined>(undefined);
  /** The learner picked the mode (the probe no longer changes it). */
  pinned = $state(false);
  /** The transport for `mode`, once known and loaded; undefined while detecting or loading. */
  transport = $state.raw<Transport | undefined>(undefined);
  /** The loopback, once loaded (it stays loaded: loopback sessions may outlive a switch). */
  loopback = $state.raw<LoopbackKit | undefined>(undefined);
  /** Loading the loopback failed (shown to the learner). */
  error = $state('');

  readonly #choice: NonNullable<ModeChoiceOptions['choice']>;
  readonly #loadLoopback: () => Promise<LoopbackKit>;
  readonly #makeServer: () => Transport;
  #server: Transport | undefined;
  #loading: Promise<LoopbackKit> | undefined;
  #started: Promise<void> | undefined;

  constructor(options: ModeChoiceOptions = {}) {
    this.#choice = options.choice ?? new TransportChoice(probeServer);
    this.#loadLoopback = options.loadLoopback ?? importLoopback;
    this.#makeServer = options.serverTransport ?? (() => new ServerTransport());
    this.#choice.subscribe((s) => this.#follow(s));
  }

  /** True once the mode is decided (probe finished, or the learner picked one). */
  get settled(): boolean {
    return this.serverAvailable !== undefined || this.pinned;
  }

  /** The server transport (made once; also the lab's placeholder while the probe runs). */
  get server(): Transport {
    this.#server ??= this.#makeServer();
    return this.#server;
  }

  /** Detects the mode (once per page, however many callers) and resolves when its transport is ready. */
  start(): Promise<void> {
    this.#started ??= this.#choice.detect().then(() => this.ready());
    return this.#started;
  }

  /** Resolves when the loopback being loaded (if any) has loaded or failed. */
  async ready(): Promise<void> {
    await this.#loading?.catch(() => undefined);
  }

  /** The learner's switch. Server cannot be picked when the probe found no server. */
  set(mode: TransportMode): boolean {
    if (mode === 'server' && this.serverAvailable === false) return false;
    this.#choice.set(mode);
    return true;
  }

  #follow(s: TransportState): void {
    this.mode = s.mode;
    this.serverAvailable = s.serverAvailable;
    this.pinned = s.pinned;
    if (!this.settled) return; // the initial 'loopback' is only a placeholder until the probe answers
    if (s.mode === 'server') {
      this.transport = this.server;
    } else if (this.loopback) {
      this.transport = this.loopback.transport;
    } else {
      this.transport = undefined; // until the loopback has loaded
      void this.#ensureLoopback().catch(() => undefined);
    }
  }

  #ensureLoopback(): Promise<LoopbackKit> {
    this.#loading ??= this.#loadLoopback().then(
      (kit) => {
        this.loopback = kit;
        this.error = '';
        if (this.mode === 'loopback') this.transport = kit.transport;
        return kit;
      },
      (error: unknown) => {
        this.#loading = undefined; // a later switch may try again
        this.error = `The in-page loopback could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
        throw error;
      },
    );
    return this.#loading;
  }
}

let shared: ModeChoice | undefined;

/** The page's one ModeChoice (the header, the lab and the code area share it: one probe). */
export function getModeChoice(): ModeChoice {
  shared ??= new ModeChoice();
  return shared;
}
