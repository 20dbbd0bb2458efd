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
 * (whose coordinator then failed): it is kept, so that no two groups leaving the same view deliver
 * differently. In total order, a majority keeps a cut that delivers the remainder as it was, and a
 * minority delivers no remainder (below); otherwise, and in unordered and FIFO mode, what this group
 * holds beyond the kept cut is added (which only extends what it delivers).
 *
 * In total order the group delivers the posts the sequencer did not order (`remainder`) only when it
 * holds a majority of all nodes: two such groups cannot both exist. Otherwise it delivers the
 * sequencer's order only as far as one of its members may already have (`safeThrough`).
 */
export function computeCut(
  proposal: ViewId,
  mode: OrderingMode,
  nodeCount: number,
  reports: readonly GroupReport[],
): CutMessage {
  const { view, members } = reports[0]!.report;
  let adopted: { cut: CutMessage; from: NodeId; proposal: ViewId } | undefined;
  for (const { from, report, adopted: cut } of reports) {
    if (cut !== undefined && (adopted === undefined || report.adopted > adopted.proposal)) {
      adopted = { cut, from, proposal: report.adopted };
    }
  }
  // In total order only a majority of all nodes may deliver the remainder (two majorities cannot
  // both leave a view). A majority that finds a remainder cut some member completed keeps it as it
  // is: another group with a member in common may have delivered it, and more would reorder it. A
  // minority does not deliver it at all, even one of its members completed it: the majority that
  // leaves without it may order those posts otherwise. It delivers the sequencer's order only as far
  // as a member may already have (below), which every later majority delivers too.
  const majority = reports.length * 2 > nodeCount;
  if (adopted !== undefined && mode === 'total' && adopted.cut.remainder && majority) {
    return {
      ...adopted.cut,
      kind: 'cut',
      proposal,
      holders: members.map(() => adopted.from),
    };
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
  return {
    kind: 'cut',
    proposal,
    view,
    members,
    through,
    holders,
    extras,
    remainder: majority,
    safeThrough,
  };
}
