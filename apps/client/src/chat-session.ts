import type { SocketAddress } from '@chat/protocol';
import { FailoverSession, FAILOVER_SETTINGS_DEFAULT } from './failover-session.js';
import type { FailoverSettings, LineOutcome } from './failover-session.js';
import type { LinePrinter } from './line-printer.js';

/** The part of a UDP endpoint a session uses. */
export interface DatagramPort {
  send(data: Uint8Array, to: SocketAddress): void;
  onDatagram(handler: (data: Buffer, from: SocketAddress) => void): void;
}

/** Milliseconds from any fixed origin; `performance.now` in the client. */
export type Clock = () => number;

/**
 * The I/O around a `FailoverSession`: datagrams and typed lines go in with the time, what it wants
 * sent goes out of the port, what it shows goes to the printer, and one timer wakes it at its next
 * deadline.
 */
export class ChatSession {
  readonly #port: DatagramPort;
  readonly #printer: LinePrinter;
  readonly #clock: Clock;
  readonly #failover: FailoverSession;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(
    port: DatagramPort,
    servers: readonly SocketAddress[],
    printer: LinePrinter,
    clock: Clock = () => performance.now(),
    settings: FailoverSettings = FAILOVER_SETTINGS_DEFAULT,
  ) {
    this.#port = port;
    this.#printer = printer;
    this.#clock = clock;
    this.#failover = new FailoverSession(servers, clock(), settings);
    port.onDatagram((data, from) => {
      this.#failover.datagramArrived(this.#clock(), from, data.toString('utf8'));
      this.#afterInput();
    });
    this.#afterInput();
  }

  /** Datagrams ignored because they did not come from the server the client talks to. */
  get foreignDatagrams(): number {
    return this.#failover.foreignDatagrams;
  }

  /** Sends one typed line (its CR/LF already removed by the line reader); `quit` ends the session. */
  sendLine(line: string): LineOutcome {
    const outcome = this.#failover.lineTyped(line);
    this.#afterInput();
    return outcome;
  }

  /** Tells the server this client is leaving (unless the user already typed `/quit`); no more timers. */
  quit(): void {
    this.#failover.quit();
    this.#afterInput();
  }

  #afterInput(): void {
    for (let out; (out = this.#failover.pollTransmit());) {
      this.#port.send(Buffer.from(out.text, 'utf8'), out.to);
    }
    for (let shown; (shown = this.#failover.pollShown());) {
      this.#printer.line(shown);
    }
    this.#rearm(this.#failover.nextDeadline());
  }

  #rearm(deadline: number | undefined): void {
    const at = deadline ?? Number.POSITIVE_INFINITY;
    if (at === this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(
      () => {
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#failover.tick(this.#clock());
        this.#afterInput();
      },
      Math.max(0, at - this.#clock()),
    );
    // The session's timer alone never keeps the client running: input and the socket decide.
    this.#timer.unref();
  }
}
