export {
  checkDeliveries,
  checkViews,
  type DeliveredPost,
  type InstalledView,
  type Violation,
} from './invariants.js';
export { SeededRandom } from './random.js';
export {
  describeFailure,
  FAULT_PROFILES,
  runScenario,
  SETTLE_TIME_MS_MAX,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenario.js';
export {
  NO_FAULTS,
  Simulator,
  type LatePolls,
  type LinkFaults,
  type SimulatedDelivery,
  type SimulatedPost,
  type SimulatedView,
  type SimulatorOptions,
} from './simulator.js';
