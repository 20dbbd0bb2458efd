/**
 * An IPv4 address and UDP port. Structurally identical to `SocketAddress` in `@chat/protocol`, so values
 * pass between the two packages without conversion.
 */
export interface SocketAddress {
  readonly host: string;
  readonly port: number;
}
