import { emptyStats, type EngineStats } from './engine-stats.js';
import { FailureDetector } from './failure-detector.js';
import { checkLimits } from './limits.js';
import { LinkReports } from './link-reports.js';
import { highestViewIdNamed, isWellFormed } from './message-shape.js';
import {
  VIEW_ID_MAX,
  type CutMessage,
  type HeartbeatMessage,
  type InstallMessage,
  type Member,
  type MembershipMessage,
  type NodeId,
  type PeerMessage,
  type PrepareMessage,
  type RoomId,
  type ViewId,
} from './messages.js';
import {
  DEFAULT_TIMING,
  type Delivery,
  type EngineLimits,
  type EngineOptions,
  type EngineTiming,
  type OrderingMode,
  type PostResult,
  type Transmit,
  type View,
} from './options.js';
import { Queue } from './queue.js';
import { ViewChange } from './view-coordinator.js';
import { EARLY_DELIVERIES_MAX, ViewChannel } from './view-channel.js';

/**
 * A membership message naming a view id this far beyond any this node has heard of is dropped as
 * invalid: honest groups move a few ids per view change, and one forged message must not carry a
 * group to `VIEW_ID_MAX`, past which it could never change views again. (A fresh node, which has
 * heard of none yet, takes any.)
 */
const VIEW_ID_JUMP_MAX = 2 ** 20;

/** A fresh node waits this many heartbeats to hear its peers before it proposes a view. */
const HEARTBEATS_BEFORE_FIRST_VIEW = 2;

/**
 * One node of a replicated group, with no I/O: feed it what happened (`post`, `receive`, `tick`, each
 * with the current time) and pull what to do (`pollTransmit`, `pollDelivery`, `pollViewChange`,
 * `pollTimeout`).
 *
 * The nodes alive and connected form numbered **views**. Within a view, a reliable channel carries
 * every member's posts and orders them (`ViewChannel`: unordered, FIFO, or total order by the
 * view's sequencer). A failure detector (heartbeats; any message of a node's current run counts)
 * notices a node that stops, restarts or is cut off; the lowest-numbered node alive then coordinates
 * a view change (`ViewChange`) with a flush, so that:
 *
 * - members that move together from one view to the next have delivered exactly the same posts in
 *   it (virtual synchrony); a post of a failed member is delivered by all of them or none;
 * - nothing is delivered twice, each origin's posts keep their order (fifo, total), and in total
 *   order every member of a view delivers a room's posts in one order;
 * - a node that leaves a view with a majority of all nodes, or alone (no other member of that view
 *   in its view change), has delivered every post it made in it (self-delivery);
 * - total order is delivered only in a primary view (a majority of all configured nodes); a node in
 *   a minority view refuses total-order posts (`no-majority`), while unordered and FIFO go on inside
 *   every view, so each side of a partition chats among itself;
 * - a failed member holds nothing back once it is out of the view, and a restarted or reconnected
 *   node is merged into the view of the others;
 * - members left behind by a node that moved on without them (it stopped hearing them) change views
 *   among themselves at once, and leave their view together (see #candidates);
 * - of two nodes where one does not hear the other while others hear both (a link that fails one
 *   way, or both ways between two nodes only), the higher-numbered is left out, and works alone
 *   until the two hear each other again (`LinkReports`).
 *
 * A post made on one side of a partition is delivered on that side only: after the merge the other
 * side does not receive it (as in extended virtual synchrony).
 */
export class OrderingEngine {
  /** The ordering guarantee, as given. */
  readonly mode: OrderingMode;
  /** This node's id, as given. */
  readonly self: NodeId;
  /** The group's size, as given. */
  readonly nodeCount: number;
  /** This run of the node, as given (default 0). */
  readonly incarnation: number;
  /** The limits in force: the options' over `DEFAULT_LIMITS`, checked to fit together. */
  readonly limits: EngineLimits;
  /** The timers in force: the options' over `DEFAULT_TIMING`. */
  readonly timing: EngineTiming;

