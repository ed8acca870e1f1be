/** `GET /api/openapi.json`: the API's OpenAPI document, public and cacheable (it changes only with the server). */
import type { Handler } from 'hono';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from './openapi';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

export function openApiRoute(): Handler {
  let body: string | undefined;
  return (c) => {
    body ??= JSON.stringify(openApiDocument(version));
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' });
  };
}
