/**
 * The engine's opening handshake (§4): parsing the HTTP request and response, and
 * Sec-WebSocket-Accept step by step. A door of its own, beside lib/engine.ts: the handshake view
 * and the lessons load on demand, and the handshake modules with them.
 */
export { acceptSteps, computeAccept, WEBSOCKET_GUID } from '../../protocol/handshake.ts';
export { HeadReader, parseRequest, parseResponse } from '../../protocol/http.ts';
