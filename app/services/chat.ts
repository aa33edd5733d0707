import type { MessageData, Service, ServiceSocket } from './service.ts';

export const CHAT_HISTORY = 20;
/** Larger messages are broadcast but not kept, so the history stays small. */
export const CHAT_HISTORY_MAX_BYTES = 4096;

/** The room's notice on every join and leave, sent as a text message to all members. */
export interface PresenceNotice {
  type: 'presence';
  online: number;
  joined?: string;
  left?: string;
}

export interface ChatRoom {
  /** Open members, in order of arrival. */
  members(): readonly ServiceSocket[];
  /** The last messages, oldest first. */
  history(): readonly MessageData[];
  /** Forgets the history (the classroom's "clear"); newcomers then get none of it. */
  clear(): void;
}

/**
 * How a room is moderated (the classroom's, chat-moderation.ts); absent: every message goes to
 * every member as it is.
 */
export interface ChatPolicy {
  /** Before a member's message is kept and broadcast: false drops it (the policy tells the sender). */
  admit(from: ServiceSocket, data: MessageData): boolean;
  /** Hands one broadcast message to one member, or holds it back (a member whose queue is full). */
  deliver(to: ServiceSocket, data: MessageData): void;
}

export interface ChatService extends Service {
  readonly room: ChatRoom;
}

/**
 * /chat: one shared room per service instance (per server).
 * - every message is broadcast, verbatim and with its opcode, to every open member, the sender
 *   included (so a client sees its own message come back in the room's order);
 * - a newcomer first receives the last 20 messages (of at most 4 KiB each), verbatim;
 * - every join and leave sends all members a presence notice, a JSON text message
 *   `{"type":"presence","online":3,"joined":"c7"}`.
 */
export function createChatService(historySize = CHAT_HISTORY, policy?: ChatPolicy): ChatService {
  const members = new Set<ServiceSocket>();
  const history: MessageData[] = [];
  const announce = (notice: PresenceNotice): void => {
    const text = JSON.stringify(notice);
    for (const m of members) if (m.readyState === 'OPEN') m.sendText(text);
  };
  return {
    path: '/chat',
    description: 'a shared room: broadcasts every message to all members, with history and presence',
    room: {
      members: () => [...members],
      history: () => [...history],
      clear: () => void history.splice(0),
    },
    open(socket, ctx) {
      for (const old of history) socket.send(old);
      members.add(socket);
      ctx.log(`${socket.id} joined /chat (${members.size} online)`);
      announce({ type: 'presence', online: members.size, joined: socket.id });
      socket.on('message', (data) => {
        if (policy && !policy.admit(socket, data)) return;
        const size = typeof data === 'string' ? data.length * 3 : data.length;
        if (size <= CHAT_HISTORY_MAX_BYTES) {
          // A copy: received bytes may share memory with the whole chunk they came in.
          history.push(typeof data === 'string' ? data : data.slice());
          if (history.length > historySize) history.shift();
        }
        for (const m of members) {
          if (m.readyState !== 'OPEN') continue;
          if (policy) policy.deliver(m, data);
          else m.send(data);
        }
      });
      socket.on('close', () => {
        if (!members.delete(socket)) return;
        ctx.log(`${socket.id} left /chat (${members.size} online)`);
        announce({ type: 'presence', online: members.size, left: socket.id });
      });
    },
  };
}
