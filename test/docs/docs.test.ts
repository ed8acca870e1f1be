/**
 * The documentation follows the code (docs/development.md#documentation): every link into README.md or
 * docs/ names a page and a heading that exist, code comments cite pages by link rather than by section
 * name, docs/api.md lists exactly the routes the app registers, and the README's configuration table
 * exactly the settings the server reads.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Env } from '../../server/config';
import { buildApp } from '../helpers/app';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Files under `dir` (relative to the root) whose names pass `keep`, node_modules and builds left out. */
function files(dir: string, keep: (name: string) => boolean): string[] {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return keep(dir) ? [dir] : [];
  return readdirSync(full)
    .filter((name) => !['node_modules', 'dist', '.out'].includes(name))
    .flatMap((name) => files(join(dir, name), keep));
}

const CODE = [...['server', 'client', 'db', 'model', 'scripts', 'test', 'bench'].flatMap((dir) => files(dir, (f) => /\.(ts|js)$/.test(f))), '.ci/run', 'docs/tessera.service']
  .filter((f) => existsSync(join(ROOT, f)));
const PAGES = ['README.md', ...files('docs', (f) => f.endsWith('.md'))];

/** Markdown without its fenced code blocks (a `#` line in a shell or YAML block is no heading). */
const withoutFences = (markdown: string) => markdown.replace(/^ *(```|~~~)[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, '');

/**
 * A heading's anchor as GitHub makes it: the text as shown (links by their text, no code or emphasis marks),
 * lower case, everything but letters, digits, spaces, `-` and `_` dropped, spaces as `-`.
 */
function slug(heading: string): string {
  return heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '').trim().toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** The anchors a page has: one per heading (a repeated one gets `-1`, `-2`, …), and any `<a id>`/`<a name>`. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const text = withoutFences(read(page));
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(id!);
  return found;
}

/** Where a link points, as a file relative to the root (null: another site) and an anchor. */
function target(from: string, href: string): { file: string | null; anchor: string | undefined } {
  if (/^[a-z]+:/i.test(href)) return { file: null, anchor: undefined };
  const [path, anchor] = href.split('#') as [string, string | undefined];
  return { file: path === '' ? from : normalize(join(dirname(from), decodeURIComponent(path))), anchor };
}

/** What is wrong with a link from `from` to `href`, or null when it leads somewhere. */
function brokenLink(from: string, href: string): string | null {
  const { file, anchor } = target(from, href);
  if (file === null) return null;
  if (relative(ROOT, join(ROOT, file)).startsWith('..') || !existsSync(join(ROOT, file))) return `${from}: ${href}: no such file`;
  if (anchor === undefined || !file.endsWith('.md')) return null;
  return anchors(file).has(anchor) ? null : `${from}: ${href}: no heading "#${anchor}" in ${file}`;
}

describe('links', () => {
  it('from the README and docs/ lead to a page that exists, and to a heading of it', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const [, href] of withoutFences(read(page)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const problem = brokenLink(page, href!);
        if (problem) broken.push(problem);
      }
    }
    expect(broken).toEqual([]);
  });

  it('from code comments to README.md or docs/ lead to a page that exists, and to a heading of it', () => {
    const broken: string[] = [];
    for (const file of CODE) {
      for (const [href] of read(file).matchAll(/\b(?:docs\/[\w./-]+\.(?:md|service|png)|README\.md)(?:#[\w-]+)?/g)) {
        // Cited from the root of the repository, as a reader of the comment would look for it.
        const problem = brokenLink('README.md', href);
        if (problem) broken.push(`${file}: ${problem.slice('README.md: '.length)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('code comments cite a page by its link, not a README section by name or a numbered section', () => {
    const self = 'test/docs/docs.test.ts';
    const cited: string[] = [];
    for (const file of CODE.filter((f) => f !== self)) {
      read(file).split('\n').forEach((line, i) => {
        if (/README(?:'s)?,? ["“]|§\s?\d|\bissue #?\d|CONTRACT §/.test(line)) cited.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(cited).toEqual([]);
  });
});

/** `METHOD /path` with every parameter as `:` (`:?` when optional), for comparing. */
function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/:\w+(\{[^}]*\})?(\?)?/g, (_all, _pattern, optional) => (optional ? ':?' : ':'))}`;
}

describe('docs/api.md', () => {
  it('lists every route the app registers, and no route that is gone', async () => {
    const documented = new Set<string>();
    for (const [, method, path] of read('docs/api.md').matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) ([^`\s]+)`/gm)) {
      // Without its query; `[/:param]` is an optional segment.
      documented.add(routeKey(method!, path!.split('?')[0]!.replace(/\[\/:(\w+)\]/g, '/:$1?')));
    }
    // The web client's pages and the sync sockets have pages of their own (docs/using.md, docs/sync.md).
    const elsewhere = new Set([routeKey('GET', '/*'), routeKey('GET', '/ws/:room{.+}'), routeKey('GET', '/ws/:dataset/rows')]);
    const app = await buildApp();
    try {
      // `app.use` middleware is registered with method ALL; every route has its own method.
      const registered = new Set(app.app.routes.filter((r) => r.method !== 'ALL').map((r) => routeKey(r.method, r.path)));
      expect({
        missing: [...registered].filter((r) => !documented.has(r) && !elsewhere.has(r)),
        gone: [...documented].filter((r) => !registered.has(r)),
      }).toEqual({ missing: [], gone: [] });
    } finally {
      await app.close();
    }
  });
});

/** The folders a source file imports from (relative imports only), as `folder/…/file` from the root. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  const text = read(file);
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), // static, over several lines too
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm), // for its effects
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g), // dynamic
  ].map((m) => m[1]!);
  for (const spec of specs) if (spec.startsWith('.')) found.push(normalize(join(dirname(file), spec)));
  return found;
}

describe('docs/architecture.md', () => {
  it('import directions hold: model/ imports none of the others, client/ only model/, server/ db/ only in main.ts', () => {
    const top = (path: string) => path.split('/')[0]!;
    const allowed: Record<string, (to: string, from: string) => boolean> = {
      model: (to) => top(to) === 'model',
      client: (to) => ['client', 'model'].includes(top(to)),
      server: (to, from) => ['server', 'model'].includes(top(to)) || (from === 'server/main.ts' && to === 'db/open'),
      db: (to) => ['db', 'model', 'server'].includes(top(to)),
    };
    const wrong: string[] = [];
    for (const [folder, ok] of Object.entries(allowed)) {
      for (const file of files(folder, (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.contract.ts'))) {
        for (const to of importsOf(file)) if (!ok(to, file)) wrong.push(`${file} → ${to}`);
        if (folder === 'model' && /from 'node:/.test(read(file))) wrong.push(`${file} → node:`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('README.md', () => {
  it('has a row in its configuration table for every setting the server reads, and for no other', () => {
    const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(read('README.md'))?.[1] ?? '';
    const listed = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
    expect([...listed].sort()).toEqual(Object.keys(Env.shape).sort());
  });
});
