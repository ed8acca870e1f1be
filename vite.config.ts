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
    // AG Grid is most of the bundle; one chunk loads fastest over one connection.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
