/**
 * The sandbox's memory meter: an estimate of what learner code holds in big arrays, so a
 * runaway allocation is stopped before the worker's JS heap reaches V8's limit. (In Chromium a
 * worker that hits its heap limit takes the whole renderer down: the page dies with it, about
 * 14 s into issue 17's snippet here, at ~3.9 GB.)
 *
 * Why an estimate: a worker has no view of its own heap in Chromium (no performance.memory,
 * no console.memory; measureUserAgentSpecificMemory needs cross-origin isolation, and even
 * then had not answered after 10 s of the snippet), and the page's performance.memory covers
 * its own thread only. So the meter counts where big heaps are built: every array method that
 * creates or grows an array past 64 Ki elements (fill, push, unshift, splice, concat, slice,
 * map, filter, flat, flatMap, Array.from, Array.of) counts 8 bytes per element of it, once
 * per size step, and a FinalizationRegistry gives the bytes back when the garbage collector
 * frees the array. Past `limit`, the allocation that crossed it throws a RangeError (a
 * synchronous loop stops there) and `onOver` tells the page, which removes the sandbox.
 *
 * Not counted: arrays filled by index (`a[i] = x`), strings, Maps, plain objects, what array
 * elements point to. A careless bomb is caught; a deliberate one can still get past.
 *
 * Part of the worker's bundle (worker-entry.ts), applied just before learner code runs.
 */
export interface MemoryMeter {
  /** Bytes counted as live now. */
  readonly bytes: number;
  readonly limit: number;
}

export function installMemoryMeter(
  scope: { Array: ArrayConstructor },
  limit: number,
  onOver: (bytes: number, limit: number) => void,
): MemoryMeter {
  /** Arrays shorter than this are not counted (their sum is bounded by the runtime's own use). */
  const THRESHOLD = 1 << 16;
  /** Bytes per element: a double or a pointer, as V8 stores a fast array's elements. */
  const SLOT = 8;
  const apply = Reflect.apply;
  const isArray = Array.isArray;
  const Arr = scope.Array;
  const proto = Arr.prototype as unknown as Record<string, unknown>;

  let live = 0;
  let over = false;
  const counted = new WeakMap<object, { bytes: number }>();
  const registry = new FinalizationRegistry<{ bytes: number }>((cell) => {
    live -= cell.bytes;
  });

  const mib = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;
  const count = (value: unknown): void => {
    if (!isArray(value)) return;
    const length = (value as unknown[]).length;
    if (length < THRESHOLD) return;
    let cell = counted.get(value as object);
    if (!cell) {
      cell = { bytes: 0 };
      counted.set(value as object, cell);
      registry.register(value as object, cell);
    }
    const bytes = length * SLOT;
    if (bytes <= cell.bytes) return;
    live += bytes - cell.bytes;
    cell.bytes = bytes;
    if (live > limit || over) {
      if (!over) {
        over = true;
        onOver(live, limit);
      }
      throw new RangeError(
        `Out of memory: your code holds about ${mib(live)} in arrays, over the playground's ${mib(limit)}`,
      );
    }
  };

  const wrap = (host: Record<string, unknown>, name: string, counts: 'this' | 'result'): void => {
    const original = host[name];
    if (typeof original !== 'function') return;
    const wrapper = {
      [name](this: unknown, ...args: unknown[]): unknown {
        const result = apply(original as (...a: unknown[]) => unknown, this, args);
        // push and unshift return the new length: count on each doubling only, so a long push
        // loop costs one comparison per call.
        if (counts === 'this') {
          if (typeof result !== 'number' || (result >= THRESHOLD && (result & (result - 1)) === 0))
            count(this);
        } else count(result);
        return result;
      },
    }[name] as (...a: unknown[]) => unknown;
    Object.defineProperty(wrapper, 'length', { value: (original as { length: number }).length });
    Object.defineProperty(host, name, {
      value: wrapper,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  };
  for (const name of ['push', 'unshift']) wrap(proto, name, 'this');
  // fill and splice leave the array's length where it is, or grow it: count the array itself.
  const always = (name: string): void => {
    const original = proto[name];
    if (typeof original !== 'function') return;
    const wrapper = {
      [name](this: unknown, ...args: unknown[]): unknown {
        const result = apply(original as (...a: unknown[]) => unknown, this, args);
        count(this);
        if (name === 'splice') count(result);
        return result;
      },
    }[name] as (...a: unknown[]) => unknown;
    Object.defineProperty(wrapper, 'length', { value: (original as { length: number }).length });
    Object.defineProperty(proto, name, {
      value: wrapper,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  };
  always('fill');
  always('splice');
  for (const name of ['concat', 'slice', 'map', 'filter', 'flat', 'flatMap']) wrap(proto, name, 'result');
  const statics = Arr as unknown as Record<string, unknown>;
  for (const name of ['from', 'of']) wrap(statics, name, 'result');

  return {
    get bytes() {
      return live;
    },
    limit,
  };
}
