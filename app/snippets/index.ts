/**
 * The snippet library: small, runnable programs, each with a title and a one-line description.
 * The code lives in the .js files beside this one (imported as text), so it is real
 * JavaScript that lint and the snippet type-check test (snippets.test.ts) read too.
 */
import backpressure from './backpressure.js?raw';
import binary from './binary.js?raw';
import chatClient from './chat-client.js?raw';
import chatServer from './chat-server.js?raw';
import connectLog from './connect-log.js?raw';
import deadPeer from './dead-peer.js?raw';
import errors from './errors.js?raw';
import heartbeatClient from './heartbeat-client.js?raw';
import heartbeatServer from './heartbeat-server.js?raw';
import reconnect from './reconnect.js?raw';
import sendClose from './send-close.js?raw';
import subprotocol from './subprotocol.js?raw';

export type SnippetKind = 'client' | 'server';

export interface Snippet {
  /** Stable id: storage keys and share links use it. */
  id: string;
  title: string;
  /** One line: what it shows. */
  description: string;
  kind: SnippetKind;
  language: 'javascript' | 'typescript';
  code: string;
  /** The id of the lesson that teaches what this snippet shows, step by step (checked by lessons/content.test.ts). */
  lesson?: string;
}

const js = (
  id: string,
  title: string,
  description: string,
  kind: SnippetKind,
  code: string,
  lesson?: string,
): Snippet => ({
  id,
  title,
  description,
  kind,
  language: 'javascript',
  code,
  ...(lesson ? { lesson } : {}),
});

export const SNIPPETS: readonly Snippet[] = [
  js(
    'connect-log',
    'Connect and log events',
    'Open a socket, watch readyState, and log open, message, error and close.',
    'client',
    connectLog,
    'lifecycle',
  ),
  js(
    'send-close',
    'Send and close',
    'Send three messages, then close with a code and a reason.',
    'client',
    sendClose,
    'closing',
  ),
  js(
    'binary',
    'Binary data and binaryType',
    "Text frames, binary frames, and 'arraybuffer' versus 'blob'.",
    'client',
    binary,
    'text-and-binary',
  ),
  js(
    'backpressure',
    'Throttle with bufferedAmount',
    'Send 12 MiB without queueing more than 1 MiB at a time.',
    'client',
    backpressure,
    'backpressure',
  ),
  js(
    'heartbeat-client',
    'Heartbeat (client)',
    'An application-level ping that notices a dead connection.',
    'client',
    heartbeatClient,
    'heartbeats',
  ),
  js(
    'heartbeat-server',
    'Heartbeat (server)',
    'Ping every client; terminate the ones that miss a pong.',
    'server',
    heartbeatServer,
    'heartbeats',
  ),
  js(
    'dead-peer',
    'A peer that stops answering',
    "A ws client with autoPong off: the heartbeat server's prey.",
    'client',
    deadPeer,
    'heartbeats',
  ),
  js(
    'reconnect',
    'Reconnect with backoff',
    'Exponential backoff with full jitter after the server drops you.',
    'client',
    reconnect,
    'reconnect',
  ),
  js(
    'subprotocol',
    'Subprotocol negotiation',
    'Offer subprotocols and see which one the server picks.',
    'client',
    subprotocol,
    'subprotocols',
  ),
  js(
    'chat-server',
    'Chat server',
    'A ws server that broadcasts every message to every client.',
    'server',
    chatServer,
    'chat-room',
  ),
  js(
    'chat-client',
    'Chat client',
    'Join the chat server on ws://localhost:8080 and say hello.',
    'client',
    chatClient,
    'chat-room',
  ),
  js(
    'errors',
    'Errors and close codes',
    'Exceptions, error events, 1006 and a server-chosen close code.',
    'client',
    errors,
    'lifecycle',
  ),
];

export function findSnippet(id: string): Snippet | undefined {
  return SNIPPETS.find((s) => s.id === id);
}
