/**
 * How the sandbox's console turns values into text, in the spirit of Node's util.inspect and
 * the DevTools console: strings as they are at the top level, quoted inside objects; binary
 * data with its type and first bytes; events and errors by their useful fields.
 *
 * Part of the worker's bundle (worker-entry.ts); it is also self-contained (format.test.ts
 * checks it runs alone from its source text), which nothing requires any more.
 */
export function formatArgs(args: readonly unknown[], maxLength = 10_000): string {
  const MAX_DEPTH = 3;
  const MAX_ITEMS = 50;
  const MAX_BYTES = 32;

  const hex = (bytes: Uint8Array): string => {
    const shown = Array.from(bytes.subarray(0, MAX_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return bytes.length > MAX_BYTES ? `${shown} … ${bytes.length - MAX_BYTES} more` : shown;
  };
  const quote = (s: string): string =>
    `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  const ctorName = (v: object): string => {
    const c = (v as { constructor?: { name?: unknown } }).constructor;
    return c && typeof c.name === 'string' ? c.name : '';
  };
  const has = (name: string): unknown => (globalThis as Record<string, unknown>)[name];
  const isA = (v: unknown, name: string): boolean => {
    const C = has(name);
    return typeof C === 'function' && v instanceof (C as new () => unknown);
  };

  const inspect = (v: unknown, depth: number, seen: object[]): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'undefined':
        return 'undefined';
      case 'string':
        return depth === 0 ? v : quote(v);
      case 'number':
        return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint':
        return `${v}n`;
      case 'boolean':
        return String(v);
      case 'symbol':
        return v.toString();
      case 'function': {
        const name = (v as { name?: string }).name;
        const isClass = /^class[\s{]/.test(Function.prototype.toString.call(v));
        return isClass ? `[class ${name || '(anonymous)'}]` : `[Function: ${name || '(anonymous)'}]`;
      }
    }
    const o = v as object;
    if (seen.includes(o)) return '[Circular]';
    if (o instanceof Error) {
      const stack =
        typeof o.stack === 'string' && o.stack.includes(o.message) ? o.stack : `${o.name}: ${o.message}`;
      return depth === 0 ? stack : `[${o.name}: ${o.message}]`;
    }
    if (o instanceof ArrayBuffer)
      return `ArrayBuffer { byteLength: ${o.byteLength} } <${hex(new Uint8Array(o))}>`;
    if (ArrayBuffer.isView(o)) {
      const name = ctorName(o) || 'TypedArray';
      if (o instanceof Uint8Array) {
        // A Node-style Buffer shows as <Buffer 68 69>, other byte arrays as their values.
        if (name === 'Buffer') return `<Buffer${o.length ? ' ' + hex(o) : ''}>`;
      }
      if (o instanceof DataView)
        return `DataView { byteLength: ${o.byteLength} } <${hex(new Uint8Array(o.buffer, o.byteOffset, o.byteLength))}>`;
      const arr = o as unknown as ArrayLike<number | bigint>;
      const items = Array.from({ length: Math.min(arr.length, MAX_ITEMS) }, (_, i) => String(arr[i]));
      if (arr.length > MAX_ITEMS) items.push(`… ${arr.length - MAX_ITEMS} more`);
      return `${name}(${arr.length}) [${items.length ? ' ' + items.join(', ') + ' ' : ''}]`;
    }
    if (isA(o, 'Blob')) {
      const b = o as Blob;
      return `${ctorName(o) || 'Blob'} { size: ${b.size}, type: ${quote(b.type)} }`;
    }
    if (isA(o, 'Event')) {
      const e = o as Event & { data?: unknown; code?: number; reason?: string; wasClean?: boolean };
      const fields = [`type: ${quote(e.type)}`];
      if (e.type === 'message' || 'data' in e)
        fields.push(`data: ${inspect(e.data, depth + 1, [...seen, o])}`);
      if (typeof e.code === 'number') fields.push(`code: ${e.code}`);
      if (typeof e.reason === 'string') fields.push(`reason: ${quote(e.reason)}`);
      if (typeof e.wasClean === 'boolean') fields.push(`wasClean: ${e.wasClean}`);
      return `${ctorName(o) || 'Event'} { ${fields.join(', ')} }`;
    }
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
    if (o instanceof RegExp) return String(o);
    if (o instanceof Promise) return 'Promise { … }';
    if (depth >= MAX_DEPTH) return Array.isArray(o) ? '[Array]' : `[${ctorName(o) || 'Object'}]`;
    const next = [...seen, o];
    if (Array.isArray(o)) {
      const items = o.slice(0, MAX_ITEMS).map((x) => inspect(x, depth + 1, next));
      if (o.length > MAX_ITEMS) items.push(`… ${o.length - MAX_ITEMS} more items`);
      return items.length ? `[ ${items.join(', ')} ]` : '[]';
    }
    if (o instanceof Map) {
      const items = [...o]
        .slice(0, MAX_ITEMS)
        .map(([k, x]) => `${inspect(k, depth + 1, next)} => ${inspect(x, depth + 1, next)}`);
      return `Map(${o.size}) {${items.length ? ' ' + items.join(', ') + ' ' : ''}}`;
    }
    if (o instanceof Set) {
      const items = [...o].slice(0, MAX_ITEMS).map((x) => inspect(x, depth + 1, next));
      return `Set(${o.size}) {${items.length ? ' ' + items.join(', ') + ' ' : ''}}`;
    }
    const keys = Object.keys(o);
    const items = keys.slice(0, MAX_ITEMS).map((k) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
      let value: string;
      try {
        value = inspect((o as Record<string, unknown>)[k], depth + 1, next);
      } catch {
        value = '[getter threw]';
      }
      return `${key}: ${value}`;
    });
    if (keys.length > MAX_ITEMS) items.push(`… ${keys.length - MAX_ITEMS} more`);
    const name = ctorName(o);
    const prefix = name && name !== 'Object' ? `${name} ` : '';
    return items.length ? `${prefix}{ ${items.join(', ')} }` : `${prefix}{}`;
  };

  // printf-style substitutions in a leading string, as console.log('%s: %d', a, b).
  const rest = [...args];
  const parts: string[] = [];
  if (typeof rest[0] === 'string' && /%[sdifoOjc%]/.test(rest[0])) {
    const fmt = rest.shift() as string;
    parts.push(
      fmt.replace(/%([sdifoOjc%])/g, (m, k: string) => {
        if (k === '%') return '%';
        if (rest.length === 0) return m;
        const a = rest.shift();
        switch (k) {
          case 's':
            return typeof a === 'string' ? a : inspect(a, 1, []);
          case 'd':
          case 'i':
            return typeof a === 'bigint' ? `${a}n` : String(k === 'i' ? Math.trunc(Number(a)) : Number(a));
          case 'f':
            return String(Number(a));
          case 'c':
            return ''; // CSS has no place in a terminal
          default:
            return inspect(a, 1, []);
        }
      }),
    );
  }
  for (const a of rest) parts.push(inspect(a, 0, []));
  const text = parts.join(' ');
  return text.length > maxLength
    ? `${text.slice(0, maxLength)}… (${text.length - maxLength} more characters)`
    : text;
}
