import type { NodeId } from '../messages.js';
import { nodesToLeaveOut } from '../link-reports.js';

/**
 * The view `node` settles in, for the network as it is: `hears(listener, speaker)` says whether a
 * node up hears another node up. The nodes present for `node` are those it hears, and those heard
 * by a node it hears; of those, the ones that do not all hear each other are left out by the rule
 * of `LinkReports` (`nodesToLeaveOut`), here from what the network does rather than from what the
 * heartbeats say, so that a simulated run checks the engine against it. A node kept settles with
 * the others kept; a node left out settles alone.
 */
export function settledViewOf(
  node: NodeId,
  nodeCount: number,
  hears: (listener: NodeId, speaker: NodeId) => boolean,
): NodeId[] {
  const nodes = Array.from({ length: nodeCount + 1 }, (_, index) => index);
  const heard = nodes.map((other) => other > 0 && hears(node, other));
  const present = nodes.map(
    (other) =>
      heard[other]! ||
      (other > 0 && nodes.some((peer) => heard[peer] && peer !== node && hears(peer, other))),
  );
  const leftOut = nodesToLeaveOut(nodeCount, present, (a, b) => !hears(a, b) || !hears(b, a));
  if (leftOut[node]) return [node];
  return nodes.filter((other) => present[other] && !leftOut[other]);
}
