/**
 * Two teams on one server, in real Chromium: each sees only its own members-only dataset, a dataset
 * admin manages members and access in the members panel, and a member whose access changes while their
 * grid is open is told why.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../helpers/api';
import { api } from '../helpers/clients';
import { listedDatasets, waitLive } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
const contexts: BrowserContext[] = [];

/** A new user signed in in their own browser profile, closed after the tests. */
async function person(name: string, role: 'viewer' | 'reviewer' | 'editor' | 'admin'): Promise<Page> {
  const { context, page } = await e2e.userPage(name, role);
  contexts.push(context);
  return page;
}

/** Makes `name` a member of the dataset with `role`, as the admin through the API. */
async function addMember(datasetId: string, name: string, role: string): Promise<void> {
  const { status, body } = await api(e2e.server, `/api/datasets/${datasetId}/members/${encodeURIComponent(name)}`, { method: 'PUT', body: { role } });
  expect(status, JSON.stringify(body)).toBe(200);
}

/** A dataset open to its members only, with these members. */
async function teamDataset(datasetId: string, members: Record<string, string>): Promise<void> {
  await createDataset(e2e.server, datasetId);
  await api(e2e.server, `/api/datasets/${datasetId}`, { method: 'PATCH', body: { access: 'members' } });
  for (const [name, role] of Object.entries(members)) await addMember(datasetId, name, role);
}

/** The member row of `name` in an open members panel. */
const memberRow = (page: Page, name: string) => page.locator(`[data-testid=members-panel] tr[data-member="${name}"]`);

beforeAll(async () => {
});

afterAll(async () => {
  for (const context of contexts) await context.close();
});

describe('two teams on one server', () => {
  it('lists only your team’s dataset, with your role and "members only", and says "not found" at the other team’s address', async () => {
    const alma = await person('Alma Team-A', 'editor');
    const boris = await person('Boris Team-B', 'editor');
    await teamDataset('team-a', { 'Alma Team-A': 'admin' });
    await teamDataset('team-b', { 'Boris Team-B': 'reviewer' });

    expect(await listedDatasets(alma)).not.toContain('team-b');
    expect(await listedDatasets(alma)).toContain('team-a');
    const almaCard = alma.locator('[data-dataset=team-a]');
    expect(await almaCard.getByTestId('dataset-role').textContent()).toBe('Admin');
    expect(await almaCard.getByTestId('members-only').textContent()).toBe('Members only');

    expect(await listedDatasets(boris)).not.toContain('team-a');
    expect(await boris.locator('[data-dataset=team-b]').getByTestId('dataset-role').textContent()).toBe('Reviewer');

    await alma.goto('/d/team-b/events');
    await expect.poll(() => alma.locator('main h1').textContent()).toBe('Not found');
    await boris.goto('/d/team-a');
    await expect.poll(() => boris.locator('main h1').textContent()).toBe('Not found');
  });

  it('lets a dataset admin switch the dataset to members only and add a member in the members panel', async () => {
    const cleo = await person('Cleo Lead', 'viewer');
    const dario = await person('Dario Newcomer', 'viewer');
    await createDataset(e2e.server, 'team-c');
    await addMember('team-c', 'Cleo Lead', 'admin');
    expect(await listedDatasets(dario)).toContain('team-c');

    await cleo.goto('/d/team-c/events');
    await waitLive(cleo);
    await cleo.getByTestId('members-button').click();
    const panel = cleo.getByTestId('members-panel');
    await memberRow(cleo, 'Cleo Lead').waitFor();
    await panel.getByTestId('access-members').check();
    await expect.poll(() => panel.getByTestId('access-explain').textContent()).toMatch(/Only the members below/);
    await expect.poll(() => listedDatasets(dario)).not.toContain('team-c');

    // A name nobody has is refused with the server's reason, and the form keeps what was typed.
    await panel.getByTestId('add-member-name').fill('Nobody Here');
    await panel.getByTestId('add-member').click();
    await expect.poll(() => panel.getByTestId('members-error').textContent()).toBe('No user "Nobody Here"');
    expect(await panel.getByTestId('add-member-name').inputValue()).toBe('Nobody Here');

    await panel.getByTestId('add-member-name').fill('Dario Newcomer');
    await panel.getByTestId('add-member-role').selectOption('editor');
    await panel.getByTestId('add-member').click();
    await memberRow(cleo, 'Dario Newcomer').waitFor();
    expect(await memberRow(cleo, 'Dario Newcomer').getByTestId('member-role').inputValue()).toBe('editor');
    expect(await panel.getByTestId('members-error').isHidden()).toBe(true);

    expect(await listedDatasets(dario)).toContain('team-c');
    expect(await dario.locator('[data-dataset=team-c]').getByTestId('dataset-role').textContent()).toBe('Editor');
  });

  it('turns a member’s open grid read-only with a banner saying why when demoted, and closes it with a message when removed', async () => {
    const dana = await person('Dana Lead', 'viewer');
    const emil = await person('Emil Coder', 'viewer');
    await teamDataset('team-d', { 'Dana Lead': 'admin', 'Emil Coder': 'editor' });
    await emil.goto('/d/team-d/events');
    await dana.goto('/d/team-d/events');
    await waitLive(emil);
    expect(await emil.getByTestId('add-row').count()).toBe(1);

    await waitLive(dana);
    await dana.getByTestId('members-button').click();
    await memberRow(dana, 'Emil Coder').getByTestId('member-role').selectOption('viewer');

    const banner = emil.getByTestId('role-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Your role on this dataset is now viewer: the grid is read-only');
    expect(await emil.getByTestId('read-only').count()).toBe(1);
    expect(await emil.getByTestId('add-row').count()).toBe(0);

    await memberRow(dana, 'Emil Coder').getByTestId('remove-member').click();
    await dana.getByTestId('confirm').click();
    await expect.poll(() => memberRow(dana, 'Emil Coder').count()).toBe(0);

    const ended = emil.getByTestId('access-ended');
    await ended.waitFor({ timeout: 15_000 });
    expect(await ended.getAttribute('data-code')).toBe('4403');
    expect(await ended.locator('h1').textContent()).toBe('You may no longer open this dataset');
    expect(await emil.getByTestId('grid').count()).toBe(0);
  });
});
