import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/failover-bench.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
});
