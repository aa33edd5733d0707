import { describe, expect, it, vi } from 'vitest';
import type { WireEvent } from '../lib/engine.ts';
import { type MirrorLike, SandboxSocketView, callData } from './sandbox-socket.ts';

class FakeMirror extends EventTarget implements MirrorLike {
  url = 'ws://h/echo';
  readyState = 1;
  protocol = '';
  extensions = '';
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  abandoned = false;
  send(): void {}
  close(): void {}
  closeWith(code: number, abandoned = false): void {
    this.abandoned = abandoned;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason: '', wasClean: code !== 1006 }));
  }
}

function wireOf(): { push(e: WireEvent): void; subscribe(fn: (e: WireEvent) => void): () => void } {
  const fns = new Set<(e: WireEvent) => void>();
  return {
    push: (e) => fns.forEach((fn) => fn(e)),
    subscribe: (fn) => (fns.add(fn), () => fns.delete(fn)),
  };
}

const closes = (view: SandboxSocketView): { code: number; wasClean: boolean }[] => {
  const seen: { code: number; wasClean: boolean }[] = [];
  view.addEventListener('close', (e) =>
    seen.push({ code: (e as CloseEvent).code, wasClean: (e as CloseEvent).wasClean }),
  );
  return seen;
};

describe('SandboxSocketView', () => {
  it('passes a close the code saw through unchanged', () => {
    const mirror = new FakeMirror();
    const view = new SandboxSocketView(mirror, wireOf());
    const seen = closes(view);
    mirror.closeWith(1000);
    expect(seen).toEqual([{ code: 1000, wasClean: true }]);
  });

  it('after a stop, reports the close the wire shows (the browser closed with 1001), not the 1006 guess', () => {
    vi.useFakeTimers();
    const mirror = new FakeMirror();
    const wire = wireOf();
    const view = new SandboxSocketView(mirror, wire);
    const notes: string[] = [];
    view.onStopped = (n) => notes.push(n);
    const seen = closes(view);
    mirror.closeWith(1006, true);
    expect(seen).toEqual([]); // waits for the wire
    wire.push({ kind: 'close', t: 1, code: 1001, reason: '', wasClean: true });
    expect(seen).toEqual([{ code: 1001, wasClean: true }]);
    expect(notes[0]).toContain('1001 Going Away');
    vi.useRealTimers();
  });

  it('after a stop with no word from the wire, reports the drop once the wait is over', () => {
    vi.useFakeTimers();
    const mirror = new FakeMirror();
    const view = new SandboxSocketView(mirror, wireOf(), 500);
    const seen = closes(view);
    mirror.closeWith(1006, true);
    vi.advanceTimersByTime(499);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([{ code: 1006, wasClean: false }]);
    vi.useRealTimers();
  });

  it('a connection that ended on the wire before the stop reports that end at once', () => {
    const mirror = new FakeMirror();
    const wire = wireOf();
    const view = new SandboxSocketView(mirror, wire);
    const seen = closes(view);
    wire.push({ kind: 'eof', t: 1, from: 'server' });
    mirror.closeWith(1006, true);
    expect(seen).toEqual([{ code: 1006, wasClean: false }]);
  });

  it("hands the code's send and close calls to the lab", () => {
    const mirror = new FakeMirror();
    const view = new SandboxSocketView(mirror, undefined);
    const calls: unknown[] = [];
    view.calls((c) => calls.push(c));
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'send', data: 'hi' } }));
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'close-call', code: 1000 } }));
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'nonsense' } }));
    expect(calls).toEqual([
      { kind: 'send', data: 'hi' },
      { kind: 'close-call', code: 1000 },
    ]);
  });

  it('does not record twice a call the lab made itself (the LabConnection records it; the sandbox reports it too)', () => {
    const mirror = new FakeMirror();
    const view = new SandboxSocketView(mirror, undefined);
    const calls: unknown[] = [];
    view.calls((c) => calls.push(c));
    view.send('from the lab');
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'send', data: 'from the lab' } }));
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'send', data: 'from the code' } }));
    view.close(1000);
    mirror.dispatchEvent(new CustomEvent('api', { detail: { kind: 'close-call', code: 1000 } }));
    expect(calls).toEqual([{ kind: 'send', data: 'from the code' }]);
  });

  it('records binary data as the page saw it', () => {
    expect(callData(new Uint8Array([1, 2]).buffer)).toEqual({
      type: 'ArrayBuffer',
      bytes: new Uint8Array([1, 2]),
    });
    expect(callData(new Blob(['abc']))).toEqual({ type: 'Blob', bytes: new Uint8Array(0), size: 3 });
  });
});
