/**
 * `npm run signin-link [-- BASE_URL]`: prints a sign-in link for the admin, for when the first start's
 * link is lost. The link's address is BASE_URL, else PUBLIC_URL, else HOST:PORT. Without ADMIN_TOKEN it gives the admin a new token (the old one stops working at once;
 * sessions already signed in stay); with ADMIN_TOKEN set, the link carries that token, which the next
 * start would set again anyway. Reads DATA_DIR (or DATABASE_URL), HOST and PORT like the server; safe while it runs.
 */
import { openStorage } from '../db/open';
import { newSecret } from '../server/auth/secrets';
import { setToken } from '../server/auth/users';
import { readConfig } from '../server/config';

const config = readConfig();
const { storage: { users }, where, close } = await openStorage(config);
try {
  const admin = await users.firstAdmin();
  if (!admin) {
    console.error(`No admin user in ${where} yet: start Tessera once (npm start), which prints the first sign-in link.`);
    process.exitCode = 1;
  } else {
    const token = config.ADMIN_TOKEN ?? newSecret();
    if (!config.ADMIN_TOKEN) await setToken(users, admin.id, token);
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const base = (process.argv[2] ?? config.PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/+$/, '');
    console.log(`Sign in as ${admin.name}: ${base}/?token=${encodeURIComponent(token)}`);
  }
} finally {
  await close();
}
