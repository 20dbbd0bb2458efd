import { defineConfig } from 'tsup';

/**
 * The chat page and the dashboard, for browsers: one minified module each, with the HTML and CSS
 * copied beside them into dist/web, where `chatserver --http` serves them from (no CDN).
 * Built after tsup.config.ts, whose `clean` would otherwise remove them.
 */
export default defineConfig({
  entry: { chat: 'web/src/chat-page.ts', dashboard: 'web/src/dashboard-page.ts' },
  outDir: 'dist/web',
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  clean: false,
  // One self-contained file per page, no shared chunk to fetch.
  splitting: false,
  // @chat/protocol's escaping is bundled in: the pages load nothing from anywhere else.
  noExternal: [/.*/],
  publicDir: 'web/public',
  tsconfig: 'web/tsconfig.json',
});
