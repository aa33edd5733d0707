import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { sealGlobals } from './seal.ts';

class NativeSocket {}
class RuntimeSocket {}

function scope(): Record<string, unknown> {
  return {
    Worker: class Worker {},
    SharedWorker: class SharedWorker {},
    importScripts: () => undefined,
    WebSocketStream: class WebSocketStream {},
    fetch: () => undefined,
  };
}

describe('sealGlobals', () => {
  it('is self-contained: its source runs with nothing from outside', () => {
    const fn = runInNewContext(`(${sealGlobals.toString()})`) as typeof sealGlobals;
    expect(fn(scope(), { runtime: RuntimeSocket, native: undefined })).toContain('Worker');
  });

  it('replaces Worker and the other escape routes with stubs that say why', () => {
    const s = scope();
    const sealed = sealGlobals(s, { runtime: RuntimeSocket, native: undefined });
    expect(sealed).toEqual(['Worker', 'SharedWorker', 'importScripts', 'WebSocketStream']);
    expect(() => new (s.Worker as new (u: string) => unknown)('blob:x')).toThrow(
      /^Worker is not available in the playground: your code runs in one sandboxed worker, which the page watches/,
    );
    expect(() => (s.importScripts as (u: string) => void)('blob:x')).toThrow(
      /importScripts is not available/,
    );
    expect(s.fetch).toBeTypeOf('function'); // the CSP refuses it: left alone
  });

  it('cannot be undone: the stubs are neither writable nor configurable', () => {
    const s = scope();
    const stub = s.Worker;
    sealGlobals(s, { runtime: RuntimeSocket, native: undefined });
    const sealedStub = s.Worker;
    expect(sealedStub).not.toBe(stub);
    expect(Reflect.deleteProperty(s, 'Worker')).toBe(false);
    expect(Reflect.set(s, 'Worker', stub)).toBe(false);
    expect(Reflect.defineProperty(s, 'Worker', { value: stub })).toBe(false);
    expect(s.Worker).toBe(sealedStub);
  });

  it("pins a native socket's constructor to the runtime's class", () => {
    sealGlobals(scope(), { runtime: RuntimeSocket, native: NativeSocket });
    expect(new NativeSocket().constructor).toBe(RuntimeSocket);
    expect(Reflect.set(NativeSocket.prototype, 'constructor', NativeSocket)).toBe(false);
  });
});
