/**
 * `npm start` under a supervisor: the signal goes to the npm process (the supervisor knows no other pid),
 * and the server must shut down as it does when signalled itself: stop accepting, store everything
 * received, close sockets with 1012 and exit 0 within 5 s, npm with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { insertRow } from '../../model/document';
import { connectSynced, type Client } from '../helpers/clients';
import { waitForValue } from '../helpers/eventually';
import { rowsOf, sheetOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const ROOT = join(import.meta.dirname, '..', '..');

interface NpmStart {
  npm: ChildProcess;
  url: string;
  wsUrl: string;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Runs `npm start` on a data dir of its own and waits for its "Tessera is running" line. */
async function npmStart(dataDir: string, adminToken: string): Promise<NpmStart> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so that the test can end whatever npm started, even an orphaned server.
    detached: true,
  });
  let out = '';
  npm.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  npm.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await waitForValue(() => {
    if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${out}`);
    const match = /Tessera is running[^\n]*http:\/\/127\.0\.0\.1:(\d+)\/[^\n]*\n/.exec(out);
    return match ? Number(match[1]) : null;
    // npm start first builds the web client when its sources changed since the last build.
  }, { what: 'npm start prints its line', timeoutMs: 90_000 });
  return { npm, port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, exited, output: () => out };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const ids = (client: Client) => rowsOf(client.doc, 'events').map(([id]) => id);

describe('npm start and signals', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a ${signal} sent to npm stores everything, closes sockets with 1012, and npm exits 0 within 5 s`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tessera-npm-start-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const adminToken = randomBytes(24).toString('base64url');
      const started = await npmStart(dataDir, adminToken);
      cleanups.push(() => {
        try { process.kill(-started.npm.pid!, 'SIGKILL'); } catch { /* the group is gone */ }
      });
      const endpoint = { wsUrl: started.wsUrl, adminToken };
      const writer = await connectSynced(endpoint, 'demo');
      const reader = await connectSynced(endpoint, 'demo');
      cleanups.push(() => writer.destroy(), () => reader.destroy());
      insertRow(sheetOf(writer.doc, 'events'), 'before-stop', { summary: `typed just before ${signal}` });
      // Relayed, so the server has received it; not necessarily stored yet.
      await waitFor(() => ids(reader).includes('before-stop'), { what: 'the edit reaches the server' });

      const sent = Date.now();
      started.npm.kill(signal);
      const { code, signal: killedBy } = await Promise.race([
        started.exited,
        new Promise<{ code: string; signal: null }>((resolve) => setTimeout(() => resolve({ code: 'still running after 10 s', signal: null }), 10_000)),
      ]);
      const took = Date.now() - sent;
      expect({ code, killedBy }, started.output()).toEqual({ code: 0, killedBy: null });
      expect(took).toBeLessThan(5000);
      expect(writer.closes).toContain(CloseCode.Restart);
      // The server went with npm: nothing listens on its port any more (an orphaned server would).
      expect(await accepts(started.port)).toBe(false);
      writer.destroy();
      reader.destroy();

      // Stored: the server started again on the same data dir has the row.
      const again: RunningServer = await startServer({ dataDir, adminToken, env: { DATABASE_URL: '', REDIS_URL: '' } });
      cleanups.push(() => again.dispose());
      const late = await connectSynced(again, 'demo');
      cleanups.push(() => late.destroy());
      expect(ids(late)).toContain('before-stop');
    }, 150_000);
  }
});
