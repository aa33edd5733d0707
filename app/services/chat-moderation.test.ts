import { describe, expect, it } from 'vitest';
import { ChatModeration, studentKey } from './chat-moderation.ts';
import type { MessageData, ServiceSocket } from './service.ts';

/** The parts of a socket the policy uses; `sent` records what reached the member. */
function member(remote: string, bufferedAmount = 0) {
  const sent: MessageData[] = [];
  const socket = {
    remote,
    bufferedAmount,
    readyState: 'OPEN',
    send: (d: MessageData) => void sent.push(d),
    sendText: (d: string) => void sent.push(d),
  } as unknown as ServiceSocket & { bufferedAmount: number };
  return { socket, sent };
}

describe('ChatModeration', () => {
  it('keys a student by IP address, for IPv4 and IPv6 remotes', () => {
    expect(studentKey({ remote: '10.0.0.7:51234' })).toBe('10.0.0.7');
    expect(studentKey({ remote: '::ffff:10.0.0.7:51234' })).toBe('::ffff:10.0.0.7');
  });

  it('skips broadcasts to a member whose queue is over the bound, then tells it how many it missed', () => {
    const m = new ChatModeration({ rate: 20, maxMessageSize: 1024, queueBytes: 1000 });
    const slow = member('10.0.0.1:1', 5000);
    m.deliver(slow.socket, 'a');
    m.deliver(slow.socket, 'b');
    expect(slow.sent).toEqual([]);
    expect(m.skippedTotal).toBe(2);
    (slow.socket as { bufferedAmount: number }).bufferedAmount = 0;
    m.deliver(slow.socket, 'c');
    expect(JSON.parse(String(slow.sent[0]))).toMatchObject({ type: 'skipped', count: 2 });
    expect(slow.sent[1]).toBe('c');
    m.deliver(slow.socket, 'd');
    expect(slow.sent).toHaveLength(3);
  });

  it('delivers to a member under the bound as it is, with no notice', () => {
    const m = new ChatModeration({ rate: 20, maxMessageSize: 1024, queueBytes: 1000 });
    const ok = member('10.0.0.2:1', 999);
    m.deliver(ok.socket, 'hi');
    expect(ok.sent).toEqual(['hi']);
  });

  it("drops a muted student's message from any of their sockets and tells the sender", () => {
    const m = new ChatModeration();
    const a = member('10.0.0.3:1');
    const b = member('10.0.0.3:2');
    m.muted.add('10.0.0.3');
    expect(m.admit(a.socket, 'x')).toBe(false);
    expect(m.admit(b.socket, 'y')).toBe(false);
    expect(JSON.parse(String(a.sent[0]))).toMatchObject({ type: 'moderation', text: /muted/ });
    expect(m.log).toEqual([]);
    expect(m.droppedTotal).toBe(2);
  });

  it('slow mode lets one message through per interval per connection', () => {
    let t = 0;
    const m = new ChatModeration(undefined, () => t);
    m.slowSeconds = 10;
    const a = member('10.0.0.4:1');
    expect(m.admit(a.socket, '1')).toBe(true);
    t = 9_999;
    expect(m.admit(a.socket, '2')).toBe(false);
    t = 10_000;
    expect(m.admit(a.socket, '3')).toBe(true);
    expect(m.log.map((l) => l.text)).toEqual(['1', '3']);
  });

  it('keeps the last 50 lines for the dashboard, text cut to 200 characters, binary by size', () => {
    const m = new ChatModeration();
    const a = member('10.0.0.5:1');
    for (let i = 0; i < 60; i++) m.admit(a.socket, `m${i}`);
    m.admit(a.socket, 'x'.repeat(300));
    m.admit(a.socket, new Uint8Array(3));
    expect(m.log).toHaveLength(50);
    expect(m.log.at(-2)?.text).toHaveLength(200);
    expect(m.log.at(-1)?.text).toBe('(binary, 3 bytes)');
  });
});
