/**
 * The operations scripts (`npm run backup`, `npm run restore`) run as a person runs them, against a test server's
 * store; or, where a test runs them many times, as the suite built them (`scripts/server-build.ts`): the same
 * source without npm's start and tsx's transform of every module on each run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_SCRIPTS, testScript } from '../../scripts/server-build';
import { testDatabaseFor, testOnPostgres } from './pg';
import type { RunningServer } from './server';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment that points a script at the server's store: its DATA_DIR, and its database on PostgreSQL. */
export async function storeEnv(server: Pick<RunningServer, 'dataDir'>): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    DATA_DIR: server.dataDir,
    DATABASE_URL: testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : '',
  };
}

/** `npm run SCRIPT -- ...args` in the repository, to its exit. */
export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return runToExit('npm', ['run', '--silent', script, '--', ...args], env);
}

/**
 * The script `npm run SCRIPT` runs, as the suite built it, to its exit; from source (`npm run`) when the suite
 * runs from source (TESSERA_TEST_FROM_SOURCE=1) or it was not built.
 */
export function builtRun(script: keyof typeof TEST_SCRIPTS, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  const built = join(ROOT, testScript(script));
  if (process.env.TESSERA_TEST_FROM_SOURCE === '1' || !existsSync(built)) return npmRun(script, args, env);
  return runToExit(process.execPath, [built, ...args], env);
}

function runToExit(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A release's package as downloaded, by its sha256. */
export async function releaseZipSha(server: Pick<RunningServer, 'url' | 'adminToken'>, datasetId: string, version: string): Promise<string> {
  const response = await fetch(`${server.url}/api/datasets/${datasetId}/releases/${version}/package.zip`, {
    headers: { authorization: `Bearer ${server.adminToken}` },
  });
  if (response.status !== 200) throw new Error(`package.zip of ${version}: ${response.status}`);
  return sha256(new Uint8Array(await response.arrayBuffer()));
}
