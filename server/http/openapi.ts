/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route declarations (model/api) with zod's own
 * JSON Schema output: OpenAPI 3.1 takes JSON Schema 2020-12 as it is, so no converter library is needed.
 */
import { z } from 'zod';
import { API } from '../../model/api';
import { type Answer, ErrorBody, isFileAnswer, type RouteDeclaration, type RouteKey } from '../../model/api/route';

type JsonSchema = Record<string, unknown>;

/** A schema as JSON Schema: what a request may send (`input`) or what an answer holds (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** `'GET /api/datasets/{id}'` → `['GET', '/api/datasets/{id}']`. */
export function splitKey(key: RouteKey): [string, string] {
  const space = key.indexOf(' ');
  return [key.slice(0, space), key.slice(space + 1)];
}

const pathParams = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

function content(answer: Answer, formats: readonly string[] = []) {
  if (isFileAnswer(answer)) return Object.fromEntries(answer.file.map((type) => [type, {}]));
  return { 'application/json': { schema: jsonSchema(answer, 'output') }, ...Object.fromEntries(formats.map((type) => [type, {}])) };
}

function queryParameters(query: z.ZodObject) {
  const schema = jsonSchema(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property,
  }));
}

function requestBody(body: NonNullable<RouteDeclaration['body']>) {
  if (body instanceof z.ZodType) return { required: true, content: { 'application/json': { schema: jsonSchema(body, 'input') } } };
  const files = Object.fromEntries(body.file.map((type) => [type, { schema: { type: 'string' } }]));
  const json = 'json' in body ? { 'application/json': { schema: jsonSchema(body.json, 'input') } } : {};
  return { required: true, content: { ...json, ...files } };
}

function operation(key: RouteKey, route: RouteDeclaration) {
  const [, path] = splitKey(key);
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    responses[status] = Number(status) === 204
      ? { description: 'No content' }
      : { description: route.summary, content: content(answer, Number(status) < 300 ? route.formats : []) };
  }
  responses.default = { description: 'An error: `{error: {code, message}}`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    summary: route.summary,
    description: `Who: ${route.who}.`,
    'x-who': route.who,
    parameters: [
      ...pathParams(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(route.query ? queryParameters(route.query) : []),
    ],
    ...(route.body && { requestBody: requestBody(route.body) }),
    responses,
  };
}

/** The whole document; built once, on first use. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, route] of Object.entries(API) as Array<[RouteKey, RouteDeclaration]>) {
    const [method, path] = splitKey(key);
    (paths[path] ??= {})[method.toLowerCase()] = operation(key, route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera HTTP API',
      version,
      description: 'Every /api route needs `Authorization: Bearer TOKEN` or the session cookie, unless its `x-who` is `anyone`. See docs/api.md.',
    },
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'tessera_session' },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  };
}
