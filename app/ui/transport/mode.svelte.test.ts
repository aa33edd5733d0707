import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TransportChoice } from '../../loopback/mode.ts';
import { Lab } from '../lab/lab.svelte.ts';
import type { LoopbackKit } from './loopback-kit.ts';
import { ModeChoice } from './mode.svelte.ts';
import { connections } from '../lab/parts.ts';
import type { Transport } from './transport.ts';

function fakeTransport(label: 'server' | 'loopback', host: string): Transport {
  return {
    label,
    description: label,
    canFragment: label === 'loopback',
    endpointUrl: (path) => `ws://${host}${path}`,
    open() {
      throw new Error('not in this test');
    },
  };
}

function setup(found: boolean, opts: { failLoad?: number } = {}) {
  let answer!: (ok: boolean) => void;
  const probe = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
  const server = fakeTransport('server', 'page.test');
  const loopback = fakeTransport('loopback', 'playground.local');
  let failures = opts.failLoad ?? 0;
  const loadLoopback = vi.fn(async (): Promise<LoopbackKit> => {
    if (failures-- > 0) throw new Error('chunk failed');
    return { transport: loopback, network: {} as LoopbackKit['network'], drop: () => false };
  });
  const makeServer = vi.fn(() => server);
  const modes = new ModeChoice({
    choice: new TransportChoice(probe),
    loadLoopback,
    serverTransport: makeServer,
  });
  const started = modes.start();
  return { modes, probe, answer: () => answer(found), started, server, loopback, loadLoopback, makeServer };
}

describe('ModeChoice: one shared transport choice', () => {
  it('has no transport until the probe answers; a server found means the server transport, and the loopback is never loaded', async () => {
    const t = setup(true);
    expect(t.modes.settled).toBe(false);
    expect(t.modes.transport).toBeUndefined();
    t.answer();
    await t.started;
    expect(t.modes.mode).toBe('server');
    expect(t.modes.serverAvailable).toBe(true);
    expect(t.modes.transport).toBe(t.server);
    expect(t.loadLoopback).not.toHaveBeenCalled();
  });

  it('probes once however many callers start it', async () => {
    const t = setup(true);
    const again = t.modes.start();
    t.answer();
    await Promise.all([t.started, again, t.modes.start()]);
    expect(t.probe).toHaveBeenCalledTimes(1);
  });

  it('no server: loads the loopback (once) and refuses the Server option', async () => {
    const t = setup(false);
    t.answer();
    await t.started;
    expect(t.modes.mode).toBe('loopback');
    expect(t.modes.serverAvailable).toBe(false);
    expect(t.modes.transport).toBe(t.loopback);
    expect(t.modes.set('server')).toBe(false);
    expect(t.modes.mode).toBe('loopback');
    expect(t.modes.transport).toBe(t.loopback);
    expect(t.loadLoopback).toHaveBeenCalledTimes(1);
  });

  it('the learner switches: the loopback loads on first use, both transports are kept and reused', async () => {
    const t = setup(true);
    t.answer();
    await t.started;
    expect(t.modes.set('loopback')).toBe(true);
    expect(t.modes.pinned).toBe(true);
    expect(t.modes.transport).toBeUndefined(); // loading
    await t.modes.ready();
    expect(t.modes.transport).toBe(t.loopback);
    t.modes.set('server');
    expect(t.modes.transport).toBe(t.server);
    t.modes.set('loopback');
    expect(t.modes.transport).toBe(t.loopback); // already loaded: at once
    expect(t.loadLoopback).toHaveBeenCalledTimes(1);
    expect(t.makeServer).toHaveBeenCalledTimes(1);
  });

  it('a pick made while the probe runs wins over its answer', async () => {
    const t = setup(true);
    t.modes.set('loopback');
    t.answer();
    await t.started;
    expect(t.modes.serverAvailable).toBe(true);
    expect(t.modes.mode).toBe('loopback');
    expect(t.modes.transport).toBe(t.loopback);
  });

  it('a loopback that fails to load says so, and the next switch tries again', async () => {
    const t = setup(false, { failLoad: 1 });
    t.answer();
    await t.started;
    expect(t.modes.transport).toBeUndefined();
    expect(t.modes.error).toMatch(/could not be loaded: chunk failed/);
    t.modes.set('loopback');
    await t.modes.ready();
    expect(t.modes.transport).toBe(t.loopback);
    expect(t.modes.error).toBe('');
    expect(t.loadLoopback).toHaveBeenCalledTimes(2);
  });
});

describe('Lab.useTransport', () => {
  beforeAll(() => connections.start()); // sessions load on demand: not what this test waits for
  it('waits when not ready; a switch moves idle tabs on a bundled endpoint, and leaves typed URLs and sessions alone', () => {
    const server = fakeTransport('server', 'page.test');
    const loopback = fakeTransport('loopback', 'playground.local');
    const lab = new Lab(server, { ready: false });
    const first = lab.tabs[0]!;
    expect(first.url).toBe('ws://page.test/echo');
    expect(first.connect()).toBe(false); // not ready: nothing opened
    expect(first.session).toBeUndefined();

    const typed = lab.addTab('ws://elsewhere.test/feed');
    const chat = lab.addTab(server.endpointUrl('/chat'));
    lab.useTransport(loopback);
    expect(lab.ready).toBe(true);
    expect(lab.transport).toBe(loopback);
    expect(first.url).toBe('ws://playground.local/echo');
    expect(chat.url).toBe('ws://playground.local/chat');
    expect(typed.url).toBe('ws://elsewhere.test/feed');
    expect(lab.addTab().url).toBe('ws://playground.local/echo');
  });
});
