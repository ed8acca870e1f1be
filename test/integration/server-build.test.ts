import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServerIfStale, SERVER_BUNDLE, serverBundleIsCurrent } from '../../scripts/server-build';

/** A checkout in miniature: a server entry that imports a model file, and the lock file. */
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-server-build-'));
  mkdirSync(join(root, 'server'));
  mkdirSync(join(root, 'model'));
  writeFileSync(join(root, 'server', 'main.ts'), "import { answer } from '../model/answer';\nexport const served: number = answer;\n");
  writeFileSync(join(root, 'model', 'answer.ts'), 'export const answer: number = 1;\n');
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const served = async (bundle: string): Promise<number> =>
  ((await import(`${pathToFileURL(bundle).href}?${Date.now()}${Math.random()}`)) as { served: number }).served;

describe('npm start runs the server built from the sources it has', () => {
  it('builds when there is no build, runs what the sources say, and is current while nothing changed', async () => {
    expect(serverBundleIsCurrent(root)).toBe(false);
    const bundle = await buildServerIfStale(root);
    expect(bundle).toBe(join(root, SERVER_BUNDLE));
    expect(await served(bundle)).toBe(1);
    expect(serverBundleIsCurrent(root)).toBe(true);
  });

  it('builds again after a pull changed a file it imports, even one whose time is older than the build', async () => {
    await buildServerIfStale(root);
    const source = join(root, 'model', 'answer.ts');
    writeFileSync(source, 'export const answer: number = 2;\n');
    utimesSync(source, new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(serverBundleIsCurrent(root)).toBe(false);
    expect(await served(await buildServerIfStale(root))).toBe(2);
    expect(serverBundleIsCurrent(root)).toBe(true);
  });

  it('builds again when the locked packages change, or a file it was built from is gone', async () => {
    await buildServerIfStale(root);
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}\n');
    expect(serverBundleIsCurrent(root)).toBe(false);
    await buildServerIfStale(root);
    expect(serverBundleIsCurrent(root)).toBe(true);
    rmSync(join(root, 'model', 'answer.ts'));
    expect(serverBundleIsCurrent(root)).toBe(false);
  });

  it('records only the checkout\'s own files, not those of node_modules', async () => {
    mkdirSync(join(root, 'node_modules', 'tiny'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'tiny', 'package.json'), '{"name":"tiny","main":"index.js"}\n');
    writeFileSync(join(root, 'node_modules', 'tiny', 'index.js'), 'module.exports = 40;\n');
    writeFileSync(join(root, 'model', 'answer.ts'), "import tiny from 'tiny';\nexport const answer: number = tiny + 2;\n");
    expect(await served(await buildServerIfStale(root))).toBe(42);
    const recorded = readFileSync(join(root, `${SERVER_BUNDLE}.sources`), 'utf8');
    expect(recorded).toContain(' model/answer.ts');
    expect(recorded).not.toContain('node_modules');
    // A package changes with the lock file only: its own files are not read for the check.
    writeFileSync(join(root, 'node_modules', 'tiny', 'index.js'), 'module.exports = 0;\n');
    expect(serverBundleIsCurrent(root)).toBe(true);
  });
});
