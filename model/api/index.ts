/**
 * Every route of the HTTP API, declared once (route.ts says how). The server checks that it registers
 * exactly these; the client imports their types only.
 */
import { datasetRoutes } from './datasets';
import { memberRoutes } from './members';
import { placeRoutes } from './places';
import { releaseRoutes } from './releases';
import { reviewRoutes } from './review';
import { roundRoutes } from './rounds';
import { rowRoutes } from './rows';
import { sessionRoutes } from './session';
import { sourceRoutes } from './sources';
import { userRoutes } from './users';

export const API = {
  ...sessionRoutes, ...userRoutes, ...placeRoutes, ...datasetRoutes, ...memberRoutes, ...rowRoutes, ...reviewRoutes, ...sourceRoutes,
  ...roundRoutes, ...releaseRoutes,
} as const;

export type Api = typeof API;
export type { RouteDeclaration, RouteKey, Method } from './route';
