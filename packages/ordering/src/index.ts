export { OrderingEngine } from './engine.js';
export type { EngineStats } from './engine-stats.js';
export type * from './messages.js';
export { CUT_REMAINDERS, ORDER_RUN_POSTS_MAX, VIEW_ID_MAX } from './messages.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  ORDERING_MODES,
  type Delivery,
  type EngineLimits,
  type EngineOptions,
  type EngineTiming,
  type OrderingMode,
  type PostRefusal,
  type PostResult,
  type Transmit,
  type View,
} from './options.js';
export { STATUS_TO_ALL_MEMBERS_MAX } from './status-schedule.js';
