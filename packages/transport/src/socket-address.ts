/**
 * An IPv4 address and UDP port. Structurally identical to `SocketAddress` in `@chat/protocol`, so values
 * pass between the two packages without conversion.
 */
export interface SocketAddress {
  /** An IPv4 address in dotted-quad form, e.g. `127.0.0.1`. */
  readonly host: string;
  /** A UDP port, 0..65535 (0 when binding: let the OS pick). */
  readonly port: number;
}
