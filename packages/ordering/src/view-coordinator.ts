import { computeCut, type GroupReport } from './flush-cut.js';
import type {
  CutMessage,
  Member,
  MembershipMessage,
  NodeId,
  ReportMessage,
  ViewId,
} from './messages.js';
import type { OrderingMode } from './options.js';

/** What the coordinator sends, to one node (itself included: the engine hands those to itself). */
export interface CoordinatorSend {
  readonly to: NodeId;
  readonly message: MembershipMessage;
}

type Phase = 'prepare' | 'flush' | 'install';

/**
 * The coordinator's side of one view change, a three-step exchange with every proposed member:
 *
 * 1. `prepare`: each member stops its view and answers with a `report` of what it holds of it;
 * 2. `cut`: per group of members that were in the same view, what they all deliver of it (see
 *    `computeCut`); each member fetches what it lacks and answers `flushed`;
 * 3. `install`: every member is ready; each delivers its cut and moves to the new view.
 *
 * Each step is resent to the members that have not answered, every `retryIntervalMs`; a member that
 * has not answered a step within `stepTimeoutMs` fails the view change (`failed` names it), and the
 * engine starts another without it. (A member that misses the install is no longer waited for: the
 * others have installed, and it is merged back by a later view change.)
 */
export class ViewChange {
  readonly #reports = new Map<NodeId, ReportMessage>();
  readonly #adoptions = new Map<NodeId, CutMessage>();
  readonly #cuts = new Map<NodeId, CutMessage>();
  readonly #flushed = new Set<NodeId>();
  /** Members heard from in the new view (so they installed it). */
  readonly #installed = new Set<NodeId>();
  #phase: Phase = 'prepare';
  #phaseStartMs: number;
  #retryAtMs: number;

  constructor(
    readonly proposal: ViewId,
    readonly members: readonly Member[],
    private readonly mode: OrderingMode,
    private readonly nodeCount: number,
    private readonly retryIntervalMs: number,
    private readonly stepTimeoutMs: number,
    now: number,
  ) {
    this.#phaseStartMs = now;
    this.#retryAtMs = now;
  }

  get installing(): boolean {
    return this.#phase === 'install';
  }

  /** Every member has installed the new view: nothing more to do. */
  get done(): boolean {
    return this.#phase === 'install' && this.#installed.size === this.members.length;
  }

  onReport(from: NodeId, report: ReportMessage): void {
    if (this.#phase !== 'prepare' || !this.#isMember(from)) return;
    this.#reports.set(from, report);
  }

  onAdopted(from: NodeId, cut: CutMessage): void {
    if (this.#phase !== 'prepare' || !this.#isMember(from)) return;
    this.#adoptions.set(from, cut);
  }

  onFlushed(from: NodeId): void {
    if (this.#phase === 'flush' && this.#isMember(from)) this.#flushed.add(from);
  }

  /** `from` was heard in the new view. */
  onInstalled(from: NodeId): void {
    if (this.#phase === 'install' && this.#isMember(from)) this.#installed.add(from);
  }

  /**
   * Moves the exchange on: what to send now, or the members that let a step time out (the view
   * change has then failed).
   */
  poll(now: number): { send: CoordinatorSend[] } | { failed: NodeId[] } {
    const advanced = this.#advance(now);
    const retry = advanced || now >= this.#retryAtMs;
    if (!retry) {
      const late = this.#late(now);
      return late.length > 0 ? { failed: late } : { send: [] };
    }
    const late = this.#late(now);
    if (late.length > 0) return { failed: late };
    this.#retryAtMs = now + this.retryIntervalMs;
    return { send: this.#messages() };
  }

  /** When `poll` next has something to do. */
  nextDeadline(): number {
    return Math.min(this.#retryAtMs, this.#phaseStartMs + this.stepTimeoutMs);
  }

  /** Whether `node` is one of the proposed members. */
  includes(node: NodeId): boolean {
    return this.#isMember(node);
  }

  #isMember(node: NodeId): boolean {
    return this.members.some((member) => member.id === node);
  }

  /** Members yet to answer the current step, if it has run out of time. */
  #late(now: number): NodeId[] {
    if (now - this.#phaseStartMs < this.stepTimeoutMs) return [];
    return this.members.map((member) => member.id).filter((id) => !this.#answered(id));
  }

  #answered(id: NodeId): boolean {
    if (this.#phase === 'install') return this.#installed.has(id);
    if (this.#phase === 'prepare') {
      const report = this.#reports.get(id);
      return report !== undefined && (report.adopted === 0 || this.#adoptions.has(id));
    }
    return this.#flushed.has(id);
  }

  /** Moves to the next step once every member answered this one. Returns whether it did. */
  #advance(now: number): boolean {
    if (this.#phase === 'install') return false;
    if (!this.members.every((member) => this.#answered(member.id))) return false;
    if (this.#phase === 'prepare') this.#computeCuts();
    this.#phase = this.#phase === 'prepare' ? 'flush' : 'install';
    this.#phaseStartMs = now;
    return true;
  }

  #computeCuts(): void {
    // Views on two sides of a partition (and every fresh node's view 0) may share an id: a group
    // is the members of one view, its id and its members.
    const groups = new Map<string, GroupReport[]>();
    for (const [from, report] of this.#reports) {
      const key = viewKey(report.view, report.members);
      const group = groups.get(key) ?? [];
      const adopted = this.#adoptions.get(from);
      const sameView = adopted !== undefined && viewKey(adopted.view, adopted.members) === key;
      group.push({ from, report, adopted: sameView ? adopted : undefined });
      groups.set(key, group);
    }
    // A member working in a view installed it: a cut completed for that proposal took effect. (A
    // view of the same id that a restarted coordinator installed cannot hold the member that still
    // reports the old view with that cut.)
    const reports = [...this.#reports.values()];
    const installed = (proposal: ViewId, holder: NodeId): boolean =>
      reports.some((report) => report.view === proposal && report.members.includes(holder));
    for (const group of groups.values()) {
      const cut = computeCut(this.proposal, this.mode, this.nodeCount, group, installed);
      for (const { from } of group) this.#cuts.set(from, cut);
    }
  }

  #messages(): CoordinatorSend[] {
    const sends: CoordinatorSend[] = [];
    for (const { id } of this.members) {
      if (this.#phase === 'prepare' && !this.#answered(id)) {
        sends.push({
          to: id,
          message: { kind: 'prepare', proposal: this.proposal, members: this.members },
        });
      } else if (this.#phase === 'flush' && !this.#flushed.has(id)) {
        sends.push({ to: id, message: this.#cuts.get(id)! });
      } else if (this.#phase === 'install' && !this.#installed.has(id)) {
        sends.push({
          to: id,
          message: { kind: 'install', proposal: this.proposal, members: this.members },
        });
      }
    }
    return sends;
  }
}

function viewKey(view: ViewId, members: readonly NodeId[]): string {
  return `${view}:${members.join(',')}`;
}
