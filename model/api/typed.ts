/**
 * The types a caller of the API gets from the declarations: which paths each method has, what each takes
 * (path params, query, body) and what it answers. Types only: importing this file brings no code.
 */
import type { z } from 'zod';
import type { Api } from './index';
import type { Answer, FileBody, Method } from './route';

/** The paths a method has, as declared: `'/api/datasets/{id}'`. */
export type PathOf<M extends Method> = { [K in keyof Api]: K extends `${M} ${infer P}` ? P : never }[keyof Api];

type Declared<M extends Method, P extends string> = Api[`${M} ${P}` & keyof Api];

/** The names in a path's braces: `'id' | 'sheetId'`. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

type SuccessStatus = 200 | 201 | 204;
type AnswerOf<A> = A extends z.ZodType ? z.output<A> : A extends Answer ? Blob : never;

/** What a successful call answers, as its declaration's schema gives it. */
export type ResponseOf<M extends Method, P extends string> = Declared<M, P> extends { responses: infer R }
  ? AnswerOf<R[SuccessStatus & keyof R]> : never;

type QueryOf<D> = D extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;
type BodyOf<D> = D extends { body: infer B }
  ? B extends z.ZodType ? z.input<B> : B extends { json: infer J extends z.ZodType } ? z.input<J> : B extends FileBody ? never : never
  : never;

type ParamsPart<P extends string> = [ParamNames<P>] extends [never] ? { params?: undefined } : { params: Record<ParamNames<P>, string> };
type QueryPart<D> = [QueryOf<D>] extends [never] ? { query?: undefined } : { query?: QueryOf<D> | URLSearchParams };
type BodyPart<D> = [BodyOf<D>] extends [never] ? { body?: undefined } : { body: BodyOf<D> };

/** The second argument of a call: path params when the path has any, the query, the JSON body. */
export type CallOptions<M extends Method, P extends string> = ParamsPart<P> & QueryPart<Declared<M, P>> & BodyPart<Declared<M, P>>;

/** Whether a call can leave out its options: no path params and no body. */
export type NeedsOptions<M extends Method, P extends string> = [ParamNames<P>] extends [never]
  ? [BodyOf<Declared<M, P>>] extends [never] ? false : true
  : true;
