/**
 * Everything under `/api/datasets/:id`: one middleware resolves the dataset (404 when it does not
 * exist, or not for this user) and the user's role on it, and puts both on the context.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Role } from '../../model/roles';
import type { DatasetActor } from '../admin/datasets';
import { assertRoleOn, roleOn } from '../access';
import type { AuthEnv } from '../auth/middleware';
import { forbidden, notFound } from '../errors';
import type { DatasetCatalog, DatasetRecord } from '../storage';
import type { DocRegistry } from '../sync/registry';

export type DatasetEnv = {
  Variables: AuthEnv['Variables'] & { dataset: DatasetRecord; role: Role };
};

export function datasetScope(catalog: DatasetCatalog): MiddlewareHandler<DatasetEnv> {
  return async (c, next) => {
    const id = c.req.param('id') ?? '';
    const dataset = await catalog.get(id);
    const role = dataset && (await roleOn(catalog, c.get('user'), dataset));
    if (!dataset || !role) throw notFound(`No dataset "${id}"`);
    c.set('dataset', dataset);
    c.set('role', role);
    await next();
  };
}

/**
 * Before a read of the read model that must have every change a client may have seen (exports, the
 * history, progress): what the dataset's loaded documents applied is stored first.
 */
export function storeApplied(registry: DocRegistry): MiddlewareHandler<DatasetEnv> {
  return async (c, next) => {
    await registry.storeApplied(c.get('dataset').id);
    await next();
  };
}

/** Throws 403 unless the user's role on the request's dataset grants at least `needed`. */
export function requireRole(c: Context<DatasetEnv>, needed: Role): void {
  if (needed !== 'viewer') requireActive(c);
  assertRoleOn(c.get('role'), needed);
}

/** Throws 403 while the request's dataset is archived: every write waits for its restore, whatever role it needs. */
export function requireActive(c: Context<DatasetEnv>): void {
  if (c.get('dataset').archivedAt !== null) throw forbidden('This dataset is archived: it is read-only until an admin restores it');
}

/** Who acts on the request's dataset, and with which role. */
export function actorOn(c: Context<DatasetEnv>): DatasetActor {
  return { user: c.get('user'), dataset: c.get('dataset'), role: c.get('role') };
}
