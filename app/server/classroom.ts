/**
 * What `classroom` adds to `serve`: the moderated /chat with its limits, the classroom services
 * (app/services/classroom.ts), the dashboard's secret, and the page's probe
 * (`GET /__classroom/info` answers `{"classroom":true}`; on `serve`, the static site or Vite the
 * path is just a missing file, so a page never reports anything there).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLASSROOM_CHAT_LIMITS, ChatModeration, type ChatLimits } from '../services/chat-moderation.ts';
import { CHAT_HISTORY, createChatService } from '../services/chat.ts';
import { createClassroom, type Classroom } from '../services/classroom.ts';
import { CLASSROOM_INFO_PATH } from '../services/classroom-protocol.ts';
import { createServices } from '../services/index.ts';
import type { ServiceIndex } from '../services/service.ts';
import type { ConnectionInfo, PlaygroundServerOptions } from './server.ts';

export interface ClassroomHostOptions {
  /** The dashboard's secret; default 16 random bytes, base64url. */
  secret?: string;
  chat?: Partial<ChatLimits>;
  stuckAfterMs?: number;
  now?: () => number;
}

export interface ClassroomHost {
  readonly secret: string;
  readonly classroom: Classroom;
  readonly moderation: ChatModeration;
  /** Every service, /chat moderated, plus the classroom's two. */
  readonly services: ServiceIndex;
  /** Hooks for the playground server: the socket count per student. */
  readonly hooks: Required<Pick<PlaygroundServerOptions, 'onOpen' | 'onClose'>>;
  /** Answers the page's probe; false for every other request. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
}

export function newSecret(): string {
  return randomBytes(16).toString('base64url');
}

export function createClassroomHost(options: ClassroomHostOptions = {}): ClassroomHost {
  const limits: ChatLimits = { ...CLASSROOM_CHAT_LIMITS, ...options.chat };
  const moderation = new ChatModeration(limits, options.now);
  const chat = {
    ...createChatService(CHAT_HISTORY, moderation),
    rate: limits.rate,
    maxMessageSize: limits.maxMessageSize,
  };
  const secret = options.secret ?? newSecret();
  const classroom = createClassroom({
    secret,
    room: chat.room,
    moderation,
    ...(options.now ? { now: options.now } : {}),
    ...(options.stuckAfterMs !== undefined ? { stuckAfterMs: options.stuckAfterMs } : {}),
  });
  const services = new Map(createServices());
  services.set(chat.path, chat);
  services.set(classroom.student.path, classroom.student);
  services.set(classroom.dashboard.path, classroom.dashboard);
  return {
    secret,
    classroom,
    moderation,
    services,
    hooks: {
      onOpen: (info: ConnectionInfo) => classroom.connectionOpened(info.address),
      onClose: (info: ConnectionInfo) => classroom.connectionClosed(info.address),
    },
    handleRequest(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== CLASSROOM_INFO_PATH) return false;
      const body = JSON.stringify({ classroom: true });
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
