/** Helpers for end-to-end tests of the built programs. */
export { DatagramInbox, type ReceivedDatagram } from './datagram-inbox.js';
export { SpawnedProgram, type ProgramExit } from './spawned-program.js';
