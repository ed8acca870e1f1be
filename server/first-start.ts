import { DEMO_DATASET } from '../model/demo';
import type { Db } from '../db/client';
import { countUsers, createUser, firstAdmin, setToken } from './auth/users';
import { createDataset } from './datasets';
import type { DatasetCatalog } from './storage';

/**
 * On an empty database: the admin user and the demo dataset. Returns the admin's token when it is
 * known (first start, or ADMIN_TOKEN), so the sign-in URL can be printed.
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
    return adminToken;
  }
  return undefined;
}
