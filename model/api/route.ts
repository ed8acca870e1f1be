/**
 * How a route of the HTTP API is declared: once, with who may call it and the schemas of what it takes and
 * answers. The server builds its OpenAPI document from these declarations and, under tests, checks every
 * answer against them; the web client takes its types from them (type-only imports: zod stays out of the
 * browser bundle).
 */
import { z } from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An answer that is not JSON (a download, a Markdown page): its content types. Not checked against a schema. */
export interface FileAnswer {
  readonly file: readonly string[];
}

/** What a route answers with one status: a JSON body's schema, or a file. */
export type Answer = z.ZodType | FileAnswer;

/** A request body that is not JSON (an uploaded file): its content types. */
export interface FileBody {
  readonly file: readonly string[];
}

export interface RouteDeclaration {
  /** One line: what the route does. */
  readonly summary: string;
  /** Who may call it, as docs/security.md#roles says it: `anyone`, `any user`, `admin`, `dataset editor`, … */
  readonly who: string;
  /** Path parameters beyond plain strings (each `{name}` of the path is a string unless given here). */
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** A JSON body's schema, or the files it takes; a body may also be either (`json` and `file`). */
  readonly body?: z.ZodType | FileBody | { readonly json: z.ZodType; readonly file: readonly string[] };
  /**
   * The answer of each status the route itself sends. Errors not listed here are `{error: {code, message}}`
   * (ErrorBody), which every route may answer.
   */
  readonly responses: Readonly<Record<number, Answer>>;
  /** Other content types the success answer comes in when the query's `format` asks for them. */
  readonly formats?: readonly string[];
}

/** The key of a declaration: `'GET /api/datasets/{id}'`, the path in OpenAPI style. */
export type RouteKey = `${Method} /${string}`;

export type RouteTable = Readonly<Record<RouteKey, RouteDeclaration>>;

/** Declares a file answer: the route sends one of these content types. */
export const file = (...types: string[]): FileAnswer => ({ file: types });

/** Declares routes, keeping their exact types for the client. */
export const routes = <const T extends RouteTable>(table: T): T => table;

/** Every error answer: a code a program can test and a message a person can read. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const isFileAnswer = (answer: Answer): answer is FileAnswer => 'file' in answer && Array.isArray((answer as FileAnswer).file);

/** A query string's value: the client sends numbers and flags as text. */
export const queryText = z.string();
