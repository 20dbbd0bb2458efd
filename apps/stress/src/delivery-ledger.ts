/**
 * Accounts for every delivery a stress run sees: loss, duplicates, FIFO and total-order violations and
 * post-to-delivery latency. Pure bookkeeping: times are passed in.
 *
 * A message is identified by its sender (client index) and its seq (0-based, in posting order).
 * Everything lives in typed arrays sized up front, so recording a delivery allocates nothing and the
 * generator's own garbage collection does not show up in the latencies it measures.
 */
export interface LedgerSummary {
  readonly posted: number;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly fifoViolations: number;
  /** Receivers whose sequence for their room differs from another receiver's in that room. */
  readonly totalOrderViolations: number;
  /** Post-to-delivery latencies in ms, sorted ascending, of messages posted after the warm-up. */
  readonly latenciesMs: Float64Array;
}

export class DeliveryLedger {
  readonly #clientRooms: readonly number[];
  readonly #messagesPerClient: number;
  /** Per client: its position among its room's members. */
  readonly #slotInRoom: Int32Array;
  readonly #sentAtMs: Float64Array;
  /** Per receiver: one byte per (room member, seq), set once delivered. */
  readonly #seen: Uint8Array[];
  /** Per receiver: the highest seq delivered so far from each sender (-1 = none). */
  readonly #lastSeq: Int32Array[];
  /** Per receiver: room slots (member position * messagesPerClient + seq) in delivery order. */
  readonly #order: Uint32Array[];
  readonly #orderLength: Int32Array;
  readonly #latenciesMs: Float64Array;
  readonly #expectedDeliveries: number;
  /** Messages posted before this are the warm-up: checked, but their latencies not kept. */
  #latencyFromMs = Number.NEGATIVE_INFINITY;
  #deliveries = 0;
  #latencyCount = 0;
  #posted = 0;
  #duplicates = 0;
  #fifoViolations = 0;

  constructor(clientRooms: readonly number[], messagesPerClient: number) {
    const clients = clientRooms.length;
    this.#clientRooms = clientRooms;
    this.#messagesPerClient = messagesPerClient;
    const roomSizes = new Map<number, number>();
    this.#slotInRoom = new Int32Array(clients);
    clientRooms.forEach((room, client) => {
      const size = roomSizes.get(room) ?? 0;
      this.#slotInRoom[client] = size;
      roomSizes.set(room, size + 1);
    });
    let expected = 0;
    for (const size of roomSizes.values()) expected += size * size * messagesPerClient;
    this.#expectedDeliveries = expected;
    this.#sentAtMs = new Float64Array(clients * messagesPerClient).fill(Number.NaN);
    const slotsOf = (client: number): number =>
      roomSizes.get(clientRooms[client]!)! * messagesPerClient;
    this.#seen = Array.from({ length: clients }, (_, client) => new Uint8Array(slotsOf(client)));
    this.#order = Array.from({ length: clients }, (_, client) => new Uint32Array(slotsOf(client)));
    this.#orderLength = new Int32Array(clients);
    this.#lastSeq = Array.from({ length: clients }, () => new Int32Array(clients).fill(-1));
    this.#latenciesMs = new Float64Array(expected);
  }

  get expectedDeliveries(): number {
    return this.#expectedDeliveries;
  }

  /** Keeps latencies only of messages posted at or after `ms` (the end of the warm-up). */
  measureLatencyFrom(ms: number): void {
    this.#latencyFromMs = ms;
  }

  recordPosted(sender: number, seq: number, nowMs: number): void {
    const id = sender * this.#messagesPerClient + seq;
    if (Number.isNaN(this.#sentAtMs[id]!)) this.#posted += 1;
    this.#sentAtMs[id] = nowMs;
  }

  /** Returns false for a delivery that cannot be (unknown sender/seq, or another room's message). */
  recordDelivered(receiver: number, sender: number, seq: number, nowMs: number): boolean {
    const clients = this.#clientRooms.length;
    const messages = this.#messagesPerClient;
    if (!(sender >= 0 && sender < clients && seq >= 0 && seq < messages)) return false;
    if (this.#clientRooms[sender] !== this.#clientRooms[receiver]) return false;
    const slot = this.#slotInRoom[sender]! * messages + seq;
    const seen = this.#seen[receiver]!;
    if (seen[slot] === 1) {
      this.#duplicates += 1;
      return true;
    }
    seen[slot] = 1;
    const lastSeq = this.#lastSeq[receiver]!;
    if (seq < lastSeq[sender]!) this.#fifoViolations += 1;
    else lastSeq[sender] = seq;
    this.#order[receiver]![this.#orderLength[receiver]!++] = slot;
    this.#deliveries += 1;
    const sentAtMs = this.#sentAtMs[sender * messages + seq]!;
    if (sentAtMs >= this.#latencyFromMs) this.#latenciesMs[this.#latencyCount++] = nowMs - sentAtMs;
    return true;
  }

  summary(): LedgerSummary {
    const deliveries = this.#deliveries;
    return {
      posted: this.#posted,
      expectedDeliveries: this.#expectedDeliveries,
      deliveries,
      lost: this.#expectedDeliveries - deliveries,
      duplicates: this.#duplicates,
      fifoViolations: this.#fifoViolations,
      totalOrderViolations: this.#totalOrderViolations(),
      latenciesMs: this.#latenciesMs.slice(0, this.#latencyCount).sort(),
    };
  }

  #totalOrderViolations(): number {
    /** Per room: the first receiver's delivery order, and which slots it holds. */
    const referenceByRoom = new Map<number, { order: Uint32Array; holds: Uint8Array }>();
    let violations = 0;
    this.#clientRooms.forEach((room, receiver) => {
      const order = this.#order[receiver]!.subarray(0, this.#orderLength[receiver]);
      const reference = referenceByRoom.get(room);
      if (reference === undefined) {
        const holds = new Uint8Array(this.#seen[receiver]!.length);
        for (const slot of order) holds[slot] = 1;
        referenceByRoom.set(room, { order, holds });
        return;
      }
      // Compare on the messages both received, so a loss is not also counted as disorder.
      const seen = this.#seen[receiver]!;
      let theirs = 0;
      for (const slot of order) {
        if (reference.holds[slot] !== 1) continue;
        while (seen[reference.order[theirs]!] !== 1) theirs += 1;
        if (reference.order[theirs] !== slot) {
          violations += 1;
          return;
        }
        theirs += 1;
      }
    });
    return violations;
  }
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}
