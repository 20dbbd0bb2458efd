/**
 * What the space-time diagram of the HTML report shows: a few messages posted at about the same time
 * in the middle of the run, each with its post time and the time every member of its room received
 * it. Bounded: at most `SAMPLE_MESSAGES_MAX` messages, so at most that many times the clients.
 */

/** Arrows a person can still follow in one diagram. */
export const SAMPLE_MESSAGES_MAX = 24;
/** Posting clients whose messages may be sampled, so a big run still shows a few seqs per client. */
const SAMPLE_SENDERS_MAX = 8;

export interface SampledMessage {
  readonly sender: number;
  readonly seq: number;
  readonly room: number;
  /** ms since the run's first post; NaN if never posted. */
  postedAtMs: number;
  /** Per client, ms since the run's first post that it received this message; NaN = not (yet). */
  readonly receivedAtMs: Float64Array;
}

export interface TraceSampleData {
  /** Per client: its server's index (0-based) and its room. */
  readonly clientServers: readonly number[];
  readonly clientRooms: readonly number[];
  readonly serverCount: number;
  readonly messages: readonly SampledMessage[];
}

export class TraceSample {
  readonly #clientServers: readonly number[];
  readonly #clientRooms: readonly number[];
  readonly #serverCount: number;
  readonly #firstSeq: number;
  readonly #seqsPerSender: number;
  /** Per client: its position among the sampled senders, or -1. */
  readonly #senderPosition: Int32Array;
  readonly #messages: SampledMessage[] = [];
  #originMs = Number.NaN;

  constructor(
    clientServers: readonly number[],
    clientRooms: readonly number[],
    serverCount: number,
    messagesPerClient: number,
  ) {
    this.#clientServers = clientServers;
    this.#clientRooms = clientRooms;
    this.#serverCount = serverCount;
    const clients = clientRooms.length;
    const senderCount = Math.min(clients, SAMPLE_SENDERS_MAX);
    this.#seqsPerSender = Math.min(
      messagesPerClient,
      Math.max(1, Math.floor(SAMPLE_MESSAGES_MAX / senderCount)),
    );
    // From the middle of the run: past start-up, before the tail.
    this.#firstSeq = Math.floor((messagesPerClient - this.#seqsPerSender) / 2);
    this.#senderPosition = new Int32Array(clients).fill(-1);
    // Spread over the clients, hence over the rooms and servers.
    for (let position = 0; position < senderCount; position++) {
      const sender = Math.floor((position * clients) / senderCount);
      this.#senderPosition[sender] = position;
      for (let k = 0; k < this.#seqsPerSender; k++) {
        this.#messages.push({
          sender,
          seq: this.#firstSeq + k,
          room: clientRooms[sender]!,
          postedAtMs: Number.NaN,
          receivedAtMs: new Float64Array(clients).fill(Number.NaN),
        });
      }
    }
  }

  /** Times are kept relative to the first post of the run. */
  start(nowMs: number): void {
    this.#originMs = nowMs;
  }

  recordPosted(sender: number, seq: number, nowMs: number): void {
    const message = this.#messages[this.#indexOf(sender, seq)];
    if (message !== undefined) message.postedAtMs = nowMs - this.#originMs;
  }

  recordDelivered(receiver: number, sender: number, seq: number, nowMs: number): void {
    const message = this.#messages[this.#indexOf(sender, seq)];
    if (message !== undefined && Number.isNaN(message.receivedAtMs[receiver]!)) {
      message.receivedAtMs[receiver] = nowMs - this.#originMs;
    }
  }

  data(): TraceSampleData {
    return {
      clientServers: this.#clientServers,
      clientRooms: this.#clientRooms,
      serverCount: this.#serverCount,
      messages: this.#messages,
    };
  }

  /** The message's position in the sample, or -1: O(1), called for every delivery. */
  #indexOf(sender: number, seq: number): number {
    const position = this.#senderPosition[sender] ?? -1;
    const k = seq - this.#firstSeq;
    if (position < 0 || k < 0 || k >= this.#seqsPerSender) return -1;
    return position * this.#seqsPerSender + k;
  }
}
