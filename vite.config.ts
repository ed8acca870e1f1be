import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const backend = process.env.TESSERA_URL ?? 'http://127.0.0.1:8787';

// The browser client: sources in client/, built into dist/client/ for the server to serve.
export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // AG Grid is most of the client; only the pages with a grid load it (client/main.ts imports them when
    // opened). It and the other large libraries keep chunks of their own, named so that docs/bundle.md,
    // bench/bundle.ts and the browser's network panel can point at them.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'ag-grid', test: /[\\/]node_modules[\\/]ag-grid-community[\\/]/ },
            { name: 'yjs', test: /[\\/]node_modules[\\/](yjs|y-websocket|y-protocols|lib0)[\\/]/ },
            { name: 'csv-parse', test: /[\\/]node_modules[\\/]csv-parse[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
