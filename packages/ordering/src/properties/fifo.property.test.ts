import { describeOrderingProperties } from './property-runs.js';

// One file per mode, so that the test runner spreads the modes over its workers.
describeOrderingProperties('fifo');
