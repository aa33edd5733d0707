/**
 * The bytes of the page's WebAssembly SIMD mask kernel (RFC 6455 §5.3), built from named
 * opcodes. Its readable source is wasm-mask.wat beside this file: `MASK_BODY` below is that
 * function body, one entry per line of the .wat (wasm-mask-module.test.ts checks they agree),
 * and `maskModuleBytes()` wraps it in the module the .wat declares: one memory page exported as
 * "memory", one function `mask(len: i32, key: i32)` exported as "mask".
 *
 * Binary format: WebAssembly Core Specification 2.0, chapter 5; the SIMD opcodes (0xfd prefix)
 * are in its section 5.4.8.
 */

/** One instruction as the .wat writes it: the mnemonic, then its immediates. */
export type Instruction = readonly [mnemonic: string, ...immediates: string[]];

/** The function's parameters then locals, in index order, with their value types. */
export const MASK_LOCALS: readonly (readonly [name: string, type: 'i32' | 'v128'])[] = [
  ['$len', 'i32'],
  ['$key', 'i32'],
  ['$k', 'v128'],
  ['$p', 'i32'],
  ['$end', 'i32'],
];
const PARAMS = 2;

const get = (name: string): Instruction => ['local.get', name];
const set = (name: string): Instruction => ['local.set', name];
const i32 = (n: number): Instruction => ['i32.const', String(n)];
/** memory[$p + offset .. +16) ^= $k: five lines of the .wat. */
const xorBlock = (offset: number): Instruction[] => [
  get('$p'),
  get('$p'),
  ['v128.load', `offset=${offset}`, 'align=16'],
  get('$k'),
  ['v128.xor'],
  ['v128.store', `offset=${offset}`, 'align=16'],
];
/** `block $done  loop $next  (exit when $p >= limit)  ...body...  $p += step  br $next  end end` */
const loopWhileBelow = (label: string, limit: string, step: number, body: Instruction[]): Instruction[] => [
  ['block', `$done${label}`],
  ['loop', `$next${label}`],
  get('$p'),
  get(limit),
  ['i32.ge_u'],
  ['br_if', `$done${label}`],
  ...body,
  get('$p'),
  i32(step),
  ['i32.add'],
  set('$p'),
  ['br', `$next${label}`],
  ['end'],
  ['end'],
];

/** The body of `mask`, as in wasm-mask.wat. */
export const MASK_BODY: readonly Instruction[] = [
  get('$key'),
  ['i32x4.splat'],
  set('$k'),
  get('$len'),
  i32(-64),
  ['i32.and'],
  set('$end'),
  ...loopWhileBelow('64', '$end', 64, [...xorBlock(0), ...xorBlock(16), ...xorBlock(32), ...xorBlock(48)]),
  get('$len'),
  i32(-16),
  ['i32.and'],
  set('$end'),
  ...loopWhileBelow('16', '$end', 16, xorBlock(0)),
  ...loopWhileBelow('1', '$len', 1, [
    get('$p'),
    get('$p'),
    ['i32.load8_u', 'offset=0', 'align=1'],
    get('$key'),
    get('$p'),
    i32(3),
    ['i32.and'],
    i32(3),
    ['i32.shl'],
    ['i32.shr_u'],
    ['i32.xor'],
    ['i32.store8', 'offset=0', 'align=1'],
  ]),
];

/** Opcodes (spec 5.4); the SIMD ones are 0xfd then the instruction's number. */
const OPCODES: Record<string, readonly number[]> = {
  block: [0x02],
  loop: [0x03],
  end: [0x0b],
  br: [0x0c],
  br_if: [0x0d],
  'local.get': [0x20],
  'local.set': [0x21],
  'i32.load8_u': [0x2d],
  'i32.store8': [0x3a],
  'i32.const': [0x41],
  'i32.ge_u': [0x4f],
  'i32.add': [0x6a],
  'i32.and': [0x71],
  'i32.xor': [0x73],
  'i32.shl': [0x74],
  'i32.shr_u': [0x76],
  'v128.load': [0xfd, 0x00],
  'v128.store': [0xfd, 0x0b],
  'i32x4.splat': [0xfd, 0x11],
  'v128.xor': [0xfd, 0x51],
};

