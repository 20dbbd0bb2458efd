/**
 * The program the browser test bundles: simulated runs of every ordering mode over a faulty
 * network, with a partition, and a round trip of a post through the client protocol and the wire
 * format. It uses nothing but the packages and what every JavaScript runtime has (`TextEncoder`,
 * `TextDecoder`), and leaves its report, as JSON, in `globalThis.simulationReport`.
 */
import { ORDERING_MODES } from '@chat/ordering';
import { runScenario } from '@chat/ordering/testing';
import {
  DEFAULT_CLIENT_PROTOCOL_LIMITS,
  decodeFrame,
  decodeUtf8,
  encodeFrame,
  encodeUtf8,
  formatDelivery,
  parseClientDatagram,
} from '@chat/protocol';

const SEED = 20_261_201;
const FAULTS = { delayMsMax: 20, loss: 0.1, duplicate: 0.05 };

const runs = ORDERING_MODES.map((mode) => {
  const result = runScenario(SEED, { mode, faults: FAULTS, partitions: true });
  const { simulator } = result;
  const deliveries: number[] = [];
  for (let node = 1; node <= simulator.nodeCount; node++) {
    deliveries.push(simulator.deliveries(node).length);
  }
  return {
    mode,
    nodeCount: simulator.nodeCount,
    posts: simulator.posts.length,
    deliveries,
    violations: result.violations.length,
    settled: result.settledMs !== undefined,
  };
});

const command = parseClientDatagram(
  encodeUtf8('hello from a browser'),
  DEFAULT_CLIENT_PROTOCOL_LIMITS,
);
const text = command.kind === 'post' ? command.text : command.kind;
const datagram = encodeFrame({
  from: 1,
  messages: [
    { kind: 'post', view: 1, seq: 1, room: 3, payload: encodeUtf8(formatDelivery('alice', text)) },
  ],
});
const decoded = decodeFrame(datagram);
const relayed = decoded.ok && decoded.frame.messages[0]?.kind === 'post';
const frame = relayed
  ? decodeUtf8((decoded.frame.messages[0] as { payload: Uint8Array }).payload)
  : '';

(globalThis as { simulationReport?: string }).simulationReport = JSON.stringify({ runs, frame });
