export type { SocketAddress } from './socket-address.js';
export { UdpBindError } from './udp-bind-error.js';
export type { UdpOpenStep } from './udp-bind-error.js';
export { SEND_BATCH_DATAGRAMS_MAX } from './send-batch.js';
export { UdpEndpoint } from './udp-endpoint.js';
export type {
  DatagramHandler,
  ErrorHandler,
  MulticastOptions,
  UdpBufferSizes,
  UdpEndpointOptions,
  UdpEndpointStats,
} from './udp-endpoint.js';
export {
  CLOSE_DRAIN_MS_MAX,
  SOCKET_BUFFER_BYTES_MAX,
  UDP_PAYLOAD_BYTES_MAX,
} from './udp-limits.js';
