/**
 * The server built once into one file for the test suite (`dist/test-server/server.mjs`), and so are the
 * operations scripts the tests run many times (`backup.mjs`, `restore.mjs`): a test starts
 * dozens of servers, and each used to transform the TypeScript of the server and load a thousand modules
 * through tsx before listening. Only native and JSON-free packages stay outside the bundle where they must
 * (`better-sqlite3`, a native addon). Every module's `import.meta.url` and `import.meta.dirname` are set to its
 * source file's, so files found relative to the code (migrations, workers, the built client) are found as
 * when run from source. `npm start` and production run from source; this is for tests only.
 */
import { renameSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Where the test server is built, relative to the checkout. */
export const TEST_SERVER = join('dist', 'test-server', 'server.mjs');

/** The scripts built beside it, by name (`npm run NAME` runs the same source through tsx). */
export const TEST_SCRIPTS = { backup: 'scripts/backup.ts', restore: 'scripts/restore.ts' } as const;

/** Where `TEST_SCRIPTS[name]` is built, relative to the checkout. */
export const testScript = (name: keyof typeof TEST_SCRIPTS): string => join('dist', 'test-server', `${name}.mjs`);

/** Packages loaded from node_modules as they are: native addons, which no bundle can hold. */
const EXTERNAL = ['better-sqlite3'];

const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
      (EXTERNAL.some((p) => args.path === p || args.path.startsWith(`${p}/`)) ? { path: args.path, external: true } : undefined));
    esbuild.onLoad({ filter: /\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path)),
    }));
  },
};

/** Builds the test server and scripts from `root`'s sources; returns the server's path. */
export async function buildTestServer(root: string): Promise<string> {
  const built = [buildOne(root, 'server/main.ts', TEST_SERVER)];
  for (const [name, entry] of Object.entries(TEST_SCRIPTS)) built.push(buildOne(root, entry, testScript(name as keyof typeof TEST_SCRIPTS)));
  return (await Promise.all(built))[0]!;
}

/** Bundles one entry point into `target` (relative to `root`): written whole, then renamed into place. */
async function buildOne(root: string, entry: string, target: string): Promise<string> {
  const out = join(root, target);
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: out,
    logLevel: 'warning',
    // Bundled CommonJS packages call require(): give them one.
    banner: { js: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);" },
    plugins: [sourceLocations],
  });
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0]!.contents);
  renameSync(partial, out);
  return out;
}
