/**
 * The instructor's dashboard: its state and its one WebSocket to the classroom server
 * (`/__classroom/dashboard?key=SECRET`, app/services/classroom.ts).
 *
 * The socket is a lab `LabConnection` on the server transport, like any connection the lab opens: the
 * server's tap mirrors its bytes, so the dashboard's "Traffic" view is the frame inspector on
 * the dashboard's own connection (every roster update, every command, handshake included).
 *
 * The secret comes from the link printed in the terminal (`#teacher=SECRET`); it is then taken
 * out of the address bar (a projected screen shows the address bar) and kept for this tab only.
 */
import {
  DASHBOARD_PATH,
  type DashboardCommand,
  type DashboardState,
  type ToDashboard,
} from '../../services/classroom-protocol.ts';
import { ServerTransport } from '../transport/server-transport.ts';
import { LabConnection } from '../connection/lab-connection.svelte.ts';
import { isClassroom } from './probe.ts';

export const SECRET_KEY = 'wsp.classroom.secret';

/** The secret in the page's hash (`#teacher=S`), or the one this tab kept. */
export function readSecret(hash: string, kept: string | null): string {
  const fromHash = /(?:^#|&)teacher=([^&]*)/.exec(hash)?.[1];
  return (fromHash && decodeURIComponent(fromHash)) || kept || '';
}

export const REFUSED =
  "This dashboard link's secret is wrong or missing, so the classroom server refused it. Open the link printed in the terminal where npm run classroom runs (the secret changes at each start).";
export const NOT_CLASSROOM =
  'This server is not running a classroom. Start it with npm run classroom and open the dashboard link it prints.';

export type DashboardView = 'class' | 'projector' | 'traffic';

export class Dashboard {
  state = $state.raw<DashboardState | undefined>(undefined);
  /** Why there is no dashboard (a clear refusal), '' while fine. */
  refusal = $state('');
  /** A passing problem (a lost connection, a command refused). */
  problem = $state('');
  view = $state<DashboardView>('class');
  session = $state.raw<LabConnection | undefined>(undefined);
  readonly #base: string;
  readonly #secret: string;

  constructor(secret: string, base: string = document.baseURI) {
    this.#secret = secret;
    this.#base = base;
  }

  async start(): Promise<void> {
    if (!this.#secret) {
      this.refusal = REFUSED;
      return;
    }
    if (!(await isClassroom(this.#base))) {
      this.refusal = NOT_CLASSROOM;
      return;
    }
    this.connect();
  }

  connect(): void {
    this.problem = '';
    const transport = new ServerTransport(this.#base);
    const url = `${transport.endpointUrl(DASHBOARD_PATH)}?key=${encodeURIComponent(this.#secret)}`;
    const session = LabConnection.connect(transport, url, [], { name: 'dashboard' });
    this.session = session;
    const socket = session.socket;
    if (!socket) return;
    socket.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data;
      if (typeof data !== 'string') return;
      let m: ToDashboard;
      try {
        m = JSON.parse(data) as ToDashboard;
      } catch {
        return;
      }
      if (m.type === 'state') this.state = m;
      else if (m.type === 'error') this.problem = m.text;
    });
    socket.addEventListener('close', (e) => {
      const { code } = e as CloseEvent;
      // 7.4.1 1008: the server's refusal of the secret.
      if (code === 1008) this.refusal = REFUSED;
      else
        this.problem = `The connection to the classroom server closed (${code}). Reconnect when it is back.`;
    });
  }

  send(command: DashboardCommand): void {
    this.session?.send(JSON.stringify(command));
  }
}
