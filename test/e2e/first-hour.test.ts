/**
 * A researcher's first hour in the browser: who is here, conflicts, the review card, importing, a blind
 * copy, the progress timeline, and the sheet at 1280×800.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { type RunningServer, startServer } from '../helpers/server';
import { launchBrowser, openSheet, signedIn } from './browser';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('who is here', () => {
  it('shows coder1 and coder2 with initials that tell them apart', async () => {
    const pages: Page[] = [];
    for (const name of ['coder1', 'coder2']) {
      const user = await createUser(server, name, 'editor');
      const { page } = await signedIn(browser, server.url, user.token, '/d/demo/events');
      await openSheet(page, 'demo', 'events');
      pages.push(page);
    }
    const initials = (page: Page) => page.locator('[data-testid=whos-here] .avatar').evaluateAll((avatars) =>
      Object.fromEntries(avatars.map((a) => [a.getAttribute('data-user'), a.querySelector('.avatar-initials')!.textContent])));
    await expect.poll(() => initials(pages[0]!)).toEqual({ coder1: 'C1', coder2: 'C2' });
    await expect.poll(() => initials(pages[1]!)).toEqual({ coder1: 'C1', coder2: 'C2' });
    await Promise.all(pages.map((p) => p.context().close()));
  });
});
