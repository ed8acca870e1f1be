/**
 * Whether the built web client (dist/client) was built from today's sources, and building it when not.
 * `npm start` and the test suite both ask here, so a `git pull` never leaves the old client served against the
 * new server. The build records a hash of everything that goes into the bundle; any change to those files (or to
 * the locked dependencies) makes the build stale, whatever the files' times say.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sources of the bundle: folders walked whole, and single files. */
const INPUTS = ['client', 'model', 'vite.config.ts', 'package-lock.json'];
const STAMP = join('dist', 'client', '.sources-sha256');

function files(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(root, join(path, name)));
}

/** A hash of the bundle's sources: names and contents, in a fixed order. */
export function clientSourcesHash(root: string): string {
  const hash = createHash('sha256');
  for (const path of INPUTS.flatMap((input) => files(root, input)).sort()) {
    hash.update(path).update('\0').update(readFileSync(join(root, path))).update('\0');
  }
  return hash.digest('hex');
}

/** True when dist/client exists and was built from exactly today's sources. */
export function clientBuildIsCurrent(root: string): boolean {
  const stamp = join(root, STAMP);
  return existsSync(join(root, 'dist', 'client', 'index.html')) && existsSync(stamp)
    && readFileSync(stamp, 'utf8').trim() === clientSourcesHash(root);
}

/** Builds the client unless the build is current; returns whether it built. */
export function buildClientIfStale(root: string, build = () => viteBuild(root)): boolean {
  if (clientBuildIsCurrent(root)) return false;
  const hash = clientSourcesHash(root);
  build();
  writeFileSync(join(root, STAMP), `${hash}\n`);
  return true;
}

function viteBuild(root: string): void {
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
