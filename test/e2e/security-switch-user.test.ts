/**
 * In real Chromium: the app works under its Content-Security-Policy, and a sign-in link for another user
 * asks before it replaces the browser's session.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type CreatedUser } from '../helpers/api';
import { openSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let erin: CreatedUser;
let admin: { context: BrowserContext; page: Page };
const violations: string[] = [];

beforeAll(async () => {
  erin = await createUser(e2e.server, 'erin', 'editor');
  admin = await e2e.signedIn(e2e.server.adminToken, '/');
  // Chromium reports each blocked script, style or connection on the console.
  admin.page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
});

afterAll(async () => {
  await admin?.context.close();
});

const whoAmI = (page: Page) => page.evaluate(async () => ((await (await fetch('/api/me')).json()) as { name: string }).name);

describe('in the browser', () => {
  it('opens the grid with live sync under the Content-Security-Policy, without a violation', async () => {
    await openSheet(admin.page, 'demo', 'events');
    expect(await admin.page.locator('.ag-row[row-id]').count()).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });

  it('asks "signed in as admin, sign in as erin instead?" for erin\'s link, and stays admin when told to', async () => {
    await admin.page.goto(`/d/demo/events?token=${encodeURIComponent(erin.token)}`);
    const card = admin.page.getByTestId('switch-user-card');
    await expect.poll(() => card.textContent()).toContain('You are signed in as admin. Sign in as erin instead?');
    expect(admin.page.url()).not.toContain(erin.token);
    await admin.page.getByTestId('stay-signed-in').click();
    await admin.page.waitForURL(/\/d\/demo\/events$/);
    expect(await whoAmI(admin.page)).toBe('admin');
  });

  it('switches to erin when confirmed', async () => {
    await admin.page.goto(`/d/demo/events?token=${encodeURIComponent(erin.token)}`);
    await admin.page.getByTestId('switch-user').click();
    await admin.page.waitForURL(/\/d\/demo\/events$/);
    expect(await whoAmI(admin.page)).toBe('erin');
    expect(violations).toEqual([]);
  });
});
