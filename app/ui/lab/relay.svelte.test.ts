/** The lab's side of the relay: the offer, the relay URL, the two legs and a refusal's note. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../lib/engine.ts';
import { Lab } from './lab.svelte.ts';
import { connections } from './parts.ts';
import { relayTargetOf, ServerTransport } from '../transport/server-transport.ts';
import { LabConnection } from '../connection/lab-connection.svelte.ts';
import type { OpenedConnection, Transport, WebSocketLike, WireStream } from '../transport/transport.ts';

// Sessions load on demand; these tests connect once they have.
beforeAll(() => connections.start());

class Wire implements WireStream {
  fns = new Set<(e: WireEvent) => void>();
  subscribe(fn: (e: WireEvent) => void) {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  push(e: WireEvent) {
    this.fns.forEach((f) => f(e));
  }
}

function socket(url: string): WebSocketLike {
  return Object.assign(new EventTarget(), {
    url,
    readyState: 0,
    protocol: '',
    extensions: '',
    bufferedAmount: 0,
    binaryType: 'blob' as BinaryType,
    send() {},
    close() {},
  });
}

function relayTransport(): { transport: Transport; browser: Wire; onward: Wire; opened: string[] } {
  const browser = new Wire();
  const onward = new Wire();
  const opened: string[] = [];
  const transport: Transport = {
    label: 'server',
    description: 'test',
    canFragment: false,
    endpointUrl: (p) => `ws://ours:5173${p}`,
    relayUrl: (t) => `ws://ours:5173/__relay?to=${encodeURIComponent(t)}`,
    open: (url): OpenedConnection => {
      opened.push(url);
      const target = relayTargetOf(url);
      return {
        socket: socket(url),
        wire: browser,
        ...(target !== undefined ? { onward: { wire: onward, target } } : {}),
        dispose() {},
      };
    },
  };
  return { transport, browser, onward, opened };
}

describe('the relay in the lab', () => {
  it('builds the relay URL with the target as one encoded query value, and reads it back', () => {
    const t = new ServerTransport('http://localhost:5173/');
    const url = t.relayUrl('ws://127.0.0.1:9000/path?a=1&b=2');
    expect(url).toBe('ws://localhost:5173/__relay?to=ws%3A%2F%2F127.0.0.1%3A9000%2Fpath%3Fa%3D1%26b%3D2');
    expect(relayTargetOf(url!)).toBe('ws://127.0.0.1:9000/path?a=1&b=2');
    // Our own endpoints need no relay: the tap sees them already.
    expect(t.relayUrl('ws://localhost:5173/echo')).toBeUndefined();
    expect(relayTargetOf('ws://localhost:5173/echo')).toBeUndefined();
  });

  it('offers the relay only for a foreign URL, and says there is none without a server', () => {
    const { transport } = relayTransport();
    const lab = new Lab(transport);
    const tab = lab.tabs[0]!;
    expect(tab.relayOffer).toBeUndefined(); // /echo on our server
    tab.url = 'ws://127.0.0.1:9000/path';
    expect(tab.relayOffer).toEqual({
      target: 'ws://127.0.0.1:9000/path',
      url: 'ws://ours:5173/__relay?to=ws%3A%2F%2F127.0.0.1%3A9000%2Fpath',
    });
    const loopback = new Lab({ ...transport, label: 'loopback', relayUrl: undefined } as Transport);
    loopback.tabs[0]!.url = 'ws://127.0.0.1:9000/path';
    expect(loopback.tabs[0]!.relayOffer).toEqual({ target: 'ws://127.0.0.1:9000/path', url: '' });
    expect(loopback.tabs[0]!.connectViaRelay()).toBe(false);
  });

  it('connects through the relay: two sessions, one per leg, and the leg switch picks what is shown', () => {
    const { transport, browser, onward, opened } = relayTransport();
    const lab = new Lab(transport);
    const tab = lab.tabs[0]!;
    tab.url = 'ws://127.0.0.1:9000/path';
    expect(tab.connectViaRelay()).toBe(true);
    expect(opened).toEqual(['ws://ours:5173/__relay?to=ws%3A%2F%2F127.0.0.1%3A9000%2Fpath']);
    const session = tab.session!;
    expect(session.relayTarget).toBe('ws://127.0.0.1:9000/path');
    expect(session.onward).toBeInstanceOf(LabConnection);
    browser.push({ kind: 'frame', t: 1, from: 'client', bytes: Uint8Array.of(0x81, 0x80, 1, 2, 3, 4) });
    onward.push({ kind: 'frame', t: 2, from: 'client', bytes: Uint8Array.of(0x81, 0x80, 9, 9, 9, 9) });
    onward.push({ kind: 'frame', t: 3, from: 'server', bytes: Uint8Array.of(0x81, 0x00) });
    session.flush();
    session.onward!.flush();
    expect(tab.shown).toBe(session);
    expect(session.log.frames).toHaveLength(1);
    tab.leg = 'onward';
    expect(tab.shown).toBe(session.onward);
    expect(session.onward!.log.frames).toHaveLength(2);
    expect(session.onward!.live).toBe(false); // no page socket on that leg: nothing to send from it
  });

  it("shows the relay's refusal (status and body) as a note", () => {
    const { transport, browser } = relayTransport();
    const session = LabConnection.connect(transport, transport.relayUrl!('ws://192.0.2.7:9000/')!, [], {
      schedule: () => {},
    });
    browser.push({
      kind: 'handshake',
      t: 1,
      from: 'server',
      text: 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nrelay refused: 192.0.2.7:9000 is not on this machine. Use --relay-allow 192.0.2.7:9000.\n',
    });
    expect(session.notes).toEqual([
      'The relay answered 403 Forbidden: relay refused: 192.0.2.7:9000 is not on this machine. Use --relay-allow 192.0.2.7:9000.',
    ]);
  });
});

describe('importing a capture into the lab', () => {
  it('loads a pcapng capture into a tab per WebSocket connection, and says why when it has none', async () => {
    const { sessionToPcapng } = await import('../connection/pcap/pcapng-write.ts');
    const { echoSession } = await import('../connection/fixtures.ts');
    const { transport } = relayTransport();
    const lab = new Lab(transport);
    const capture = sessionToPcapng('ws://127.0.0.1:5173/echo', echoSession());
    expect(await lab.importBytes(capture, 'echo.pcapng')).toBe(true);
    expect(lab.importMessage).toBe('Imported echo.pcapng: 1 connection, 8 frames.');
    expect(lab.active?.session?.source).toBe('import');
    expect(lab.active?.session?.log.frames).toHaveLength(8);
    // The text formats still go through the same door.
    expect(await lab.importBytes(new TextEncoder().encode('{"nope":1}'), 'x.json')).toBe(false);
    expect(lab.importMessage).toMatch(/^x.json was not imported: /);
    const plain = sessionToPcapng('ws://127.0.0.1:8080/', [
      { kind: 'handshake', t: 1, from: 'client', text: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
    ]);
    expect(await lab.importBytes(plain, 'web.pcapng')).toBe(false);
    expect(lab.importMessage).toMatch(
      /^web.pcapng was not imported: no WebSocket connection in this pcapng capture/,
    );
  });
});
