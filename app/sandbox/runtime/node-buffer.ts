/**
 * The part of Node's `Buffer` that `ws` code uses (its messages arrive as Buffers): from/alloc/
 * concat/byteLength/isBuffer, toString in utf8, hex, base64 and latin1, equals, toJSON. A
 * Uint8Array underneath, as in Node.
 */

const encoder = new TextEncoder();
/** Keeps a leading U+FEFF, as Node's Buffer#toString does. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export const isBinary = (d: unknown): d is ArrayBuffer | ArrayBufferView =>
  d instanceof ArrayBuffer || ArrayBuffer.isView(d);
export const toBytes = (d: ArrayBuffer | ArrayBufferView): Uint8Array =>
  d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

export class NodeBuffer extends Uint8Array {
  static override from(value: unknown, encodingOrOffset?: unknown, length?: number): NodeBuffer {
    if (typeof value === 'string') {
      if (encodingOrOffset === 'hex') {
        const clean = value.replace(/[^0-9a-f]/gi, '');
        const out = new NodeBuffer(clean.length >> 1);
        for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
        return out;
      }
      if (encodingOrOffset === 'base64') {
        const bin = atob(value);
        const out = new NodeBuffer(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      }
      const bytes = encoder.encode(value);
      return new NodeBuffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (value instanceof ArrayBuffer) {
      const offset = typeof encodingOrOffset === 'number' ? encodingOrOffset : 0;
      return new NodeBuffer(value, offset, length ?? value.byteLength - offset);
    }
    if (ArrayBuffer.isView(value)) {
      const copy = new NodeBuffer(value.byteLength);
      copy.set(toBytes(value));
      return copy;
    }
    if (Array.isArray(value)) return new NodeBuffer(value);
    throw new TypeError(
      'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array',
    );
  }
  static alloc(size: number, fill = 0): NodeBuffer {
    return new NodeBuffer(size).fill(typeof fill === 'number' ? fill : 0) as NodeBuffer;
  }
  static isBuffer(value: unknown): boolean {
    return value instanceof NodeBuffer;
  }
  static byteLength(value: unknown): number {
    if (typeof value === 'string') return encoder.encode(value).length;
    if (isBinary(value)) return value.byteLength;
    return 0;
  }
  static concat(list: readonly Uint8Array[], total?: number): NodeBuffer {
    const size = total ?? list.reduce((n, b) => n + b.length, 0);
    const out = new NodeBuffer(size);
    let at = 0;
    for (const b of list) {
      out.set(b.subarray(0, Math.max(0, size - at)), at);
      at += b.length;
      if (at >= size) break;
    }
    return out;
  }
  override toString(encoding = 'utf8', start = 0, end = this.length): string {
    const part = this.subarray(start, end);
    if (encoding === 'hex') return Array.from(part, (b) => b.toString(16).padStart(2, '0')).join('');
    if (encoding === 'base64') return btoa(String.fromCharCode(...part));
    if (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii')
      return String.fromCharCode(...part);
    return decoder.decode(part);
  }
  toJSON(): { type: 'Buffer'; data: number[] } {
    return { type: 'Buffer', data: Array.from(this) };
  }
  equals(other: Uint8Array): boolean {
    return other.length === this.length && this.every((b, i) => b === other[i]);
  }
  static get [Symbol.species](): Uint8ArrayConstructor {
    return NodeBuffer as unknown as Uint8ArrayConstructor;
  }
}
Object.defineProperty(NodeBuffer, 'name', { value: 'Buffer' });

/** UTF-8 text of bytes, a leading U+FEFF kept (as ws gives a text message). */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** UTF-8 bytes of text. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}
