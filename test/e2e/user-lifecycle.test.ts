/**
 * The user lifecycle in real Chromium: an admin acts on a user from the admin page (sign-in link, new
 * token, role, disabling) and the user's open grid follows; a user manages their own account.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../helpers/api';
import { api } from '../helpers/clients';
import { waitLive } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
const contexts: BrowserContext[] = [];

async function person(name: string): Promise<{ page: Page; token: string }> {
  const { user, context, page } = await e2e.userPage(name, 'editor');
  contexts.push(context);
  return { page, token: user.token };
}

beforeAll(async () => {
  await createDataset(e2e.server, 'shared');
});

afterAll(async () => {
  for (const context of contexts) await context.close();
});

describe('the admin page', () => {
  it('hands out a sign-in link and a new token, demotes a user and disables them: their open page follows each time', async () => {
    const fay = await person('Fay');
    await fay.page.goto('/d/shared/events');
    await waitLive(fay.page);
    const admin = await e2e.signedIn(e2e.server.adminToken, '/admin');
    contexts.push(admin.context);
    const page = admin.page;
    const row = page.locator('tr[data-user="Fay"]');
    await row.getByTestId('manage-user').click();
    const detail = page.getByTestId('user-detail');
    // Fay's browser session is listed.
    await expect.poll(() => detail.locator('[data-session]').count()).toBe(1);

    await detail.getByTestId('sign-in-link-button').click();
    const link = await detail.getByTestId('user-sign-in-link').inputValue();
    expect(link).toMatch(new RegExp(`^${e2e.server.url}/\\?token=.+`));
    expect(await detail.getByTestId('user-secret').textContent()).toMatch(/works once, until/);

    await detail.getByTestId('rotate-token').click();
    await page.getByTestId('confirm').click();
    const token = await detail.getByTestId('new-token').inputValue();
    expect((await api(e2e.server, '/api/me', { token })).body.name).toBe('Fay');
    expect((await api(e2e.server, '/api/me', { token: fay.token })).status).toBe(401);

    await row.getByTestId('user-role').selectOption('viewer');
    await fay.page.getByTestId('role-banner').waitFor({ timeout: 15_000 });
    expect(await fay.page.getByTestId('role-banner').textContent()).toContain('Your role on this dataset is now viewer: the grid is read-only');
    await waitLive(fay.page);

    await page.locator('tr[data-user="Fay"]').getByTestId('manage-user').waitFor();
    await page.getByTestId('user-detail').getByTestId('disable-user').click();
    await page.getByTestId('confirm').click();
    await page.locator('tr[data-user="Fay"]').getByTestId('user-disabled').waitFor();

    const ended = fay.page.getByTestId('access-ended');
    await ended.waitFor({ timeout: 15_000 });
    expect(await ended.getAttribute('data-code')).toBe('4401');
    expect(await ended.locator('h1').textContent()).toBe('You are signed out');
    expect(await fay.page.getByTestId('sign-in-again').getAttribute('href')).toMatch(/^\/signin\?next=/);

    // Newest first: who did what to Fay, in plain words.
    const audit = page.getByTestId('audit-log');
    await expect.poll(() => audit.locator('tbody tr').allTextContents()).toEqual(expect.arrayContaining([
      expect.stringContaining('disabled Fay'),
      expect.stringContaining('changed Fay’s role from editor to viewer'),
      expect.stringContaining('gave Fay a new token'),
      expect.stringContaining('made a sign-in link for Fay'),
    ]));
    expect(await audit.locator('tbody tr').first().textContent()).toContain('disabled Fay');
  });
});

describe('creating users', () => {
  it('lists a one-time sign-in link for each new user, never their token, until each is dismissed', async () => {
    const admin = await e2e.signedIn(e2e.server.adminToken, '/admin');
    contexts.push(admin.context);
    const page = admin.page;
    const tokens: string[] = [];
    for (const name of ['Ida', 'Jon', 'Kai']) {
      await page.getByLabel('Name', { exact: true }).fill(name);
      const created = page.waitForResponse((r) => r.url().endsWith('/api/users') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Create user' }).click();
      tokens.push((await (await created).json()).token);
      await page.locator(`[data-testid=new-user-link][data-user="${name}"]`).waitFor();
    }

    // Newest first, each with its own link: creating the next user kept the ones before.
    const items = page.getByTestId('new-user-link');
    expect(await items.evaluateAll((all) => all.map((item) => item.getAttribute('data-user')))).toEqual(['Kai', 'Jon', 'Ida']);
    const links = await page.getByTestId('sign-in-link').evaluateAll((fields) => fields.map((f) => (f as HTMLInputElement).value));
    expect(links).toHaveLength(3);
    expect(new Set(links).size).toBe(3);
    for (const link of links) {
      expect(link).toMatch(new RegExp(`^${e2e.server.url}/\\?token=.+`));
      for (const token of tokens) expect(link).not.toContain(token);
    }
    expect(await page.getByTestId('new-user-links').textContent()).toMatch(/can sign in once with this link, until/);
    for (const token of tokens) expect(await page.content()).not.toContain(token);

    // Jon's link signs Jon in once; opened again, it goes to the sign-in page.
    const jonLink = await page.locator('[data-testid=new-user-link][data-user="Jon"]').getByTestId('sign-in-link').inputValue();
    const jon = await e2e.browser.newContext({ baseURL: e2e.server.url });
    contexts.push(jon);
    const jonPage = await jon.newPage();
    await jonPage.goto(jonLink);
    await expect.poll(() => jonPage.getByTestId('me').textContent()).toBe('Jon');
    const later = await e2e.browser.newContext({ baseURL: e2e.server.url });
    contexts.push(later);
    const laterPage = await later.newPage();
    await laterPage.goto(jonLink);
    expect(new URL(laterPage.url()).pathname).toBe('/signin');

    await page.locator('[data-testid=new-user-link][data-user="Jon"]').getByTestId('dismiss-sign-in-link').click();
    expect(await items.evaluateAll((all) => all.map((item) => item.getAttribute('data-user')))).toEqual(['Kai', 'Ida']);
  });
});

describe('the account page', () => {
  it('changes your own password, refuses a wrong old one, and signs out your other sessions but not this one', async () => {
    const gus = await person('Gus');
    const other = await e2e.signedIn(gus.token, '/d/shared/events');
    contexts.push(other.context);
    await waitLive(other.page);

    await gus.page.goto('/account');
    const account = gus.page.getByTestId('account');
    await expect.poll(() => account.locator('[data-session]').count()).toBe(2);
    expect(await account.getByTestId('this-session').count()).toBe(1);

    // Gus has no password yet: the old one stays empty.
    await account.getByTestId('new-password').fill('first password 1');
    await account.getByTestId('new-password-again').fill('first password 1');
    await account.getByTestId('change-password').click();
    await expect.poll(() => account.getByTestId('new-password').inputValue()).toBe('');
    expect((await api(e2e.server, '/api/session', { token: null, body: { name: 'Gus', password: 'first password 1' } })).status).toBe(200);

    await account.getByTestId('old-password').fill('not the password');
    await account.getByTestId('new-password').fill('second password 2');
    await account.getByTestId('new-password-again').fill('second password 2');
    await account.getByTestId('change-password').click();
    await expect.poll(() => account.getByTestId('password-error').textContent()).toBe('The old password is not right');

    // Signing in by password above made a third session; all but this browser's end.
    await gus.page.reload();
    await expect.poll(() => account.locator('[data-session]').count()).toBe(3);
    await account.getByTestId('end-other-sessions').click();
    await expect.poll(() => account.locator('[data-session]').count()).toBe(1);
    expect(await account.getByTestId('this-session').count()).toBe(1);

    const ended = other.page.getByTestId('access-ended');
    await ended.waitFor({ timeout: 15_000 });
    expect(await ended.getAttribute('data-code')).toBe('4401');
    expect((await api(e2e.server, '/api/me', { token: gus.token })).body.name).toBe('Gus');
  });
});
