import { defineConfig } from 'tsup';

export default defineConfig({
  // The program, and its command line for the apps that start it (`@chat/proxy/command-line`).
  entry: ['src/main.ts', 'src/proxy-command-line.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
});
