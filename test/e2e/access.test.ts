/** Access changes reach an open page at once: a downgraded member's grid turns read-only, a removed one is told. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../helpers/api';
import { api } from '../helpers/clients';
import { browserSuite } from './fixtures';

const e2e = browserSuite();

beforeAll(async () => {
  await createDataset(e2e.server, 'team-b');
  await api(e2e.server, '/api/datasets/team-b', { method: 'PATCH', body: { access: 'members' } });
});

describe('access changes on an open page', () => {
  it('turns a member’s grid read-only when they are made a viewer, and tells them when they are removed', async () => {
    const { token } = (await api(e2e.server, '/api/users', { body: { name: 'Mia Member', role: 'editor' } })).body;
    await api(e2e.server, '/api/datasets/team-b/members/Mia%20Member', { method: 'PUT', body: { role: 'editor' } });
    const { page, context } = await e2e.signedIn(token, '/d/team-b/events');
    // A new dataset has no rows yet: wait for the grid's live connection.
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    expect(await page.getByTestId('add-row').count()).toBe(1);

    await api(e2e.server, '/api/datasets/team-b/members/Mia%20Member', { method: 'PUT', body: { role: 'viewer' } });
    await expect.poll(() => page.getByTestId('read-only').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('add-row').count()).toBe(0);
    expect(await page.getByTestId('role-banner').textContent()).toContain('Your role on this dataset is now viewer');

    await api(e2e.server, '/api/datasets/team-b/members/Mia%20Member', { method: 'DELETE' });
    await expect.poll(() => page.getByTestId('access-ended').textContent(), { timeout: 15_000 }).toMatch(/You may no longer open this dataset/);
    await context.close();
  });
});