  readonly #detector: FailureDetector;
  /** Who is left out of views for not hearing a node that others hear. */
  readonly #links: LinkReports;
  /** The most extras a view change's report or cut can name: the posts delivered early. */
  readonly #extrasMax: number;
  readonly #transmits = new Queue<Transmit>();
  readonly #deliveries = new Queue<Delivery>();
  readonly #viewChanges = new Queue<View>();
  readonly #stats = emptyStats();
  #channel: ViewChannel;
  /** The current view's members, with their runs. */
  #members: readonly Member[];
  /** The same, by node id: the member's run, or -1 (not a member). */
  #memberRuns: readonly number[];
  /** The highest view id this node has heard of: a new proposal goes above it. */
  #viewIdMax: ViewId = 0;
  /** The highest view id another node has been heard working in (not counting this node's own). */
  #heardViewIdMax: ViewId = 0;
  /**
   * By node id: what its last heartbeat said: its view and promise (whether it waits for a view
   * change), and whom it takes for the coordinator.
   */
  readonly #heardState: { view: ViewId; promised: ViewId; coordinator: NodeId }[];
  /** A view change this node takes part in: its coordinator and the proposed view. */
  #promise: PrepareMessage & { readonly coordinator: NodeId } = NO_PROMISE;
  /** The cut (for the promised proposal) this node fetches. */
  #cut: CutMessage | undefined;
  /** The last cut of the current view this node completed: a later coordinator must keep it. */
  #completedCut: CutMessage | undefined;
  /** The view change this node coordinates. */
  #change: ViewChange | undefined;
  #heartbeatDeadline: number | undefined;
  /** The view this node last left alone, and until when it leaves its members to leave it. */
  #leftAlone: { view: ViewId; members: readonly NodeId[]; untilMs: number } | undefined;
  /** Whom this node's last heartbeat named as the coordinator. */
  #claimedCoordinator: NodeId = 0;
  #firstViewDeadline: number | undefined;
  /** From when this node's heartbeats name the nodes it does not hear (see #start). */
  #reportsUnheardFromMs = Number.POSITIVE_INFINITY;
  #lastNow = 0;

