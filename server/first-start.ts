import { DEMO_DATASET } from '../model/demo';
import type { Db } from '../db/client';
import { countUsers, createUser, firstAdmin, setToken } from './auth/users';
import { createDataset } from './datasets';
import type { DatasetCatalog } from './storage';

/**
 * On an empty database: the admin user and the demo dataset. Returns the admin's token only then, on
 * the first start, so the sign-in URL is printed once; later starts keep ADMIN_TOKEN as the admin's token
 * without printing it (`npm run signin-link` prints a new link).
 */
export async function prepareDatabase(db: Db, datasets: DatasetCatalog, adminToken?: string): Promise<string | undefined> {
  if (countUsers(db) === 0) {
    const admin = await createUser(db, { name: 'admin', role: 'admin', token: adminToken });
    createDataset(datasets, { id: DEMO_DATASET.id, name: DEMO_DATASET.name, template: 'demo', createdBy: admin.id });
    return admin.token;
  }
  if (adminToken) {
    const admin = firstAdmin(db);
    if (admin) setToken(db, admin.id, adminToken);
  }
  return undefined;
}
