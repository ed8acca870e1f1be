import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildClientIfStale, clientBuildIsCurrent } from '../../scripts/client-build';

/** A checkout in miniature: client and model sources, and a "build" that writes dist/client/index.html. */
let root: string;
let builds: number;
const build = () => {
  builds++;
  mkdirSync(join(root, 'dist', 'client'), { recursive: true });
  writeFileSync(join(root, 'dist', 'client', 'index.html'), `<html>${builds}</html>`);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-build-'));
  builds = 0;
  mkdirSync(join(root, 'client', 'grid'), { recursive: true });
  mkdirSync(join(root, 'model'));
  writeFileSync(join(root, 'client', 'grid', 'keys.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'model', 'columns.ts'), 'export const b = 2;\n');
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm start builds the web client from the sources it serves', () => {
  it('builds when there is no build, and not again while nothing changed', () => {
    expect(buildClientIfStale(root, build)).toBe(true);
    expect(buildClientIfStale(root, build)).toBe(false);
    expect(builds).toBe(1);
  });

  it('rebuilds after a pull changed a client source, even one whose time is older than the build', () => {
    buildClientIfStale(root, build);
    const source = join(root, 'client', 'grid', 'keys.ts');
    writeFileSync(source, 'export const a = 2;\n');
    utimesSync(source, new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(clientBuildIsCurrent(root)).toBe(false);
    expect(buildClientIfStale(root, build)).toBe(true);
    expect(builds).toBe(2);
  });

  it('rebuilds when a shared model file, a new file or the locked dependencies change', () => {
    buildClientIfStale(root, build);
    writeFileSync(join(root, 'model', 'columns.ts'), 'export const b = 3;\n');
    expect(buildClientIfStale(root, build)).toBe(true);
    writeFileSync(join(root, 'client', 'grid', 'new.ts'), 'export {};\n');
    expect(buildClientIfStale(root, build)).toBe(true);
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}\n');
    expect(buildClientIfStale(root, build)).toBe(true);
    expect(builds).toBe(4);
  });

  it('rebuilds when the build was made by an older version that left no record of its sources', () => {
    build();
    expect(buildClientIfStale(root, build)).toBe(true);
  });
});
