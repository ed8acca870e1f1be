import { DEMO_DATASET } from '../model/demo';
import { createUser, setToken } from './auth/users';
import { createDataset } from './datasets';
import type { Logger } from './logger';
import type { Storage } from './storage';

/**
 * The sentence people (and scripts) look for at start: where the server listens, and the public address
 * (PUBLIC_URL) when it differs, which is then the one in the sign-in link. The admin's token only on the
 * first start: logs are kept and shared, and `npm run signin-link` makes a new link when it is lost.
 */
export function startLine(listening: string, adminToken?: string, publicUrl?: string): string {
  const site = `${publicUrl ?? listening}/`;
  if (adminToken) {
    const link = `${site}?token=${encodeURIComponent(adminToken)}`;
    return publicUrl ? `Tessera is running on ${listening}/. Sign in as admin: ${link}` : `Tessera is running. Sign in as admin: ${link}`;
  }
  return publicUrl ? `Tessera is running at ${site} (listening on ${listening}/)` : `Tessera is running at ${site}`;
}

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

/**
 * The line that says the server runs and where to sign in, whatever LOG_LEVEL: a JSON line like every
 * other (`url` holds the address), with the sentence people look for as its message. The admin's token
 * only on the first start: logs are kept and shared, and `npm run signin-link` makes a new link.
 */
export function announceStart(log: Logger, base: string, adminToken: string | undefined, publicUrl?: string): void {
  const site = `${publicUrl ?? base}/`;
  const url = adminToken ? `${site}?token=${encodeURIComponent(adminToken)}` : site;
  const always = log.child({}, { level: 'info' });
  always.info(publicUrl ? { url, listening: `${base}/` } : { url }, startLine(base, adminToken, publicUrl));
}
