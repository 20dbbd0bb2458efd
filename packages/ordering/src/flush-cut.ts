import type { CutMessage, NodeId, ReportMessage, ViewId } from './messages.js';
import type { OrderingMode } from './options.js';

/** One member's report, with the cut it had already completed for the same view, if any. */
export interface GroupReport {
  readonly from: NodeId;
  readonly report: ReportMessage;
  readonly adopted: CutMessage | undefined;
}

/**
 * The cut of view `reports[0].report.view` for the members that leave it together for view
 * `proposal`: everything any of them holds of each writer's log without gaps (so that whatever one
 * of them delivered, all of them deliver), and in unordered mode every post one of them delivered
 * out of order. Each writer's entries are fetched from a member that holds them.
 *
 * A cut some member already completed for an earlier proposal may have been installed by others
 * (whose coordinator then failed): what it delivers is kept, so that no two groups leaving the same
 * view deliver differently, and what this group holds beyond it is added (which only extends what
 * it delivers).
 *
 * In total order the group delivers the sequencer's order first (`orderedThrough`), then the posts
 * it did not order (`remainder`), by origin and seq:
 * - a majority of all nodes (two such groups cannot both exist) delivers all it holds of the
 *   sequencer's order, then all the rest. If it adopts a cut whose order a majority fixed (a group
 *   may have installed it), it keeps that order: posts it adds come after, by origin and seq (the
 *   group that installed that cut never delivers them, so they reorder nothing it delivered). A
 *   minority that adopts such a cut carries its order on (`orderFixed`), for a majority after it.
 *   If a member of the view change is known to be in that cut's view (`installed`: it reports that
 *   view, with the member that completed the cut among its members), the group that made it did
 *   install it, and a minority delivers it as it stands (alone, its own posts after it): every
 *   later majority of the view holds a member that completed it, and keeps it too. Not known to be
 *   installed, it may never have been, and a later majority that never saw it may order otherwise:
 *   the minority then delivers as any minority does;
 * - a minority delivers the sequencer's order only as far as one of its members may already have
 *   (`safeThrough`: every later majority delivers that too). A minority of one node then delivers
 *   its own posts: a majority that leaves without it may deliver them, and its own clients must not
 *   be the ones who never see them. One origin's posts have one order wherever they are delivered
 *   (their own); two origins' posts could be ordered otherwise by the majority, so a larger
 *   minority delivers none of the rest.
 */
export function computeCut(
  proposal: ViewId,
  mode: OrderingMode,
  nodeCount: number,
  reports: readonly GroupReport[],
  installed: (proposal: ViewId, holder: NodeId) => boolean,
): CutMessage {
  const { view, members } = reports[0]!.report;
  // The latest cut completed, except that in total order one whose order a majority fixed wins
  // over one whose order none did: a later minority's cut need not derive from it (its members
  // may never have held it), and dropping it would drop an order some group may have installed.
  // The fixed cuts a group can find derive each from the one before, so the latest is the one.
  const fixed = (cut: CutMessage): boolean => mode === 'total' && cut.orderFixed;
  let adopted: { cut: CutMessage; from: NodeId; proposal: ViewId } | undefined;
  for (const { from, report, adopted: cut } of reports) {
    if (cut === undefined) continue;
    const better =
      adopted === undefined ||
      (fixed(cut) === fixed(adopted.cut) ? report.adopted > adopted.proposal : fixed(cut));
    if (better) adopted = { cut, from, proposal: report.adopted };
  }
  const through = members.map((_, position) => adopted?.cut.through[position] ?? 0);
  const holders = members.map(() => adopted?.from ?? 0);
  for (const { from, report } of reports) {
    report.through.forEach((seq, position) => {
      if (seq > through[position]! || holders[position] === 0) {
        through[position] = Math.max(seq, through[position]!);
        holders[position] = from;
      }
    });
  }
  const majority = reports.length * 2 > nodeCount;
  const keepsOrder = mode === 'total' && adopted?.cut.orderFixed === true;
  // (A minority's cut that kept a majority's order without delivering it as it stands is not one.)
  const keepsInstalled =
    keepsOrder &&
    !majority &&
    adopted!.cut.remainder === 'all' &&
    installed(adopted!.proposal, adopted!.from);
  if (keepsInstalled) {
    // Of other origins no more than the installed cut: this group would order them by origin.
    const own = reports.length === 1 ? members.indexOf(reports[0]!.from) : -1;
    adopted!.cut.through.forEach((seq, position) => {
      if (position !== own) through[position] = seq;
    });
  }
  const extras: number[] = [];
  const named = new Set<string>();
  const addExtra = (writer: NodeId, seq: number, holder: NodeId): void => {
    const position = members.indexOf(writer);
    const key = `${writer}:${seq}`;
    if (position < 0 || seq <= through[position]! || named.has(key)) return;
    named.add(key);
    extras.push(writer, seq, holder);
  };
  if (adopted !== undefined) {
    const { extras: adoptedExtras } = adopted.cut;
    for (let index = 0; index < adoptedExtras.length; index += 3) {
      addExtra(adoptedExtras[index]!, adoptedExtras[index + 1]!, adopted.from);
    }
  }
  for (const { from, report } of reports) {
    for (let index = 0; index < report.extras.length; index += 2) {
      addExtra(report.extras[index]!, report.extras[index + 1]!, from);
    }
  }
  let safeThrough = adopted?.cut.safeThrough ?? 0;
  for (const { report } of reports) safeThrough = Math.max(safeThrough, report.safeThrough);
  const remainder = majority || keepsInstalled ? 'all' : reports.length === 1 ? 'own' : 'none';
  // The first member is the sequencer. Any other minority stops at `safeThrough` (see `finish`)
  // even when it keeps a majority's order, which goes at least as far.
  const orderedThrough = keepsOrder
    ? adopted!.cut.orderedThrough
    : majority
      ? through[0]!
      : Math.min(safeThrough, through[0]!);
  return {
    kind: 'cut',
    proposal,
    view,
    members,
    through,
    holders,
    extras,
    remainder,
    safeThrough,
    orderedThrough,
    orderFixed: mode === 'total' && (majority || keepsOrder),
  };
}
