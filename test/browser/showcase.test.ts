// The showcase in Chromium at a phone's width (360 px): the list, the demand by city and entry
// pages pass axe-core's WCAG 2.1 A/AA rules in each language, with no CSP problem and no sideways
// scrolling; so do the forms an admin and a city editor see (review, adoption, demand, submission).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

const PUBLIC_PAGES = [
  '/showcase',
  '/showcase?kind=application&city=lviv',
  '/showcase/wanted',
  '/showcase/zupynky-poruch',
  '/showcase/kudy-idut-hroshi',
  '/datasets/lviv-public-transport-stops',
];
const ADMIN_PAGES = ['/showcase/review', '/showcase/petytsii-kyieva', '/showcase/new', '/showcase/zupynky-poruch/edit'];
const EDITOR_PAGES = ['/showcase/povitria-mista'];

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

async function check(page: Page, baseUrl: string, path: string, locale: string) {
  const response = await page.goto(baseUrl + path);
  assert.equal(response?.status(), 200, path);
  assert.equal(describeViolations(await axeViolations(page)), '', `${path} in ${locale}`);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 1, `${path} in ${locale} overflows by ${overflow}px`);
}

describe('the showcase in Chromium', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(() => site?.close());

  for (const locale of ['uk', 'en', 'bg']) {
    test(`showcase pages are accessible on a phone in ${locale}`, async () => {
      const context = await site.browser.newContext({
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      for (const path of PUBLIC_PAGES) await check(page, site.baseUrl, path, locale);
      await login(page, site.baseUrl, 'admin@hromada.demo');
      for (const path of ADMIN_PAGES) await check(page, site.baseUrl, path, locale);
      await login(page, site.baseUrl, 'editor.lviv@hromada.demo');
      for (const path of EDITOR_PAGES) await check(page, site.baseUrl, path, locale);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a city editor marks that the city wants an app by clicking', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    await login(page, site.baseUrl, 'editor.lviv@hromada.demo');
    await page.goto(`${site.baseUrl}/showcase/zakupivli-api`);
    await page.getByRole('button', { name: 'Львів хоче це' }).click();
    await page.waitForURL(/done=demand/);
    await page.goto(`${site.baseUrl}/showcase/wanted`);
    assert.match(
      (await page.locator('section', { has: page.locator('#wanted-lviv') }).textContent()) ?? '',
      /API закупівель/,
    );
    await context.close();
  });
});
