/**
 * Whether the built web client (`dist/client`) and the built server (`dist/server/server.mjs`) were built from
 * the checkout's sources as they are now. Plain JavaScript, so that `npm start` can ask before it loads a
 * TypeScript loader: when both are current it runs the built server at once (`scripts/start.mjs`); the builds
 * themselves are `client-build.ts` and `server-build.ts`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Sources of the web client's bundle: folders walked whole, and single files. */
const CLIENT_INPUTS = ['client', 'model', 'vite.config.ts', 'package-lock.json'];
/** Beside the client's build: a hash of everything that went into it. */
export const CLIENT_STAMP = join('dist', 'client', '.sources-sha256');

/** Where `npm start` and the cluster run the server from, relative to the checkout. */
export const SERVER_BUNDLE = join('dist', 'server', 'server.mjs');
/**
 * Beside a server bundle: each of the checkout's files that went into it with a hash of its contents, and the lock
 * file's for the packages (a file of node_modules changes only with it).
 */
export const serverStamp = (/** @type {string} */ bundle) => `${bundle}.sources`;

/** @param {string} root @param {string} path @returns {string[]} */
function files(root, path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(root, join(path, name)));
}

/** A hash of the client's sources: names and contents, in a fixed order. @param {string} root */
export function clientSourcesHash(root) {
  const hash = createHash('sha256');
  for (const path of CLIENT_INPUTS.flatMap((input) => files(root, input)).sort()) {
    hash.update(path).update('\0').update(readFileSync(join(root, path))).update('\0');
  }
  return hash.digest('hex');
}

/** True when dist/client exists and was built from exactly today's sources. @param {string} root */
export function clientBuildIsCurrent(root) {
  const stamp = join(root, CLIENT_STAMP);
  return existsSync(join(root, 'dist', 'client', 'index.html')) && existsSync(stamp)
    && readFileSync(stamp, 'utf8').trim() === clientSourcesHash(root);
}

/** @param {string} root @param {string} path */
function hashOf(root, path) {
  const full = join(root, path);
  return existsSync(full) ? createHash('sha256').update(readFileSync(full)).digest('hex') : 'missing';
}

/** What a server bundle's stamp says for these inputs (the lock file always among them). @param {string} root @param {readonly string[]} inputs */
export function serverStampText(root, inputs) {
  return ['package-lock.json', ...inputs].sort().map((path) => `${hashOf(root, path)} ${path}`).join('\n');
}

/** True when the server bundle exists and every file it was built from is as it was then. @param {string} root */
export function serverBundleIsCurrent(root) {
  const stamp = join(root, serverStamp(SERVER_BUNDLE));
  if (!existsSync(join(root, SERVER_BUNDLE)) || !existsSync(stamp)) return false;
  const recorded = readFileSync(stamp, 'utf8');
  const inputs = recorded.split('\n').map((line) => line.slice(line.indexOf(' ') + 1)).filter((path) => path !== 'package-lock.json');
  return recorded === serverStampText(root, inputs);
}
