// In Chromium: the procurement pages (a city's year, procedures with flags, supplier and buyer,
// the flags' methodology, the admin's feeds and imports) pass axe-core's WCAG 2.1 A/AA rules in
// Ukrainian and English, break no CSP rule, and fit a 360 px phone without sideways scrolling.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

describe('procurement pages in a browser', () => {
  let site: Site;
  let pages: string[] = [];
  before(async () => {
    site = await startSite();
    // A procedure with each kind of flag evidence: bids (R036), contract changes (ari-1-1), a complaint (sas24-3-1).
    const flagged = await site.app.db.query<{ ocid: string }>(
      `SELECT DISTINCT ocid FROM procurement_flags WHERE indicator IN ('R036', 'ari-1-1', 'sas24-3-1', 'split-purchase') AND ocid IS NOT NULL LIMIT 4`,
    );
    pages = [
      '/cities/lviv/procurement',
      '/cities/lviv/procurement?year=2026&flagged=1&method=aboveThresholdUA',
      ...flagged.map((f) => `/procurement/procedures/${f.ocid}`),
      '/procurement/suppliers/91000015',
      '/procurement/buyers/04055896',
      '/procurement/flags',
    ];
  });
  after(() => site?.close());

  test('axe finds no WCAG 2.1 A/AA violation, in Ukrainian and English, signed in as an admin', async () => {
    for (const lang of ['uk', 'en']) {
      const context = await site.browser.newContext();
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${site.baseUrl}/lang/${lang}?next=/`);
      await page.goto(`${site.baseUrl}/login`);
      await page.locator('input[name="email"]').fill('admin@hromada.demo');
      await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
      await page.locator('form[action="/login"] button[type="submit"]').click();
      await page.waitForLoadState('load');
      for (const path of [...pages, '/procurement/imports', '/procurement/feeds']) {
        const response = await page.goto(site.baseUrl + path);
        assert.equal(response?.status(), 200, path);
        const violations = await axeViolations(page);
        assert.equal(violations.length, 0, `${lang} ${path}: ${describeViolations(violations)}`);
      }
      assert.deepEqual(problems, []);
      await context.close();
    }
  });

  test('the pages fit a 360 px phone without sideways scrolling', async () => {
    const context = await site.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    for (const path of pages) {
      await page.goto(site.baseUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
    }
    await context.close();
  });
});
