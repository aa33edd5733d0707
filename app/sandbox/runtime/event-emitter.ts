/**
 * Node's EventEmitter, as much as `ws` code uses: on/once/off (and their aliases),
 * prependListener, emit (an 'error' with no listener throws, as in Node), listenerCount,
 * listeners, eventNames, removeAllListeners.
 */

export type Listener = ((...a: unknown[]) => unknown) & { listener?: (...a: unknown[]) => unknown };
export class EventEmitter {
  _events = new Map<string | symbol, Listener[]>();
  static defaultMaxListeners = 10;
  on(event: string | symbol, fn: Listener): this {
    if (typeof fn !== 'function') throw new TypeError('The "listener" argument must be of type function');
    const list = this._events.get(event) ?? [];
    list.push(fn);
    this._events.set(event, list);
    return this;
  }
  addListener(event: string | symbol, fn: Listener): this {
    return this.on(event, fn);
  }
  prependListener(event: string | symbol, fn: Listener): this {
    this._events.set(event, [fn, ...(this._events.get(event) ?? [])]);
    return this;
  }
  once(event: string | symbol, fn: Listener): this {
    // emit() calls listeners with the emitter as `this`: the arrow passes it on.
    const wrapper: Listener = (...args: unknown[]) => {
      this.off(event, wrapper);
      return fn.apply(this, args);
    };
    wrapper.listener = fn;
    return this.on(event, wrapper);
  }
  off(event: string | symbol, fn: Listener): this {
    const list = this._events.get(event);
    if (!list) return this;
    const i = list.findIndex((l) => l === fn || l.listener === fn);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this._events.delete(event);
    return this;
  }
  removeListener(event: string | symbol, fn: Listener): this {
    return this.off(event, fn);
  }
  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this._events.clear();
    else this._events.delete(event);
    return this;
  }
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this._events.get(event);
    if (!list || list.length === 0) {
      if (event === 'error')
        throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${String(args[0])})`);
      return false;
    }
    for (const fn of [...list]) fn.apply(this, args);
    return true;
  }
  listenerCount(event: string | symbol): number {
    return this._events.get(event)?.length ?? 0;
  }
  listeners(event: string | symbol): Listener[] {
    return (this._events.get(event) ?? []).map((l) => l.listener ?? l);
  }
  eventNames(): (string | symbol)[] {
    return [...this._events.keys()];
  }
  setMaxListeners(): this {
    return this;
  }
  getMaxListeners(): number {
    return EventEmitter.defaultMaxListeners;
  }
}
Object.defineProperty(EventEmitter, 'name', { value: 'EventEmitter' });
