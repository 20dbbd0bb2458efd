export { describeArgumentError } from './argument-error.js';
export { describeFileError, readLocalFile, type LocalFileResult } from './local-file.js';
export {
  LOG_LINES_PER_TURN_MAX,
  TimestampedLog,
  formatLogTimestamp,
  monotonicEpochMs,
  type LogSink,
} from './timestamped-log.js';
export type { CommandLineResult } from './command-line-result.js';
