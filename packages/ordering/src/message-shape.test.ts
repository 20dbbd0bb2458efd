import { describe, expect, test } from 'vitest';
import { OrderingEngine } from './engine.js';
import { isWellFormed } from './message-shape.js';
import { ORDER_RUN_POSTS_MAX, VIEW_ID_MAX, type PeerMessage } from './messages.js';
import { EARLY_DELIVERIES_MAX } from './view-channel.js';

const NODES = 3;
/** As the engine sets it. */
const EXTRAS_MAX = EARLY_DELIVERIES_MAX;
const members = [
  { id: 1, incarnation: 0 },
  { id: 2, incarnation: 5 },
];
const report = {
  kind: 'report',
  proposal: 4,
  view: 3,
  members: [1, 2, 3],
  through: [1, 0, 2],
  extras: [2, 3],
  safeThrough: 0,
  adopted: 0,
} as const;
const cut = {
  kind: 'cut',
  proposal: 4,
  view: 3,
  members: [1, 2, 3],
  through: [1, 0, 2],
  holders: [1, 1, 3],
  extras: [2, 3, 1],
  remainder: 'none',
  safeThrough: 0,
  orderedThrough: 0,
  orderFixed: false,
} as const;
const post = { kind: 'post', view: 3, seq: 1, room: 1, payload: Uint8Array.of(1) } as const;

const wellFormed: PeerMessage[] = [
  post,
  { kind: 'order', view: 3, seq: 2, origin: 2, originSeq: 1, rooms: [1, 2] },
  { kind: 'status', view: 3, received: [1, 0, 0], delivered: [1, 0, 0], stable: 0, safe: 0 },
  { kind: 'nak', view: 3, writer: 2, first: 1, last: 4 },
  { kind: 'relay', writer: 2, entry: post },
  {
    kind: 'heartbeat',
    incarnation: 1_700_000_000_000,
    view: 3,
    promised: 0,
    coordinator: 1,
    unheard: [2],
    leftOut: [3],
  },
  { kind: 'prepare', proposal: 4, members },
  { kind: 'install', proposal: 4, members },
  report,
  cut,
  { ...cut, kind: 'adopted' },
  { kind: 'flushed', proposal: 4 },
];

/** Each is one field away from a well-formed message. */
const malformed: [string, unknown][] = [
  ['a post with seq 0', { ...post, seq: 0 }],
  ['a post without bytes', { ...post, payload: 'text' }],
  [
    'an order naming node 4 of 3',
    { kind: 'order', view: 3, seq: 1, origin: 4, originSeq: 1, rooms: [1] },
  ],
  [
    'an order naming no post',
    { kind: 'order', view: 3, seq: 1, origin: 2, originSeq: 1, rooms: [] },
  ],
  [
    'an order whose rooms have a hole',
    {
      kind: 'order',
      view: 3,
      seq: 1,
      origin: 2,
      originSeq: 1,
      rooms: Object.assign(new Array<number>(2), { 1: 1 }),
    },
  ],
  [
    'an order naming more posts than ORDER_RUN_POSTS_MAX',
    {
      kind: 'order',
      view: 3,
      seq: 1,
      origin: 2,
      originSeq: 1,
      rooms: new Array<number>(ORDER_RUN_POSTS_MAX + 1).fill(1),
    },
  ],
  [
    'a status with NaN',
    { kind: 'status', view: 3, received: [NaN], delivered: [0], stable: 0, safe: 0 },
  ],
  [
    'a status longer than the group',
    { kind: 'status', view: 3, received: [0, 0, 0, 0], delivered: [], stable: 0, safe: 0 },
  ],
  ['a NAK whose last is before its first', { kind: 'nak', view: 3, writer: 2, first: 5, last: 4 }],
  ['a relay of a malformed entry', { kind: 'relay', writer: 2, entry: { ...post, view: -1 } }],
  [
    'a heartbeat with a fractional incarnation',
    { kind: 'heartbeat', incarnation: 1.5, view: 3, promised: 0 },
  ],
  ['a heartbeat promising 2^53', { kind: 'heartbeat', incarnation: 0, view: 3, promised: 2 ** 53 }],
  [
    'a heartbeat naming unheard nodes out of order',
    {
      kind: 'heartbeat',
      incarnation: 0,
      view: 3,
      promised: 0,
      coordinator: 1,
      unheard: [3, 2],
      leftOut: [],
    },
  ],
  [
    'a heartbeat naming node 4 of 3 as unheard',
    {
      kind: 'heartbeat',
      incarnation: 0,
      view: 3,
      promised: 0,
      coordinator: 1,
      unheard: [4],
      leftOut: [],
    },
  ],
  [
    'a heartbeat naming node 0 as left out',
    {
      kind: 'heartbeat',
      incarnation: 0,
      view: 3,
      promised: 0,
      coordinator: 1,
      unheard: [],
      leftOut: [0],
    },
  ],
  ['a prepare beyond VIEW_ID_MAX', { kind: 'prepare', proposal: VIEW_ID_MAX + 1, members }],
  ['a prepare for proposal 0', { kind: 'prepare', proposal: 0, members }],
  [
    'an install with members out of order',
    { kind: 'install', proposal: 4, members: [...members].reverse() },
  ],
  ['an install with no members', { kind: 'install', proposal: 4, members: [] }],
  ['a report whose through is shorter than its members', { ...report, through: [1, 0] }],
  ['a report with an odd extras list', { ...report, extras: [2] }],
  [
    'a report with too many extras',
    { ...report, extras: new Array<number>(2 * EXTRAS_MAX + 2).fill(1) },
  ],
  ['a cut whose holder is not a node', { ...cut, holders: [1, 1, 9] }],
  ['a cut with a remainder not in CUT_REMAINDERS', { ...cut, remainder: 1 }],
  ['a cut whose orderFixed is not a boolean', { ...cut, orderFixed: 0 }],
  ['an unknown kind', { kind: 'gossip' }],
];

describe('isWellFormed', () => {
  test.each(wellFormed.map((message) => [message.kind, message] as const))(
    'takes a well-formed %s',
    (_, message) => {
      expect(isWellFormed(message, NODES, EXTRAS_MAX)).toBe(true);
    },
  );

  test.each(malformed)('refuses %s', (_, message) => {
    expect(isWellFormed(message as PeerMessage, NODES, EXTRAS_MAX)).toBe(false);
  });
});

test('the engine drops and counts malformed messages, and goes on', () => {
  const engine = new OrderingEngine({ mode: 'total', self: 1, nodeCount: NODES });
  for (const [, message] of malformed) engine.receive(0, 2, message as PeerMessage);
  expect(engine.stats().invalidDropped).toBe(malformed.length);
  expect(engine.view().id).toBe(0);
});
