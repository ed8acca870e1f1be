/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [N]`: the top N functions of a V8 CPU profile by self
 * time, with their share of the busy (non-idle) time, and the busy time by source file. With
 * `--total=name1,name2`, also the total (self + callees) time of the functions of those names.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const totalArg = process.argv.find((a) => a.startsWith('--total='));
const [file, topArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const IDLE = new Set(['(idle)', '(program)']);
const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/wt-[^/]+\//, '');
const perFunction = new Map<string, number>();
const perFile = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (IDLE.has(functionName)) {
    idle += us;
    continue;
  }
  busy += us;
  const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  perFunction.set(key, (perFunction.get(key) ?? 0) + us);
  const source = shortUrl(url) || functionName;
  perFile.set(source, (perFile.get(source) ?? 0) + us);
}
const wall = profile.endTime - profile.startTime;
console.log(`${file}: wall ${(wall / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s, idle/program ${(idle / 1e6).toFixed(2)} s`);
const print = (title: string, entries: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('self time by function', perFunction, top);
print('self time by file', perFile, 20);

if (totalArg) {
  // Total time of a function: its nodes' subtrees, not counting a node nested under another of the same name.
  const names = totalArg.slice('--total='.length).split(',');
  const subtree = new Map<number, number>();
  const sum = (node: ProfileNode): number => {
    let us = selfUs.get(node.id) ?? 0;
    for (const child of node.children ?? []) us += sum(byId.get(child)!);
    subtree.set(node.id, us);
    return us;
  };
  const root = profile.nodes[0]!;
  sum(root);
  const totals = new Map<string, number>(names.map((n) => [n, 0]));
  const walk = (node: ProfileNode, open: Set<string>) => {
    const name = node.callFrame.functionName;
    const counted = totals.has(name) && !open.has(name);
    if (counted) totals.set(name, totals.get(name)! + subtree.get(node.id)!);
    const next = counted ? new Set(open).add(name) : open;
    for (const child of node.children ?? []) walk(byId.get(child)!, next);
  };
  walk(root, new Set());
  console.log('\ntotal time (self + callees)');
  for (const [name, us] of totals) console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

const underArg = process.argv.find((a) => a.startsWith('--under='));
if (underArg) {
  // Self time of everything called (directly or not) by the named function.
  const target = underArg.slice('--under='.length);
  const inside = new Map<string, number>();
  const walk = (node: ProfileNode, within: boolean) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const now = within || functionName === target;
    if (now) {
      const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
      inside.set(key, (inside.get(key) ?? 0) + (selfUs.get(node.id) ?? 0));
    }
    for (const child of node.children ?? []) walk(byId.get(child)!, now);
  };
  walk(profile.nodes[0]!, false);
  print(`self time under ${target}`, inside, 25);
}
