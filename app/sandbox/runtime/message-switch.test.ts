import { describe, expect, test } from 'vitest';
import type { HostMessage } from '../protocol.ts';
import { createMessageSwitch } from './message-switch.ts';

function setup(takers: boolean[]) {
  const seen: string[] = [];
  const route = createMessageSwitch({
    init: () => seen.push('init'),
    hosts: (h) => seen.push(`hosts ${h.join(',')}`),
    run: () => seen.push('run'),
    command: (m) => seen.push(`command ${m.op}`),
    sockets: takers.map((takes, i) => (m: HostMessage) => (seen.push(`socket ${i} ${m.kind}`), takes)),
    servers: (m) => seen.push(`server ${m.kind}`),
  });
  return { route, seen };
}

describe("the worker's message switch", () => {
  test('set-up and commands go to their handlers', () => {
    const { route, seen } = setup([]);
    route({ kind: 'init', init: { mode: 'static', base: 'http://x/', virtualHosts: [], beatMs: 1 } });
    route({ kind: 'hosts', virtualHosts: ['localhost:1'] });
    route({ kind: 'run', run: { code: '', filename: 'learner.js' } });
    route({ kind: 'sock:cmd', id: 1, op: 'close' });
    expect(seen).toEqual(['init', 'hosts localhost:1', 'run', 'command close']);
  });

  test('a ws:* message goes to the first socket kind that takes it, and never to the servers', () => {
    const { route, seen } = setup([false, true, true]);
    route({ kind: 'ws:closing', id: 3 });
    expect(seen).toEqual(['socket 0 ws:closing', 'socket 1 ws:closing']);
  });

  test('srv:* and conn:* go to the servers', () => {
    const { route, seen } = setup([true]);
    route({ kind: 'srv:listening', sid: 1, port: 8080 });
    route({ kind: 'conn:close', cid: 1, code: 1000, reason: '' });
    expect(seen).toEqual(['server srv:listening', 'server conn:close']);
  });
});
