export * from './cluster-config.js';

export { DEFAULT_CLIENT_PROTOCOL_LIMITS, parseClientDatagram } from './client-command.js';
export type { ClientCommand, ClientProtocolLimits } from './client-command.js';
export {
  REPLY_BYTES_MAX,
  alreadyInRoom,
  defaultNickname,
  formatDelivery,
  joined,
  left,
  messageTooLongToRelay,
  nickSet,
  noMajority,
  notInRoom,
  roomNotServed,
  serverBusy,
  serverFull,
  slowDown,
} from './replies.js';
export { escapeControlCharacters } from './escape-control-characters.js';
export { decodeUtf8, encodeUtf8 } from './utf8.js';

export { decodeFrame, encodeFrame } from './wire-format.js';
export type {
  FrameAuthenticator,
  FrameDecodeError,
  FrameDecodeResult,
  FrameSealing,
  PeerFrame,
} from './wire-format.js';
export { PEER_DATAGRAM_BYTES_TARGET, packFrames, postPayloadBytesMax } from './frame-packer.js';
export {
  FRAME_MESSAGES_MAX,
  PEER_FLUSH_EXTRAS_MAX,
  PEER_PAYLOAD_BYTES_MAX,
  PEER_ROOM_ID_MAX,
  PEER_VIEW_ID_MAX,
} from './peer-message-rules.js';
