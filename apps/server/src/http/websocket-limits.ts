/**
 * What one WebSocket client may cost a server. Each connection is a client like a UDP one (same
 * rate, burst and idle period, from the server's options); these bound what a stream adds.
 */

/**
 * Largest message, in bytes: above the longest line the protocol accepts (1,000 bytes of text;
 * `/nick` with 32 characters of up to 4 bytes), so that too long a line still gets the protocol's
 * `-ERR Message too long`, and small enough that a frame costs little. Larger: closed with 1009.
 */
export const WS_MESSAGE_BYTES_MAX = 4096;
/**
 * Bytes queued to one client that it has not read yet. A reader this far behind (a deliberately
 * slow one, or a tab in the background of a busy room) is closed with 1008 rather than buffered.
 */
export const WS_SEND_BUFFER_BYTES_MAX = 1024 * 1024;
/** How long an upgrade or a page request may take to send its headers. */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** Plain HTTP connections (page loads, scrapes, polls) allowed beside the WebSocket ones. */
export const HTTP_CONNECTIONS_EXTRA = 256;
/** After a close frame, how long a client has to answer before its socket is destroyed. */
export const WS_CLOSE_WAIT_MS = 2_000;

/** Close codes (RFC 6455 section 7.4) and their reasons, so clients and tests can tell them apart. */
export const WS_CLOSE = {
  /** The server is shutting down. */
  goingAway: { code: 1001, reason: 'Server shutting down' },
  /** A binary message: the protocol is lines of text. */
  binary: { code: 1003, reason: 'Text messages only' },
  /** Sent by `ws` itself for invalid UTF-8 in a text message. */
  invalidUtf8: { code: 1007, reason: '' },
  /** Over the client rate, past its burst. */
  flood: { code: 1008, reason: 'Too many messages' },
  /** Not reading what it is sent. */
  slowReader: { code: 1008, reason: 'Too slow: send buffer full' },
  /** Sent by `ws` itself for a message over WS_MESSAGE_BYTES_MAX. */
  tooBig: { code: 1009, reason: '' },
  /** Over `--ws-connections-max`. */
  full: { code: 1013, reason: 'Too many connections, try again later' },
  /** Silent for the client idle period (`--client-idle-ms`). */
  idle: { code: 4000, reason: 'Idle too long' },
} as const;
