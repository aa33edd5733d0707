import { describe, expect, test } from 'vitest';
import { EventEmitter } from './event-emitter.ts';

describe('EventEmitter (as Node)', () => {
  test('listeners run in order with the emitter as this; prependListener goes first', () => {
    const e = new EventEmitter();
    const seen: string[] = [];
    e.on('x', function (this: unknown, a: unknown) {
      seen.push(`on ${String(a)} ${this === e}`);
    });
    e.prependListener('x', () => seen.push('first'));
    expect(e.emit('x', 1)).toBe(true);
    expect(seen).toEqual(['first', 'on 1 true']);
    expect(e.emit('nobody')).toBe(false);
  });

  test('once runs once, and off removes it by the original function', () => {
    const e = new EventEmitter();
    let n = 0;
    const fn = (): void => void n++;
    e.once('x', fn);
    expect(e.listeners('x')).toEqual([fn]);
    e.emit('x');
    e.emit('x');
    expect(n).toBe(1);
    e.once('y', fn);
    e.off('y', fn);
    expect(e.listenerCount('y')).toBe(0);
    expect(e.eventNames()).toEqual([]);
  });

  test("an 'error' with no listener throws it; with one it is handed over", () => {
    const e = new EventEmitter();
    const boom = new Error('boom');
    expect(() => e.emit('error', boom)).toThrow(boom);
    expect(() => e.emit('error', 'text')).toThrow('Unhandled error. (text)');
    const got: unknown[] = [];
    e.on('error', (err) => got.push(err));
    e.emit('error', boom);
    expect(got).toEqual([boom]);
  });

  test('a listener removed while emitting still runs this time (the list is copied)', () => {
    const e = new EventEmitter();
    const seen: string[] = [];
    const b = (): void => void seen.push('b');
    e.on('x', () => {
      seen.push('a');
      e.off('x', b);
    });
    e.on('x', b);
    e.emit('x');
    e.emit('x');
    expect(seen).toEqual(['a', 'b', 'a']);
  });

  test('a listener must be a function (TypeError), and the class is named EventEmitter', () => {
    expect(() => new EventEmitter().on('x', 5 as never)).toThrow(TypeError);
    expect(EventEmitter.name).toBe('EventEmitter');
  });
});
