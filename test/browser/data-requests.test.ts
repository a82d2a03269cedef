// In Chromium: the data requests' list, a request's page, the statistics and the form to ask pass
// axe-core's WCAG 2.1 A/AA rules in Ukrainian and English at a phone's and a desktop's width, show
// no CSP violation or script error and do not scroll sideways; the Lviv editor's answer forms
// (opened) pass too, and a decline sent without a reason says so next to the field.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

const PUBLIC_PAGES = [
  '/data-requests',
  '/data-requests?city=lviv&overdue=1',
  '/data-requests/1',
  '/data-requests/stats',
];
const EDITOR_PAGES = ['/data-requests/3', '/data-requests/new', '/data-requests/stats?city=lviv'];

describe('data requests in Chromium', () => {
  let site: Site;
  let editor: BrowserContext;
  before(async () => {
    site = await startSite();
    editor = await site.browser.newContext();
    const page = await editor.newPage();
    await page.goto(`${site.baseUrl}/login`);
    await page.getByLabel('Електронна пошта').fill('editor.lviv@hromada.demo');
    await page.getByLabel('Пароль', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Увійти' }).click();
    await page.waitForLoadState('load');
    await page.close();
  });
  after(async () => {
    await editor?.close();
    await site?.close();
  });

  async function check(page: Page, path: string, locale: 'uk' | 'en', width: number) {
    const problems = watchProblems(page);
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${site.baseUrl}/lang/${locale}?next=${encodeURIComponent(path)}`);
    const reached = new URL(page.url());
    assert.equal(reached.pathname + reached.search, path, `${path} reached`);
    // The answer forms are folded; open them so that their fields are checked too.
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
    });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `${path} (${locale}, ${width}px):\n${describeViolations(violations)}`);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(sideways, false, `${path} scrolls sideways at ${width}px`);
    assert.deepEqual(problems, [], `${path}: ${problems.join('; ')}`);
  }

  for (const locale of ['uk', 'en'] as const)
    for (const width of [360, 1366]) {
      test(`public pages in ${locale} at ${width}px`, async () => {
        const context = await site.browser.newContext();
        const page = await context.newPage();
        for (const path of PUBLIC_PAGES) await check(page, path, locale, width);
        await context.close();
      });
      test(`the editor's pages in ${locale} at ${width}px`, async () => {
        const page = await editor.newPage();
        for (const path of EDITOR_PAGES) await check(page, path, locale, width);
        await page.close();
      });
    }

  test('a decline without a reason is refused, the message next to the field', async () => {
    const page = await editor.newPage();
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${site.baseUrl}/lang/uk?next=${encodeURIComponent('/data-requests/3')}`);
    await page.locator('summary', { hasText: 'Відхилити, з причиною' }).click();
    await page.locator('#decline-comment').fill('Немає причини.');
    await page.getByRole('button', { name: 'Відхилити', exact: true }).click();
    await page.waitForLoadState('load');
    assert.match((await page.locator('#decline-decline_reason-error').textContent()) ?? '', /\S/);
    assert.equal(await page.locator('#decline-decline_reason').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#decline-comment').inputValue(), 'Немає причини.');
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.close();
  });
});
