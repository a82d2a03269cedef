// The open budget's reference pages in Chromium: a city's Codes block, the editors' form (also
// with its error messages) and the admins' tax-parameter page pass axe (WCAG 2.1 A/AA) in every
// language, with no CSP violation, and fit a phone's width.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers.ts';
import { axeViolations, describeViolations, SCREENSHOT_DIR, startSite, watchProblems, type Site } from './browser.ts';

const PAGES = ['/cities/lviv', '/cities/lviv/codes', '/admin/budget-tax-parameters', '/dashboard'];

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

describe('budget reference pages in Chromium', () => {
  let site: Site;
  before(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    site = await startSite();
  });
  after(() => site?.close());

  for (const locale of ['uk', 'en', 'bg']) {
    test(`axe finds nothing on the reference pages in ${locale}, also with form errors`, async () => {
      const context = await site.browser.newContext();
      await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      await login(page, site.baseUrl, 'admin@hromada.demo');
      const failures: string[] = [];
      const check = async (label: string) => {
        const violations = await axeViolations(page);
        if (violations.length) failures.push(`${label}:\n${describeViolations(violations)}`);
      };
      for (const path of PAGES) {
        await page.goto(site.baseUrl + path);
        if (path === '/cities/lviv') await page.waitForSelector('#cities-map[data-ready]');
        await check(path);
      }
      // The form sent back with its messages next to the fields.
      await page.goto(`${site.baseUrl}/cities/lviv/codes`);
      await page.locator('#katottg').fill('UA1');
      await page.locator('#valid_from_0').fill('2021-13-01');
      await page.locator('form.stacked button[type=submit]').click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('#katottg[aria-invalid="true"]').count(), 1);
      assert.equal(await page.locator('#valid_from_0-error').count(), 1);
      await check('/cities/lviv/codes with errors');
      if (locale === 'uk') await page.screenshot({ path: `${SCREENSHOT_DIR}/budget-codes-errors.png`, fullPage: true });
      assert.equal(failures.join('\n\n'), '');
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('the reference pages fit a phone screen without sideways scrolling', async () => {
    const context = await site.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await login(page, site.baseUrl, 'admin@hromada.demo');
    for (const path of PAGES) {
      await page.goto(site.baseUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
    }
    await context.close();
  });
});
