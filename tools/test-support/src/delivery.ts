/** Checks of what clients received, shared by the end-to-end and multi-host tests. */
export {
  compareWithExpected,
  fifoViolations,
  orderDifferences,
  type ReceivingMember,
} from './delivery-checks.js';
