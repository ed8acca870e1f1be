import { DEMO_DATASET } from '../model/demo';
import { createUser, setToken } from './auth/users';
import { createDataset } from './datasets';
import type { Storage } from './storage';

/**
 * On an empty database: the admin user and the demo dataset. Returns the admin's token only then, on
 * the first start, so the sign-in URL is printed once; later starts keep ADMIN_TOKEN as the admin's token
 * without printing it (`npm run signin-link` prints a new link).
 */
export async function prepareDatabase({ users, datasets }: Storage, adminToken?: string): Promise<string | undefined> {
  if (await users.count() === 0) {
    let admin: Awaited<ReturnType<typeof createUser>>;
    try {
      admin = await createUser(users, { name: 'admin', role: 'admin', token: adminToken });
    } catch (error) {
      // Another instance starting on the same database made the first user a moment earlier.
      if (await users.count() === 0) throw error;
      return undefined;
    }
    await createDataset(datasets, { id: DEMO_DATASET.id, name: DEMO_DATASET.name, template: 'demo', createdBy: admin.id });
    return admin.token;
  }
  if (adminToken) {
    const admin = await users.firstAdmin();
    if (admin) await setToken(users, admin.id, adminToken);
  }
  return undefined;
}
