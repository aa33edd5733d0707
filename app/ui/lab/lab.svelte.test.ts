/** The lab's Connect waits for the sessions' code, which loads after the first screen. */
import { describe, expect, it } from 'vitest';
import { Lab } from './lab.svelte.ts';
import { connections } from './parts.ts';
import type { Transport } from '../transport/transport.ts';

function fakeTransport(opened: string[]): Transport {
  return {
    label: 'server',
    description: 'server',
    canFragment: false,
    endpointUrl: (path) => `ws://page.test${path}`,
    open(url) {
      opened.push(url);
      throw new Error('no socket in this test');
    },
  };
}

describe('Lab: sessions load on demand', () => {
  it('is not ready and opens nothing until the sessions have loaded, then connects', async () => {
    const opened: string[] = [];
    const lab = new Lab(fakeTransport(opened)); // starts loading the sessions
    const tab = lab.tabs[0]!;
    expect(connections.status).toBe('loading');
    expect(lab.ready).toBe(false);
    expect(tab.connect()).toBe(false);
    expect(tab.session).toBeUndefined();
    expect(opened).toEqual([]);

    await connections.start();
    expect(lab.ready).toBe(true);
    expect(tab.connect()).toBe(true);
    expect(opened).toEqual(['ws://page.test/echo']);
    expect(tab.session?.url).toBe('ws://page.test/echo');
  });

  it('stays not ready while the transport is being chosen, whatever has loaded', async () => {
    await connections.start();
    const lab = new Lab(fakeTransport([]), { ready: false });
    expect(lab.ready).toBe(false);
    expect(lab.tabs[0]!.connect()).toBe(false);
    lab.ready = true;
    expect(lab.ready).toBe(true);
  });
});
