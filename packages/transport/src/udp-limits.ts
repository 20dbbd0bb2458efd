/** The largest UDP payload over IPv4: 65,535 minus the 8-byte UDP and 20-byte IP headers. */
export const UDP_PAYLOAD_BYTES_MAX = 65_507;

/** The largest socket buffer anyone may ask for; kernels cap far lower (Linux: net.core.rmem_max). */
export const SOCKET_BUFFER_BYTES_MAX = 256 * 1024 * 1024;

/** How long `close()` waits for sends already handed to the kernel before closing anyway. */
export const CLOSE_DRAIN_MS_MAX = 1_000;
