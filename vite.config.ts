import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const backend = process.env.TESSERA_URL ?? 'http://127.0.0.1:8787';
const outDir = fileURLToPath(new URL('./dist/client', import.meta.url));

/** Files worth compressing; images and fonts of the build (if any) are compressed already. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;

/**
 * Every compressible built file gets a brotli (`.br`, best quality) and a gzip (`.gz`) copy beside it, made
 * once here, so that the server sends the smallest one the browser accepts without compressing per request
 * (server/static.ts). A copy that would not be smaller is not written.
 */
function precompress(): Plugin {
  return {
    name: 'tessera-precompress',
    apply: 'build',
    // Each file this build wrote (not a walk of the folder, which another build may be emptying meanwhile).
    // Asynchronous: node:zlib compresses on its thread pool, the files side by side.
    async writeBundle(options, bundle) {
      const dir = options.dir ?? outDir;
      const [br, gz] = [promisify(brotliCompress), promisify(gzip)];
      await Promise.all(Object.keys(bundle).filter((name) => COMPRESSIBLE.test(name) && !name.startsWith('.vite/')).map(async (name) => {
        const path = join(dir, name);
        const bytes = await readFile(path);
        const [small, smaller] = await Promise.all([
          gz(bytes, { level: 9 }),
          br(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
        ]);
        if (small.length < bytes.length) await writeFile(`${path}.gz`, small);
        if (smaller.length < bytes.length) await writeFile(`${path}.br`, smaller);
      }));
    },
  };
}

// The browser client: sources in client/, built into dist/client/ for the server to serve.
export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  publicDir: false,
  plugins: [precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // `.vite/manifest.json`: which chunks each page's code needs, for the server's modulepreload hints.
    manifest: true,
    // AG Grid is most of the client; only the pages with a grid load it (client/main.ts imports them when
    // opened). It and the other large libraries keep chunks of their own, named so that docs/bundle.md,
    // bench/bundle.ts and the browser's network panel can point at them.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // The best brotli takes seconds on the largest chunk, by design: no warning about the time it takes.
      checks: { bundlerTimings: false },
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
