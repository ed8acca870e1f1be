/** Rewrites the generated table of every route in docs/api.md from the route declarations (model/api). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRoutesTable } from '../server/http/openapi-docs';

const page = join(import.meta.dirname, '..', 'docs', 'api.md');
const before = readFileSync(page, 'utf8');
const after = withRoutesTable(before);
if (after === before) {
  console.log('docs/api.md is up to date');
} else {
  writeFileSync(page, after);
  console.log('docs/api.md: the table of every route was rewritten');
}
