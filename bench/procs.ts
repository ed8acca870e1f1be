/**
 * Child processes of the benchmark: spawning servers, waiting for them, reading their memory and CPU
 * from /proc, and making sure none outlives the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const children = new Set<ChildProcess>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is still running.
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping servers`);
      process.exit(130);
    });
  }
}

export const sleep = (msec: number) => new Promise<void>((resolve) => setTimeout(resolve, msec));

/** A free TCP port on loopback (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** A server running as a child process; keeps the tail of its output for error reports. */
export class ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  /** Last lines the process wrote to stderr (and stdout lines that look like warnings or errors). */
  readonly problems: string[] = [];
  problemCount = 0;
  private readonly stdoutLines: string[] = [];
  private readonly exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;

  constructor(options: SpawnOptions) {
    installExitHooks();
    this.name = options.name;
    this.child = spawn(process.execPath, options.args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        children.delete(this.child);
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(code);
      });
    });
    this.collect(this.child.stdout, false);
    this.collect(this.child.stderr, true);
  }

  private collect(stream: NodeJS.ReadableStream | null, isStderr: boolean): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        this.line(pending.slice(0, newline), isStderr);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
  }

  private line(text: string, isStderr: boolean): void {
    if (text.trim() === '') return;
    if (!isStderr) {
      this.stdoutLines.push(text);
      if (this.stdoutLines.length > 50) this.stdoutLines.shift();
    }
    // pino writes JSON to stdout; level >= 40 is warn/error/fatal.
    const pinoLevel = /"level":\s*(\d+)/.exec(text)?.[1];
    if (isStderr || (pinoLevel !== undefined && Number(pinoLevel) >= 40)) {
      this.problemCount++;
      this.problems.push(text.length > 400 ? `${text.slice(0, 400)}…` : text);
      if (this.problems.length > 20) this.problems.shift();
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The first `http://host:PORT` seen on stdout, if any. */
  announcedPort(): number | undefined {
    for (const line of this.stdoutLines) {
      const match = /http:\/\/[^\s:/]+:(\d+)/.exec(line);
      if (match) return Number(match[1]);
    }
    return undefined;
  }

  recentOutput(): string {
    return [...this.stdoutLines.slice(-10), ...this.problems.slice(-10)].join('\n');
  }

  /** Polls `url` until it answers 200; fails when the process exits or the deadline passes. */
  async waitForHttp(url: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited (code ${this.exitCode}) before it was ready:\n${this.recentOutput()}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`${this.name} not ready at ${url} after ${timeoutMs} ms:\n${this.recentOutput()}`);
  }

  /** SIGTERM, wait for the exit; SIGKILL after `graceMs`. Returns how long the shutdown took. */
  async stop(graceMs = 15_000): Promise<{ ms: number; code: number | null; killed: boolean }> {
    const started = performance.now();
    if (!this.running) return { ms: 0, code: this.exitCode ?? null, killed: false };
    this.child.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    const result = await Promise.race([this.exited, timer]);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      const code = await this.exited;
      return { ms: performance.now() - started, code, killed: true };
    }
    return { ms: performance.now() - started, code: result, killed: false };
  }

  /** SIGKILL without waiting for a graceful shutdown. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  memory(): Memory | undefined {
    return readMemory(this.pid);
  }

  /** User + system CPU time of the process in ms. */
  cpuMs(): number | undefined {
    return readCpuMs(this.pid);
  }
}

export interface Memory {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since start, bytes. */
  hwm: number;
}

export function readMemory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Linux reports CPU times in clock ticks of USER_HZ, which is 100 on every mainstream kernel. */
const USER_HZ = 100;

export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the peak seen. */
export function sampleMemory(pid: number, intervalMs = 50): { stop: () => number } {
  let peak = readMemory(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    const rss = readMemory(pid)?.rss;
    if (rss !== undefined && rss > peak) peak = rss;
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const rss = readMemory(pid)?.rss;
      if (rss !== undefined && rss > peak) peak = rss;
      return peak;
    },
  };
}

/** CPU time the whole machine spent busy (all cores, every process), ms. */
export function readMachineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return ((total - idle) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

let gcFunction: (() => void) | undefined;

/** Collects this process's garbage (earlier phases leave GBs of dead documents behind) before a timed phase. */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}