  constructor(options: EngineOptions) {
    const { mode, self, nodeCount } = options;
    if (!Number.isInteger(nodeCount) || nodeCount < 1)
      throw new RangeError(`nodeCount must be >= 1`);
    if (!Number.isInteger(self) || self < 1 || self > nodeCount) {
      throw new RangeError(`self must be in 1..${nodeCount}`);
    }
    const incarnation = options.incarnation ?? 0;
    if (!Number.isSafeInteger(incarnation) || incarnation < 0) {
      throw new RangeError(`incarnation must be a safe integer >= 0, not ${incarnation}`);
    }
    this.mode = mode;
    this.self = self;
    this.nodeCount = nodeCount;
    this.incarnation = incarnation;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.limits = checkLimits(mode, nodeCount, options.limits ?? {}, this.timing);
    this.#extrasMax = EARLY_DELIVERIES_MAX;
    this.#detector = new FailureDetector(
      { id: self, incarnation },
      nodeCount,
      this.timing.suspectMs,
    );
    this.#links = new LinkReports(
      self,
      nodeCount,
      2 * this.timing.suspectMs,
      this.timing.heartbeatIntervalMs,
    );
    this.#members = [{ id: self, incarnation }];
    this.#memberRuns = memberRunsOf(this.#members, nodeCount);
    this.#heardState = Array.from({ length: nodeCount + 1 }, (_, id) => ({
      view: 0,
      promised: 0,
      coordinator: id,
    }));
    // A fresh node starts alone in view 0, which is never primary and takes no posts: it waits to
    // be merged with its peers (or, hearing none, forms a view of its own).
    this.#channel = this.#newChannel(0, [self]);
  }

  /** A local client posted `payload` to `room`. */
  post(now: number, room: RoomId, payload: Uint8Array): PostResult {
    this.#start(now);
    if (!Number.isInteger(room) || room < 1 || room > this.limits.roomIdMax) {
      return this.#refuse('bad-room');
    }
    if (payload.byteLength > this.limits.payloadBytesMax) return this.#refuse('payload-too-large');
    if (this.isChangingView()) return this.#refuse('view-change');
    if (this.mode === 'total' && !this.#channel.primary) return this.#refuse('no-majority');
    const result = this.#channel.post(now, room, payload);
    if (!result.ok) this.#stats.postsRefused += 1;
    return result;
  }

  /** A message from peer `from` arrived. Messages that break the protocol are dropped and counted. */
  receive(now: number, from: NodeId, message: PeerMessage): void {
    this.#start(now);
    const fromPeer =
      Number.isInteger(from) && from >= 1 && from <= this.nodeCount && from !== this.self;
    if (!fromPeer || !isWellFormed(message, this.nodeCount, this.#extrasMax)) {
      this.#stats.invalidDropped += 1;
      return;
    }
    const farAhead = highestViewIdNamed(message) > this.#viewIdMax + VIEW_ID_JUMP_MAX;
    if (farAhead && this.#viewIdMax > 0) {
      this.#stats.invalidDropped += 1;
      return;
    }
    switch (message.kind) {
      case 'post':
      case 'order':
      case 'status':
      case 'nak':
        this.#receiveChannelMessage(now, from, message, message.view);
        return;
      case 'relay':
        this.#receiveChannelMessage(now, from, message, message.entry.view);
        return;
      case 'heartbeat':
        this.#receiveHeartbeat(now, from, message);
        return;
      default:
        this.#detector.heardCurrent(now, from);
        this.#handleMembership(now, from, message);
        this.#coordinate(now);
    }
  }

  /** Time passed: fire whatever is due. Calling it early or often is harmless. */
  tick(now: number): void {
    this.#start(now);
    this.#channel.tick(now);
    if (this.#heartbeatDeadline !== undefined && this.#heartbeatDeadline <= now) {
      this.#heartbeatDeadline = now + this.timing.heartbeatIntervalMs;
      this.#claimedCoordinator = this.#candidates(now)[0]!.id;
      this.#transmits.push({
        to: 'all',
        message: {
          kind: 'heartbeat',
          incarnation: this.incarnation,
          view: this.#channel.view,
          promised: this.#promise.proposal,
          coordinator: this.#claimedCoordinator,
          unheard: now < this.#reportsUnheardFromMs ? [] : this.#detector.unheard(now),
          leftOut: this.#links.leftOutToName(),
        },
      });
    }
    this.#reportFlushed();
    this.#coordinate(now);
  }

  /**
   * The next message to send, or undefined when there is none: call it until then after every
   * input, or after a batch of them (say, every message of a datagram, or every datagram of one
   * read): the work the inputs made due is done once, as their outputs are first read.
   */
  pollTransmit(): Transmit | undefined {
    this.#channel.settle();
    return this.#transmits.shift();
  }

  /** The next post to show, in the mode's order, or undefined: call it as `pollTransmit`. */
  pollDelivery(): Delivery | undefined {
    this.#channel.settle();
    return this.#deliveries.shift();
  }

  /** The next view this node installed, in order: for logs and counters. */
  pollViewChange(): View | undefined {
    return this.#viewChanges.shift();
  }

  /**
   * The time (on the caller's clock, like every `now`) at which `tick` next has work to do: at the
   * latest the next heartbeat. Undefined only for a node configured alone.
   */
  pollTimeout(): number | undefined {
    if (this.nodeCount === 1) return undefined;
    let next = this.#heartbeatDeadline;
    const consider = (deadline: number | undefined): void => {
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    };
    consider(this.#channel.pollTimeout());
    consider(this.#change?.nextDeadline());
    consider(this.#detector.nextSuspicionMs(this.#lastNow));
    const firstView = this.#firstViewDeadline;
    if (this.#channel.view === 0 && firstView !== undefined && firstView > this.#lastNow) {
      consider(firstView);
    }
    return next;
  }

  /** The view this node is in now. */
  view(): View {
    return {
      id: this.#channel.view,
      members: this.#channel.members,
      primary: this.#channel.primary,
    };
  }

  /**
   * Whether this node is between views: its view is stopped for a view change (or it has not
   * joined one yet), and `post` refuses with `view-change` until the next view is installed.
   */
  isChangingView(): boolean {
    return this.#channel.frozen || this.#channel.view === 0;
  }

  /** The counters and current depths, as a snapshot. */
  stats(): Readonly<EngineStats> {
    this.#channel.settle();
    return {
      ...this.#stats,
      ...this.#channel.depths(),
      viewId: this.#channel.view,
      viewMembers: this.#channel.members.length,
      viewPrimary: this.#channel.primary ? 1 : 0,
      viewUnheard: this.#channel.members.filter(
        (member) => !this.#detector.isAlive(this.#lastNow, member),
      ).length,
    };
  }

  /** The first input: start the heartbeats (and the wait for a first view). */
  #start(now: number): void {
    this.#lastNow = Math.max(this.#lastNow, now);
    if (this.nodeCount === 1 || this.#heartbeatDeadline !== undefined) return;
    this.#heartbeatDeadline = now;
    this.#firstViewDeadline = now + HEARTBEATS_BEFORE_FIRST_VIEW * this.timing.heartbeatIntervalMs;
    // Not hearing a node for `suspectMs` takes having been up that long: a fresh node names none.
    this.#reportsUnheardFromMs = now + this.timing.suspectMs;
  }

  #receiveChannelMessage(
    now: number,
    from: NodeId,
    message: Extract<PeerMessage, { kind: 'post' | 'order' | 'status' | 'nak' | 'relay' }>,
    view: ViewId,
  ): void {
    const channel = this.#channel;
    // Of the member's run in this view: a restarted node may install a view of the same id.
    const memberRun = this.#memberRuns[from];
    if (view !== channel.view || memberRun !== this.#detector.incarnationOf(from)) {
      this.#stats.otherViewDropped += 1;
      return;
    }
    this.#detector.heardCurrent(now, from);
    channel.receive(now, from, message);
    this.#reportFlushed();
    // A repair may have completed this node's own flush in a view change it coordinates.
    if (this.#change !== undefined && !this.#change.installing) this.#drive(now);
  }

  #receiveHeartbeat(now: number, from: NodeId, heartbeat: HeartbeatMessage): void {
    const { view, promised, coordinator, incarnation } = heartbeat;
    const run = this.#detector.heard(now, from, incarnation);
    if (run === 'stale') return;
    // A heartbeat of an earlier view than one already heard from this run is late, or replayed.
    if (run === 'current' && view < this.#heardState[from]!.view) return;
    this.#viewIdMax = Math.max(this.#viewIdMax, view, promised);
    this.#heardState[from] = { view, promised, coordinator };
    this.#links.record(from, heartbeat.unheard, heartbeat.leftOut);
    // A member of this node's proposal promised a later one (to a coordinator that may since have
    // given up): it ignores this proposal, so a new one must go above.
    const change = this.#change;
    if (change !== undefined && promised > change.proposal && change.includes(from)) {
      this.#heardViewIdMax = Math.max(this.#heardViewIdMax, promised);
    }
    // The coordinator this node promised works in the view it proposed, so it installed it: as good
    // as its install, which may have been lost (and is not resent once another node coordinates).
    // (The same run of it: a restarted coordinator may propose that id again, for other members.)
    const promise = this.#promise;
    const promisedRun = runOf(promise.members, from);
    if (from === promise.coordinator && view === promise.proposal && promisedRun === incarnation) {
      this.#onInstall(from, { kind: 'install', proposal: view, members: promise.members });
    }
    if (this.#change?.installing && this.#change.proposal === view) this.#change.onInstalled(from);
    else if (!this.#channel.isMember(from) || view !== this.#channel.view) {
      this.#heardViewIdMax = Math.max(this.#heardViewIdMax, view);
    }
    // A member of this view already works in a later one: this node was left out (it was paused
    // or cut off). It stops at once, and waits to be merged back.
    if (view > this.#channel.view && this.#channel.isMember(from)) this.#channel.freeze();
    this.#coordinate(now);
  }

  #handleMembership(now: number, from: NodeId, message: MembershipMessage): void {
    switch (message.kind) {
      case 'prepare':
        this.#onPrepare(from, message);
        return;
      case 'report':
        if (this.#change?.proposal === message.proposal) this.#change.onReport(from, message);
        return;
      case 'adopted':
        if (this.#change?.proposal === message.proposal) this.#change.onAdopted(from, message);
        return;
      case 'cut':
        this.#onCut(now, from, message);
        return;
      case 'flushed':
        if (this.#change?.proposal === message.proposal) this.#change.onFlushed(from);
        return;
      case 'install':
        this.#onInstall(from, message);
        return;
      case 'heartbeat':
        return;
    }
  }

  /** A coordinator asks this node to stop its view and report: it does, for the latest proposal. */
  #onPrepare(from: NodeId, prepare: PrepareMessage): void {
    const included = prepare.members.some(
      (member) => member.id === this.self && member.incarnation === this.incarnation,
    );
    if (!included || prepare.proposal <= this.#channel.view) return;
    // A node left out works alone, and a coordinator this node leaves out would take it out of the
    // view of the others: neither takes part in another's view change.
    const leftOut = this.#links.isLeftOut(this.self) || this.#links.isLeftOut(from);
    if (from !== this.self && leftOut) return;
    this.#viewIdMax = Math.max(this.#viewIdMax, prepare.proposal);
    // Each coordinator proposes ids of its own (see #nextProposal): an id names one proposal.
    const promised = this.#promise;
    if (prepare.proposal < promised.proposal) return;
    // An id names one proposal of one run of its coordinator: a restarted coordinator may reuse it.
    const sameCoordinator =
      from === promised.coordinator &&
      runOf(prepare.members, from) === runOf(promised.members, from);
    if (prepare.proposal === promised.proposal && !sameCoordinator) return;
    if (prepare.proposal > promised.proposal) {
      this.#promise = { ...prepare, coordinator: from };
      this.#cut = undefined;
    }
    this.#channel.freeze();
    const adopted = this.#completedCut;
    const report = this.#channel.report(prepare.proposal, adopted?.proposal ?? 0);
    this.#send(from, report);
    // Sent under this proposal's id; the report names the proposal the cut was made for.
    if (adopted !== undefined) {
      this.#send(from, { ...adopted, kind: 'adopted', proposal: prepare.proposal });
    }
  }

  /** The coordinator's cut: fetch what it names, and say so once everything is here. */
  #onCut(now: number, from: NodeId, cut: CutMessage): void {
    const promised = this.#promise;
    if (cut.proposal !== promised.proposal || from !== promised.coordinator) return;
    const { view, members } = this.#channel;
    if (cut.view !== view || cut.members.join() !== members.join()) return;
    if (this.#cut === undefined) {
      this.#cut = cut;
      this.#channel.applyCut(now, cut);
    } else {
      this.#channel.refetch(now);
    }
    this.#reportFlushed(true);
  }

  /** Tells the coordinator once this node holds all of its cut (again if `repeat`). */
  #reportFlushed(repeat = false): void {
    const cut = this.#cut;
    if (cut === undefined || !this.#channel.holdsCut()) return;
    const first = this.#completedCut?.proposal !== cut.proposal;
    if (!first && !repeat) return;
    this.#completedCut = cut;
    this.#send(this.#promise.coordinator, { kind: 'flushed', proposal: cut.proposal });
  }

  /** Every member is ready: deliver the cut of the old view and move to the new one. */
  #onInstall(from: NodeId, install: InstallMessage): void {
    const promised = this.#promise;
    if (install.proposal !== promised.proposal || from !== promised.coordinator) return;
    if (this.#completedCut?.proposal !== install.proposal) return;
    this.#channel.finish();
    const left = this.#channel;
    const stayed = install.members.filter((member) => left.isMember(member.id)).length;
    this.#leftAlone =
      stayed === 1 && left.members.length > 1
        ? { view: left.view, members: left.members, untilMs: this.#lastNow + this.timing.suspectMs }
        : undefined;
    this.#members = install.members;
    this.#memberRuns = memberRunsOf(install.members, this.nodeCount);
    // The coordinator heard each member's run. One restarted that this node has not heard yet (its
    // heartbeats lost) would otherwise have its channel messages dropped here until it is heard.
    for (const { id, incarnation } of install.members) {
      if (id !== this.self && this.#detector.learnRun(id, incarnation)) {
        this.#heardState[id] = { view: 0, promised: 0, coordinator: id };
        this.#links.forget(id);
      }
    }
    this.#channel = this.#newChannel(
      install.proposal,
      install.members.map((member) => member.id),
    );
    this.#promise = NO_PROMISE;
    this.#cut = undefined;
    this.#completedCut = undefined;
    this.#viewIdMax = Math.max(this.#viewIdMax, install.proposal);
    this.#stats.viewChanges += 1;
    this.#viewChanges.push(this.view());
    // Peers learn at once that this node is in the new view.
    this.#heartbeatDeadline = this.#lastNow;
    this.#change?.onInstalled(this.self);
  }

  /**
   * The coordinator's part: the lowest-numbered node alive (of those heard, or heard of) proposes a
   * view of every node alive
   * whenever that differs from the view it is in (or its view is stopped), and drives the change.
   */
  #coordinate(now: number): void {
    const alive = this.#candidates(now);
    // Whom this node takes for the coordinator changed (a member left it behind, say): its peers
    // learn it at once, since each leaves view changes to the lowest coordinator it hears of.
    if (alive[0]!.id !== this.#claimedCoordinator && this.#heartbeatDeadline !== undefined) {
      this.#heartbeatDeadline = Math.min(this.#heartbeatDeadline, now);
    }
    // Another node hears of a lower one than this: that one coordinates, even if this node does not
    // hear it (a broken link between two nodes that reach the others would make both propose).
    // (Not one this node leaves out: it works alone, and coordinates nobody else.)
    const lowerHeardOf = alive.some(({ id }) => {
      const { coordinator } = this.#heardState[id]!;
      return coordinator < this.self && !this.#links.isLeftOut(coordinator);
    });
    if (alive[0]!.id !== this.self || lowerHeardOf) {
      this.#change = undefined;
      return;
    }
    const change = this.#change;
    // A proposal for other members than those alive now, or for an id some node already uses,
    // cannot succeed: it is dropped for a new one.
    const outdated =
      !sameMembers(change?.members ?? alive, alive) ||
      (change?.proposal ?? 0) <= this.#heardViewIdMax;
    // (Members that have installed it already are merged by the next one.) One being installed is
    // seen through first: members that have not installed it yet would take the next proposal
    // instead, and leave their old view apart from those that did. (Its install step times out if
    // a member never installs.)
    if (change !== undefined && outdated && !change.installing) this.#change = undefined;
    if (this.#change === undefined) {
      const settled =
        sameMembers(alive, this.#members) &&
        !this.isChangingView() &&
        !alive.some(({ id }) => id !== this.self && this.#waitsForViewChange(id));
      if (settled) return;
      // A fresh node hears its peers for a while before it proposes (unless it hears all of them),
      // also when it hears some at once: proposing with the first few it hears would split them off
      // a running view.
      const waitingForPeers =
        this.#channel.view === 0 &&
        alive.length < this.nodeCount &&
        now < (this.#firstViewDeadline ?? now);
      if (waitingForPeers) return;
      const proposal = this.#nextProposal();
      if (proposal > VIEW_ID_MAX) return; // see VIEW_ID_MAX
      this.#viewIdMax = proposal;
      this.#change = new ViewChange(
        proposal,
        alive,
        this.mode,
        this.nodeCount,
        this.timing.retryIntervalMs,
        this.timing.suspectMs,
        now,
      );
    }
    this.#drive(now);
  }

  /**
   * The next id this node proposes: above every id it has heard of, and one of its own (congruent
   * to its node id modulo the node count), so that two coordinators unaware of each other never
   * propose the same id: two views with one id would be taken for one view.
   */
  #nextProposal(): ViewId {
    const above = Math.max(this.#viewIdMax, this.#promise.proposal, this.#channel.view) + 1;
    return above + ((this.self - (above % this.nodeCount) + this.nodeCount) % this.nodeCount);
  }

  /**
   * The nodes alive that take part in this node's next view change, ascending: all but those left
   * out for a link that fails one way (`LinkReports`; when this node is, it works alone), and those
   * that left this node's view without it. A member heard working in a later view has left this
   * node behind (it does not hear this node, or it would have kept it); the members it left behind
   * then change views among themselves rather than wait for it to hear them again. So a majority
   * of them goes on working, and they leave the old view together: what one of them delivers of
   * it, all do (left to be merged back one at a time, each would leave it alone, with only its own
   * posts).
   */
  #candidates(now: number): Member[] {
    const leftOut = this.#links.update(now, (node) => this.#detector.hears(now, node));
    if (leftOut[this.self]) return [{ id: this.self, incarnation: this.incarnation }];
    return this.#detector
      .aliveMembers(now)
      .filter(
        ({ id }) =>
          id === this.self ||
          (!leftOut[id] && !this.#leftWithoutThisNode(id) && !this.#leftBehind(now, id)),
      );
  }

  /**
   * Whether `node` is still in the view this node left alone, while this node gives the members it
   * left time to leave that view together, among themselves (see #candidates): merged back one at
   * a time instead, each would leave it alone. The wait ends after `suspectMs`, so that a node that
   * never leaves (two views may share an id) is still merged.
   */
  #leftBehind(now: number, node: NodeId): boolean {
    const left = this.#leftAlone;
    if (left === undefined || now >= left.untilMs) return false;
    return this.#heardState[node]!.view === left.view && left.members.includes(node);
  }

  /**
   * Whether `node`, a member of this node's view, works in a later view and is not merging this
   * node into one (this node has promised no proposal of its that it may still be installing).
   */
  #leftWithoutThisNode(node: NodeId): boolean {
    const { view } = this.#heardState[node]!;
    const merging = this.#promise.coordinator === node && view <= this.#promise.proposal;
    return view > this.#channel.view && this.#channel.isMember(node) && !merging;
  }

  /**
   * Whether member `node` of this view is stopped: it is still in an earlier view (it missed an
   * install), or it promised a proposal beyond this view (whose coordinator gave up).
   */
  #waitsForViewChange(node: NodeId): boolean {
    const { view, promised } = this.#heardState[node]!;
    return view < this.#channel.view || promised > this.#channel.view;
  }

  #drive(now: number): void {
    // Answers from this node itself arrive at once, so a step may complete right away: poll again.
    for (let round = 0; round < 4 && this.#change !== undefined; round++) {
      const change: ViewChange = this.#change;
      const result = change.poll(now);
      if ('failed' in result) {
        this.#change = undefined;
        // Members that missed the install are not failed: they will be merged back.
        if (change.installing) return;
        for (const node of result.failed) {
          if (node !== this.self) this.#detector.exclude(now, node, this.timing.suspectMs);
        }
        this.#stats.viewChangesFailed += 1;
        return;
      }
      for (const { to, message } of result.send) this.#send(to, message);
      if (change.done) this.#change = undefined;
      if (result.send.length === 0) return;
    }
  }

  /** A membership message to `to`, or handled at once when that is this node. */
  #send(to: NodeId, message: MembershipMessage): void {
    if (to === this.self) this.#handleMembership(this.#lastNow, this.self, message);
    else this.#transmits.push({ to, message });
  }

  #newChannel(view: ViewId, members: readonly NodeId[]): ViewChannel {
    return new ViewChannel({
      mode: this.mode,
      self: this.self,
      view,
      members,
      nodeCount: this.nodeCount,
      limits: this.limits,
      timing: this.timing,
      stats: this.#stats,
      transmit: (transmit) => this.#transmits.push(transmit),
      deliver: (delivery) => this.#deliveries.push(delivery),
    });
  }

  #refuse(reason: Extract<PostResult, { ok: false }>['reason']): PostResult {
    this.#stats.postsRefused += 1;
    return { ok: false, reason };
  }
}

const NO_PROMISE: PrepareMessage & { readonly coordinator: NodeId } = {
  kind: 'prepare',
  proposal: 0,
  members: [],
  coordinator: 0,
};

/** The run of node `id` among `members`, or -1 when it is not one of them. */
function runOf(members: readonly Member[], id: NodeId): number {
  return members.find((member) => member.id === id)?.incarnation ?? -1;
}

function memberRunsOf(members: readonly Member[], nodeCount: number): number[] {
  const runs = new Array<number>(nodeCount + 1).fill(-1);
  for (const { id, incarnation } of members) runs[id] = incarnation;
  return runs;
}

function sameMembers(a: readonly Member[], b: readonly Member[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (member, index) => member.id === b[index]!.id && member.incarnation === b[index]!.incarnation,
    )
  );
}
