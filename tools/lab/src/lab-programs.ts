import { fileURLToPath } from 'node:url';

/** The built programs the lab runs inside its hosts. */
export const SERVER_MAIN = fileURLToPath(
  new URL('../../../apps/server/dist/main.js', import.meta.url),
);
export const CLIENT_MAIN = fileURLToPath(
  new URL('../../../apps/client/dist/main.js', import.meta.url),
);
export const STRESS_MAIN = fileURLToPath(
  new URL('../../../apps/stress/dist/main.js', import.meta.url),
);