const VALUE_TYPE = { i32: 0x7f, v128: 0x7b } as const;
const EMPTY_BLOCK_TYPE = 0x40;

/** Unsigned LEB128 (spec 5.2.2). */
function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer (spec 5.2.2). */
function signed(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const last = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(last ? byte : byte | 0x80);
    if (last) return out;
  }
}

/** `offset=N align=A` as the binary memarg: log2 of the alignment, then the offset. */
function memarg(immediates: readonly string[]): number[] {
  const value = (name: string): number => {
    const found = immediates.find((s) => s.startsWith(`${name}=`));
    if (found === undefined) throw new Error(`memarg without ${name}=`);
    return Number(found.slice(name.length + 1));
  };
  return [...unsigned(Math.log2(value('align'))), ...unsigned(value('offset'))];
}

/** Encodes a linear-form body: locals by name, branch labels by name (to their depth). */
export function encodeBody(body: readonly Instruction[], locals: typeof MASK_LOCALS): number[] {
  const labels: string[] = [];
  const local = (name: string | undefined): number => {
    const index = locals.findIndex(([n]) => n === name);
    if (index < 0) throw new Error(`unknown local ${name}`);
    return index;
  };
  const out: number[] = [];
  for (const [mnemonic, ...imm] of body) {
    const opcode = OPCODES[mnemonic];
    if (opcode === undefined) throw new Error(`unknown instruction ${mnemonic}`);
    out.push(...opcode);
    if (mnemonic === 'block' || mnemonic === 'loop') {
      labels.push(imm[0]!);
      out.push(EMPTY_BLOCK_TYPE);
    } else if (mnemonic === 'end') {
      labels.pop();
    } else if (mnemonic === 'br' || mnemonic === 'br_if') {
      const at = labels.lastIndexOf(imm[0]!);
      if (at < 0) throw new Error(`unknown label ${imm[0]}`);
      out.push(...unsigned(labels.length - 1 - at));
    } else if (mnemonic.startsWith('local.')) {
      out.push(...unsigned(local(imm[0])));
    } else if (mnemonic === 'i32.const') {
      out.push(...signed(Number(imm[0])));
    } else if (imm.length > 0) {
      out.push(...memarg(imm));
    }
  }
  return [...out, ...OPCODES.end!]; // the function's own end
}

const vector = (items: readonly number[][]): number[] => [...unsigned(items.length), ...items.flat()];
const section = (id: number, content: number[]): number[] => [id, ...unsigned(content.length), ...content];
const name = (s: string): number[] => [...unsigned(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** The whole module (spec 5.5): type, function, memory, export and code sections. */
export function maskModuleBytes(): Uint8Array<ArrayBuffer> {
  const params = MASK_LOCALS.slice(0, PARAMS).map(([, t]) => VALUE_TYPE[t]);
  // Locals are declared in runs of one type: (count, type).
  const runs: number[][] = [];
  for (const [, t] of MASK_LOCALS.slice(PARAMS)) {
    const last = runs.at(-1);
    if (last && last[1] === VALUE_TYPE[t]) last[0]!++;
    else runs.push([1, VALUE_TYPE[t]]);
  }
  const code = [...vector(runs), ...encodeBody(MASK_BODY, MASK_LOCALS)];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[0x60, ...unsigned(params.length), ...params, 0x00]])), // (func (param i32 i32))
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(5, vector([[0x00, 1]])), // one memory: at least 1 page, no maximum
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('mask'), 0x00, 0],
      ]),
    ),
    ...section(10, vector([[...unsigned(code.length), ...code]])),
  ]);
}
