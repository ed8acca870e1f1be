/**
 * Reads a release's zip as a Frictionless reader does (Frictionless JS, `datapackage`): unzipped to a
 * temp dir, every resource read with its values cast under the declared types, formats and constraints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import dp from 'datapackage';
import { unzipSync } from 'fflate';

export interface ReadPackage {
  valid: boolean;
  errors: string[];
  /** Each resource's rows, keyed by field name, cast; a resource that does not read is in `failures`. */
  rows: Record<string, Array<Record<string, unknown>>>;
  failures: Record<string, string>;
}

export async function readPackageZip(zip: Uint8Array, options: { relations?: boolean } = {}): Promise<ReadPackage> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-release-'));
  try {
    for (const [path, bytes] of Object.entries(unzipSync(zip))) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    const pkg = await dp.Package.load(join(dir, 'datapackage.json'), { basePath: dir });
    const rows: ReadPackage['rows'] = {};
    const failures: ReadPackage['failures'] = {};
    for (const resource of pkg.resources) {
      try {
        rows[resource.name] = await resource.read({ cast: true, keyed: true, relations: options.relations ?? false }) as Array<Record<string, unknown>>;
      } catch (err) {
        const e = err as Error & { errors?: Error[] };
        failures[resource.name] = [e.message, ...(e.errors ?? []).map((x) => x.message)].join('; ');
      }
    }
    return { valid: pkg.valid, errors: pkg.errors.map((e) => e.message), rows, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
