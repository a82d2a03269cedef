// In Chromium: the data programme's pages (national compliance with its map, a city's compliance,
// the mandatory list, a city's inventory, the handbook, and as the Lviv editor the entry form, the import form
// and a dataset's declaration form) pass axe-core's WCAG 2.1 A/AA rules in Ukrainian and English,
// show no CSP violation or script error, and fit a phone's width; an editor declares a list item
// on a dataset's page and sees the city's score change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

const PUBLIC_PAGES = [
  '/data-programme',
  '/data-programme/list',
  '/cities/lviv/compliance',
  '/cities/lviv/inventory',
  '/cities/lviv',
  '/handbook',
  '/handbook?q=CSV',
  '/handbook/preparing-a-csv',
  '/handbook/using-the-api',
  '/handbook/print',
  '/handbook/what-is-open-data/history',
];
const EDITOR_PAGES = [
  '/cities/lviv/inventory/new',
  '/cities/lviv/inventory/1/edit',
  '/cities/lviv/inventory/import',
  '/datasets/lviv-budget-2024',
  '/dashboard',
  '/handbook/publishing-in-hromada/edit',
  '/handbook/new',
];

describe('data programme pages in Chromium', () => {
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
    if (path === '/data-programme') await page.waitForSelector('#compliance-map[data-ready]', { timeout: 15_000 });
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
      test(`editor pages in ${locale} at ${width}px`, async () => {
        const page = await editor.newPage();
        for (const path of EDITOR_PAGES) await check(page, path, locale, width);
        await page.close();
      });
    }

  test('an editor declares a list item on a dataset page and the city’s score rises', async () => {
    const page = await editor.newPage();
    const score = async () => {
      const response = await page.request.get(`${site.baseUrl}/api/v1/cities/lviv/compliance`);
      return ((await response.json()) as { score: number }).score;
    };
    const before = await score();
    await page.goto(`${site.baseUrl}/lang/uk?next=${encodeURIComponent('/datasets/lviv-budget-2024')}`);
    const option = page.locator('#dataset-mandatory-items option', { hasText: 'mun-049' });
    await page
      .locator('#dataset-mandatory-items select[name="item"]')
      .selectOption((await option.getAttribute('value'))!);
    await page.getByRole('button', { name: 'Заявити' }).click();
    await page.waitForLoadState('load');
    assert.match((await page.locator('#dataset-mandatory-items').textContent()) ?? '', /mun-049/);
    assert.ok((await score()) > before);
    await page.close();
  });
});
