/**
 * The browser transport: LoopbackWebSocket (the browser's WebSocket API) over an in-page
 * virtual network that hosts the playground's services on real RFC 6455 bytes.
 * See README.md beside this file.
 */
export { LoopbackWebSocket, LOOPBACK, bindNetwork, type LoopbackControls } from './websocket.ts';
export {
  VirtualNetwork,
  getDefaultNetwork,
  setDefaultNetwork,
  cryptoEntropy,
  LOOPBACK_HOST,
  type VirtualNetworkOptions,
  type HandshakeFault,
  type NetworkConnection,
  type ConnectOptions,
} from './network.ts';
export { WIRE, WireLog, type WireSource, type WireEvent } from './wire.ts';
export { type LinkConditions } from './link.ts';
export { browserScheduler, ManualScheduler, type Scheduler } from './scheduler.ts';
export {
  TransportChoice,
  probeServer,
  serviceUrl,
  uncompressedUrl,
  type TransportMode,
  type TransportState,
} from './mode.ts';
export { LoopbackTransport, type LoopbackOpened } from './transport.ts';
export { exchange, loopbackFetch, browserRequestHead, type HttpExchange } from './http.ts';
export { type ClientChannel, type ClientSink, type CloseReport } from './client.ts';
