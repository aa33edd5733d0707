import { describe, expect, test } from 'vitest';
import {
  decodeBase64,
  encodeBase64,
  encodeUtf8,
  sha1,
  toHex,
  WEBSOCKET_GUID,
} from '../../app/protocol/index.ts';
import { diagnose, isEcho, stepsFor } from './diagnose.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='; // RFC 6455 §1.3's example
const GUID = WEBSOCKET_GUID;
const b64 = (b: Uint8Array): string => encodeBase64(b);
const h = (text: string): Uint8Array => sha1(encodeUtf8(text));

describe('diagnose', () => {
  test("§1.3's example key and accept are right", () => {
    expect(diagnose(KEY, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')).toEqual({ kind: 'right' });
    expect(stepsFor(KEY)).toEqual({
      joined: KEY + GUID,
      sha1Hex: 'b37a4f2cc0624f1690f64606cf385945b2bec4ea',
      accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
  });

  test.each([
    ['the key alone', b64(h(KEY)), 'key', 'the GUID is missing'],
    ['the GUID first', b64(h(GUID + KEY)), 'guid+key', 'the key comes first'],
    ['the GUID in lower case', b64(h(KEY + GUID.toLowerCase())), 'guid-lower', 'in capitals'],
    ['a space between', b64(h(`${KEY} ${GUID}`)), 'key guid', 'nothing goes between'],
    [
      'the decoded key bytes',
      b64(sha1(Uint8Array.from([...decodeBase64(KEY)!, ...encodeUtf8(GUID)]))),
      'key-bytes',
      'as text, its 24 characters',
    ],
    ['the GUID alone', b64(h(GUID)), 'guid', 'the key is missing'],
  ])('step 1 is named when the text hashed is %s', (_, answer, id, slip) => {
    const d = diagnose(KEY, answer);
    expect(d).toMatchObject({ kind: 'slip', first: 'concat', concat: { id } });
    if (d.kind === 'slip') expect(d.concat.slip).toContain(slip);
  });

  test.each([
    ['no hash at all (base64 of key + GUID)', b64(encodeUtf8(KEY + GUID)), 'none', 'skipped SHA-1'],
    [
      'the hex digest, base64-encoded',
      b64(encodeUtf8(toHex(h(KEY + GUID)))),
      'hex-text',
      '40-character hex text',
    ],
    [
      'the upper-case hex digest, base64-encoded',
      b64(encodeUtf8(toHex(h(KEY + GUID)).toUpperCase())),
      'HEX-text',
      '(in capitals)',
    ],
  ])('step 2 is named for %s', (_, answer, id, slip) => {
    const d = diagnose(KEY, answer);
    expect(d).toMatchObject({ kind: 'slip', first: 'sha1', concat: { id: 'key+guid' }, hash: { id } });
    if (d.kind === 'slip') expect(d.hash.slip).toContain(slip);
  });

  test.each([
    ['hex digits', toHex(h(KEY + GUID)), 'hex'],
    ['capital hex digits', toHex(h(KEY + GUID)).toUpperCase(), 'HEX'],
    ['base64url', 's3pPLMBiTxaQ9kYGzzhZRbK-xOo', 'base64url'],
    ['base64 without its padding', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo', 'no-padding'],
    ['a list of numbers', Array.from(h(KEY + GUID)).join(','), 'numbers'],
  ])('step 3 is named for %s', (_, answer, id) => {
    expect(diagnose(KEY, answer)).toMatchObject({
      kind: 'slip',
      first: 'base64',
      concat: { id: 'key+guid' },
      hash: { id: 'sha1' },
      encoding: { id },
    });
  });

  test('the first wrong step is named when several are wrong (key alone, then hex)', () => {
    expect(diagnose(KEY, toHex(h(KEY)))).toMatchObject({
      kind: 'slip',
      first: 'concat',
      concat: { id: 'key' },
      encoding: { id: 'hex' },
    });
  });

  test('key + GUID sent as it is: step 1 is right, step 2 is the one to do', () => {
    expect(diagnose(KEY, KEY + GUID)).toMatchObject({
      first: 'sha1',
      hash: { id: 'none' },
      encoding: { id: 'text' },
    });
  });

  test('the key sent back unchanged is recognised as no step done', () => {
    const d = diagnose(KEY, KEY);
    expect(isEcho(d)).toBe(true);
    expect(isEcho(diagnose(KEY, KEY + GUID))).toBe(false);
  });

  test('a misspelt GUID is unknown, and its shape points at the text hashed', () => {
    const d = diagnose(KEY, b64(h(KEY + GUID.replace('C5AB', 'C5BA'))));
    expect(d.kind).toBe('unknown');
    if (d.kind === 'unknown') expect(d.shape).toContain('base64 of 20 bytes, the size of a SHA-1');
    const hex = diagnose(KEY, toHex(h(KEY + 'x')));
    if (hex.kind === 'unknown') expect(hex.shape).toContain('40 hex digits');
    expect(hex.kind).toBe('unknown');
  });

  test('empty and odd answers are described by their shape', () => {
    expect(diagnose(KEY, '')).toEqual({ kind: 'unknown', shape: 'an empty value' });
    expect(diagnose(KEY, 'aGVsbG8=')).toEqual({
      kind: 'unknown',
      shape: 'base64 of 5 bytes, where a SHA-1 has 20',
    });
    expect(diagnose(KEY, 'hello?')).toEqual({
      kind: 'unknown',
      shape: '6 characters that no usual slip explains',
    });
  });

  test('values that were not strings are named for what they were', () => {
    expect(diagnose(KEY, 'undefined')).toMatchObject({
      shape: expect.stringContaining('does acceptFor return its result?'),
    });
    expect(diagnose(KEY, '[object Promise]')).toMatchObject({
      shape: expect.stringContaining('a Promise: acceptFor must return the value itself'),
    });
  });

  test('every diagnosis is made from this key: the right answer for another key is not right', () => {
    const other = 'x3JJHMbDL1EzLkh9GBhXDw==';
    expect(diagnose(other, stepsFor(KEY).accept).kind).toBe('unknown');
    expect(diagnose(other, stepsFor(other).accept)).toEqual({ kind: 'right' });
  });
});
