/**
 * The server built into one file, as `npm start` and the cluster run it (`dist/server/server.mjs`, built again
 * whenever a file that went into it changed), and once more for the test suite (`dist/test-server/server.mjs`),
 * with the operations scripts the tests run many times (`backup.mjs`, `restore.mjs`). Run from source, a start
 * transforms the server's TypeScript and loads a thousand modules through tsx before it listens (~1 s quiet, 4 s
 * under load); from the bundle, one file. Only native packages stay outside the bundle (`better-sqlite3`, a native
 * addon). Every module's `import.meta.url` and `import.meta.dirname` are set to its source file's, so files
 * found relative to the code (migrations, workers, the built client) are found as when run from source.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { SERVER_BUNDLE, serverBundleIsCurrent, serverStamp, serverStampText } from './builds.mjs';

export { SERVER_BUNDLE, serverBundleIsCurrent };

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

/** Builds the server for `npm start` unless the bundle is current; returns its path. */
export async function buildServerIfStale(root: string): Promise<string> {
  if (!serverBundleIsCurrent(root)) {
    const inputs = await buildOne(root, 'server/main.ts', SERVER_BUNDLE);
    const own = inputs.filter((path) => !path.split(/[\\/]/).includes('node_modules'));
    writeFileSync(join(root, serverStamp(SERVER_BUNDLE)), serverStampText(root, own));
  }
  return join(root, SERVER_BUNDLE);
}

/** Builds the test server and scripts from `root`'s sources; returns the server's path. */
export async function buildTestServer(root: string): Promise<string> {
  const built = [buildOne(root, 'server/main.ts', TEST_SERVER)];
  for (const [name, entry] of Object.entries(TEST_SCRIPTS)) built.push(buildOne(root, entry, testScript(name as keyof typeof TEST_SCRIPTS)));
  await Promise.all(built);
  return join(root, TEST_SERVER);
}

/**
 * Bundles one entry point into `target` (relative to `root`): written whole, then renamed into place. Resolves with
 * the files it was built from, relative to `root`.
 */
async function buildOne(root: string, entry: string, target: string): Promise<string[]> {
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
    metafile: true,
  });
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0]!.contents);
  renameSync(partial, out);
  // esbuild names inputs relative to its working directory.
  return Object.keys(result.metafile.inputs).map((input) => relative(root, join(process.cwd(), input)));
}
