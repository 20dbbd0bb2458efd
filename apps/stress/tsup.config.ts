import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/baseline-relay.ts', 'src/bench.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
});
