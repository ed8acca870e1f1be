/**
 * Whether the built web client (dist/client) was built from today's sources, and building it when not.
 * `npm start` and the test suite both ask here, so a `git pull` never leaves the old client served against the
 * new server. The build records a hash of everything that goes into the bundle; any change to those files (or to
 * the locked dependencies) makes the build stale, whatever the files' times say.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_STAMP, clientBuildIsCurrent, clientSourcesHash } from './builds.mjs';

export { clientBuildIsCurrent, clientSourcesHash };

/** Builds the client unless the build is current; returns whether it built. */
export function buildClientIfStale(root: string, build = () => viteBuild(root)): boolean {
  if (clientBuildIsCurrent(root)) return false;
  const hash = clientSourcesHash(root);
  build();
  writeFileSync(join(root, CLIENT_STAMP), `${hash}\n`);
  return true;
}

function viteBuild(root: string): void {
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
