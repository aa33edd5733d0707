import { describe, expect, it } from 'vitest';
import { protocolProblem } from './headers.ts';

describe('protocolProblem (4.1: the server picks one of the offered subprotocols, or none)', () => {
  it('is undefined when the server picked none, or one the client offered', () => {
    expect(protocolProblem(undefined, undefined)).toBeUndefined();
    expect(protocolProblem('chat, superchat', undefined)).toBeUndefined();
    expect(protocolProblem('chat, superchat', 'superchat')).toBeUndefined();
  });

  it('names a subprotocol the client did not offer', () => {
    expect(protocolProblem(undefined, 'nonsense')).toBe(
      'The server named the subprotocol "nonsense", but the client offered none',
    );
    expect(protocolProblem('chat,json', 'nonsense')).toBe(
      'The server picked "nonsense", which the client did not offer (it offered chat, json)',
    );
  });
});
