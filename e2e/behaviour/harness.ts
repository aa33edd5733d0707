/**
 * Runs the behaviour scenarios in a page. Loaded by the specs: as a module from the Vite dev
 * server, or bundled and injected into the static build (static.loopback.spec.ts). Test-only:
 * nothing in the app imports it.
 */
import {
  bindNetwork,
  LOOPBACK_HOST,
  LoopbackWebSocket,
  TransportChoice,
  VirtualNetwork,
  WIRE,
  type WireEvent,
} from '../../app/loopback/index.ts';
import { SCENARIOS, type Env } from './scenarios.ts';

export type Target = { kind: 'native'; base: string } | { kind: 'loopback' };

/** A fresh virtual network per run, so one scenario's chat room never leaks into another. */
function env(target: Target): Env {
  if (target.kind === 'native') return { WS: WebSocket, url: (p) => target.base + p };
  const network = new VirtualNetwork();
  return {
    WS: bindNetwork(network) as unknown as typeof WebSocket,
    url: (p) => `ws://${LOOPBACK_HOST}${p}`,
  };
}

export async function runScenario(name: string, target: Target): Promise<unknown> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named ${name}`);
  return scenario.run(env(target));
}

/** Connects on the page's default network, echoes, closes; returns the wire events in brief. */
export async function loopbackWire(url: string): Promise<{ events: string[]; data: unknown[] }> {
  const ws = new LoopbackWebSocket(url);
  const data: unknown[] = [];
  ws.onopen = () => ws.send('hello wire');
  ws.onmessage = (e) => {
    data.push(e.data);
    ws.close(1000, 'done');
  };
  await new Promise((r) => ws.addEventListener('close', () => setTimeout(r, 50)));
  const events: string[] = [];
  ws[WIRE].subscribe((e: WireEvent) => {
    if (e.kind === 'handshake') events.push(`handshake ${e.from} ${e.text.split('\r\n')[0]}`);
    else if (e.kind === 'frame')
      events.push(
        `frame ${e.from} ${[...e.bytes.subarray(0, 2)].map((b) => b.toString(16).padStart(2, '0')).join(' ')} (${e.bytes.length} bytes)`,
      );
    else if (e.kind === 'state') events.push(`state ${e.state}`);
    else if (e.kind === 'close') events.push(`close ${e.code} ${e.reason} ${e.wasClean}`);
    else events.push(e.kind);
  });
  return { events, data };
}

/** What the mode detection decides on this page, and whether a native socket really opens. */
export async function detectMode(): Promise<{ detected: string; nativeOpens: boolean }> {
  const choice = new TransportChoice();
  const detected = await choice.detect({ timeoutMs: 3_000 });
  const nativeOpens = await new Promise<boolean>((resolve) => {
    const ws = new WebSocket(new URL('echo', document.baseURI).href.replace(/^http/, 'ws'));
    const t = setTimeout(() => resolve(false), 3_000);
    ws.onopen = () => {
      clearTimeout(t);
      ws.close();
      resolve(true);
    };
    ws.onclose = () => {
      clearTimeout(t);
      resolve(false);
    };
  });
  return { detected, nativeOpens };
}

declare global {
  interface Window {
    __wspBehaviour?: {
      runScenario: typeof runScenario;
      loopbackWire: typeof loopbackWire;
      detectMode: typeof detectMode;
    };
  }
}
window.__wspBehaviour = { runScenario, loopbackWire, detectMode };
