/**
 * The dataset list in real Chromium: the delete dialog names what goes with a dataset (rows per sheet,
 * releases, sources, rounds), and an archived dataset shows its admins as admins, read-only like everyone.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { listedDatasets } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
const contexts: BrowserContext[] = [];

beforeAll(async () => {
});

afterAll(async () => {
  for (const context of contexts) await context.close();
});

async function adminPage(): Promise<Page> {
  const { context, page } = await e2e.signedIn(e2e.server.adminToken);
  contexts.push(context);
  return page;
}

/** The card of a dataset in the list, active or archived. */
const card = (page: Page, id: string) => page.locator(`[data-row="${id}"]`);

describe('the dataset list', () => {
  it('asks before a delete with everything that goes with the dataset counted, and the deletion is audited', async () => {
    await createDataset(e2e.server, 'doomed');
    const csv = 'row_id,actor1,event_type\nr1,Seoul,CONSULT\nr2,Pyongyang,THREATEN\nr3,Beijing,CONSULT\n';
    const imported = await fetch(`${e2e.server.url}/api/datasets/doomed/sheets/events/import`, {
      method: 'POST', headers: { authorization: `Bearer ${e2e.server.adminToken}`, 'content-type': 'text/csv' }, body: csv,
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect((await api(e2e.server, '/api/datasets/doomed/sources', { body: { title: 'One', text: 'First text.' } })).status).toBe(201);
    expect((await api(e2e.server, '/api/datasets/doomed/sources', { body: { title: 'Two', text: 'Second text.' } })).status).toBe(201);
    expect((await api(e2e.server, '/api/datasets/doomed/releases', { body: { rows: 'all' } })).status).toBe(201);
    const [ana, ben] = [await createUser(e2e.server, 'ana', 'editor'), await createUser(e2e.server, 'ben', 'editor')];
    expect((await api(e2e.server, '/api/datasets/doomed/rounds', { body: { sheet: 'events', columns: ['event_type'], coders: [ana.name, ben.name], rows: ['r1'] } })).status).toBe(201);

    const page = await adminPage();
    expect(await listedDatasets(page)).toContain('doomed');
    await card(page, 'doomed').getByTestId('delete-dataset').click();
    const dialog = page.getByTestId('prompt-dialog');
    await expect.poll(() => dialog.locator('.dialog-detail').textContent()).toBe(
      'With it go 3 rows in Events, no rows in Statements, with their history, flags and evidence; '
      + '1 release, 2 sources and 1 double-coding round. This cannot be undone. Type its id, doomed, to confirm.',
    );
    await page.getByTestId('prompt-input').fill('doomed');
    await page.getByTestId('prompt-confirm').click();
    await expect.poll(() => card(page, 'doomed').count()).toBe(0);

    const audit = (await api(e2e.server, '/api/audit')).body as Array<{ action: string; target: string; by: string }>;
    expect(audit.find((e) => e.action === 'dataset.delete' && e.target === 'doomed')).toMatchObject({ by: 'admin' });
    // The users page's audit log says it in words.
    await page.goto('/admin');
    await expect.poll(() => page.getByText('deleted the dataset doomed (Test doomed) with 3 rows in 2 sheets, 1 release, 2 sources, 1 round').count()).toBe(1);
  });

  it('shows admins of an archived dataset as admins, marked read-only, with Restore and Delete; others with their own role and no actions', async () => {
    await createDataset(e2e.server, 'shelved');
    const { context: danaContext, page: dana } = await e2e.userPage('Dana Other', 'editor');
    contexts.push(danaContext);
    expect((await api(e2e.server, `/api/datasets/shelved/members/${encodeURIComponent('Dana Other')}`, { method: 'PUT', body: { role: 'admin' } })).status).toBe(200);
    expect((await api(e2e.server, '/api/datasets/shelved', { method: 'PATCH', body: { archived: true } })).status).toBe(200);

    const admin = await adminPage();
    await admin.goto('/');
    const archived = admin.getByTestId('archived-datasets').locator('[data-row=shelved]');
    await expect.poll(() => archived.getByTestId('dataset-role').textContent()).toBe('Admin');
    expect(await archived.getByTestId('dataset-read-only').textContent()).toBe('Read-only');
    expect(await archived.getByTestId('restore-dataset').count()).toBe(1);

    // A dataset's own admin (an editor elsewhere) manages it archived too.
    await dana.goto('/');
    const danaCard = dana.getByTestId('archived-datasets').locator('[data-row=shelved]');
    await expect.poll(() => danaCard.getByTestId('dataset-role').textContent()).toBe('Admin');
    expect(await danaCard.getByTestId('restore-dataset').count()).toBe(1);
    expect(await danaCard.getByTestId('delete-dataset').count()).toBe(1);

    const { context: eveContext, page: eve } = await e2e.userPage('Eve Editor', 'editor');
    contexts.push(eveContext);
    await eve.goto('/');
    const eveCard = eve.getByTestId('archived-datasets').locator('[data-row=shelved]');
    await expect.poll(() => eveCard.getByTestId('dataset-role').textContent()).toBe('Editor');
    expect(await eveCard.getByTestId('dataset-read-only').textContent()).toBe('Read-only');
    expect(await eveCard.getByTestId('restore-dataset').count()).toBe(0);

    // In the grid, the read-only badge gives the archive as the reason, not the admin's role.
    await admin.goto('/d/shelved/events');
    await expect.poll(() => admin.getByTestId('read-only').getAttribute('title')).toBe('Archived: read-only for everyone, admins too, until an admin restores it.');

    // Restored, the badge goes and the admin's restore is in the audit log.
    await admin.goto('/');
    await archived.getByTestId('restore-dataset').click();
    await expect.poll(() => admin.locator('[data-testid=datasets] [data-row=shelved] [data-testid=dataset-role]').textContent()).toBe('Admin');
    expect(await admin.locator('[data-testid=datasets] [data-row=shelved] [data-testid=dataset-read-only]').count()).toBe(0);
    const audit = (await api(e2e.server, '/api/audit')).body as Array<{ action: string; target: string; by: string }>;
    expect(audit.filter((e) => e.target === 'shelved').map((e) => e.action)).toEqual(['dataset.restore', 'dataset.archive', 'member.set', 'dataset.create']);
  });
});
