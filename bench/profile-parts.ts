/**
 * `npx tsx bench/profile-parts.ts FILE.cpuprofile [N]`: a V8 CPU profile of a server, its busy time split
 * into the parts of the sync path (the first part, in the order below, that any frame of a sample's stack
 * belongs to): committing, broadcasting, applying a client's update, applying another instance's, the bus,
 * and so on; startup (module loading) and idle are left out of the shares. With N, the N largest.
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const inRedisBus = (f: CallFrame, names: RegExp) => f.url.includes('redis-bus') && names.test(f.functionName);
const PARTS: Array<[string, (f: CallFrame) => boolean]> = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  ['V8 (program)', (f) => f.functionName === '(program)'],
  ['startup (tsx, modules)', (f) => /tsx|esbuild|node:internal\/modules|compileFunction/.test(f.url)],
  ['PendingElsewhere', (f) => f.url.includes('pending-elsewhere')],
  ['conflict detection', (f) => f.url.includes('/conflicts/')],
  ['presence', (f) => f.url.includes('presence')],
  ['bus publish (encode, ioredis write)', (f) => inRedisBus(f, /^(publish|send|encodeMessage)$/)],
  ['apply pending from bus (Yjs+observers)', (f) => f.functionName === 'applyPending'],
  ['apply logged from bus/log (Yjs)', (f) => f.functionName === 'applyLogged' || f.functionName === 'applyAhead'],
  ['broadcast (merge + socket writes)', (f) => f.url.includes('broadcast.ts')],
  ['commit (store, SQL, read model)', (f) => ((f.url.includes('shared-doc') || f.url.includes('commit-pipeline')) && (f.functionName === 'write' || f.functionName === 'flush'))
    || /server\/sync\/store|db\/|drizzle|\/pg\/|pg-protocol|pg-pool/.test(f.url)],
  ['update check', (f) => f.url.includes('update-check')],
  ['own apply (Yjs+observers)', (f) => f.url.includes('shared-doc') && f.functionName === 'applyUpdate'],
  ['bus receive (parse, decode)', (f) => inRedisBus(f, /^(receive|decodeMessage|decodeBody)$/) || f.url.includes('redis-parser') || f.url.includes('DataHandler')],
  ['ioredis socket reads and writes (publish flush, alive mark)', (f) => f.url.includes('ioredis')],
  ['socket receive (ws, decode)', (f) => f.url.includes('server/sync/socket') || f.url.includes('ws/lib/receiver')],
  ['ws other', (f) => f.url.includes('/ws/lib')],
  ['timers', (f) => f.functionName === 'listOnTimeout' || f.functionName === 'processTimers'],
];
const LEFT_OUT = new Set(['idle', 'startup (tsx, modules)']);

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-parts.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const partOf = new Map<number, string>();
const part = (id: number): string => {
  const known = partOf.get(id);
  if (known) return known;
  const stack: CallFrame[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) stack.push(byId.get(at)!.callFrame);
  const found = PARTS.find(([, test]) => stack.some(test))?.[0] ?? 'other (node streams, microtasks, http, …)';
  partOf.set(id, found);
  return found;
};
const ms = new Map<string, number>();
profile.samples.forEach((id, i) => ms.set(part(id), (ms.get(part(id)) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const busy = [...ms].filter(([name]) => !LEFT_OUT.has(name)).reduce((sum, [, v]) => sum + v, 0);
console.log(`${file}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${(busy / 1000).toFixed(2)} s busy (startup and idle left out)`);
for (const [name, v] of [...ms].filter(([n]) => !LEFT_OUT.has(n)).sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 40))) {
  console.log(`${(v / 1000).toFixed(2).padStart(7)} s  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${name}`);
}
