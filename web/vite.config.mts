/**
 * The NOC console: built into dist/web and served by the API process at `/`.
 * `npm run build:web` builds it; `npm run dev:web` serves it with live reload, proxying
 * /graphql (HTTP and WebSocket) to an API on LINEGUARD_API (default http://127.0.0.1:4000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.LINEGUARD_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // React's automatic JSX runtime, compiled by Vite's own transformer (no Babel plugin needed).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The explorer (GraphiQL and its Monaco editor) is its own lazy chunk; the board never loads it.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: true,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's dependencies mark modules "use client" (a React Server Components hint): meaningless in a browser bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: { '/graphql': { target: api, ws: true } },
  },
});
