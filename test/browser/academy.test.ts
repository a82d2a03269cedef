// The Data Academy in Chromium at a phone's width: a course, a lesson (with the mark-done
// button), an exercise (with its answer form, also sent back with an error) and the completion
// record pass axe (WCAG 2.1 A/AA) in every language, with no CSP violation and no sideways
// scrolling.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers.ts';
import { axeViolations, describeViolations, SCREENSHOT_DIR, startSite, watchProblems, type Site } from './browser.ts';

const COURSE = '/academy/open-data-basics';

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

describe('Data Academy pages in Chromium', () => {
  let site: Site;
  before(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    site = await startSite();
  });
  after(() => site?.close());

  for (const locale of ['uk', 'en', 'bg']) {
    test(`axe finds nothing on a lesson and the course's pages at 360 px in ${locale}`, async () => {
      const context = await site.browser.newContext({
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      // The learner part way through: the lesson still to do shows its "mark as done" button.
      await login(page, site.baseUrl, 'citizen@hromada.demo');
      const failures: string[] = [];
      const check = async (label: string) => {
        const violations = await axeViolations(page);
        if (violations.length) failures.push(`${label}:\n${describeViolations(violations)}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (overflow > 1) failures.push(`${label} overflows by ${overflow}px`);
      };
      await page.goto(`${site.baseUrl}${COURSE}/lessons/4`);
      assert.equal(await page.locator(`form[action="${COURSE}/lessons/4/done"] button`).count(), 1);
      await check('lesson 4');
      if (locale === 'uk') await page.screenshot({ path: `${SCREENSHOT_DIR}/academy-lesson-360.png`, fullPage: true });
      for (const path of [COURSE, `${COURSE}/lessons/5`, `${COURSE}/exercises/3`, '/academy']) {
        await page.goto(site.baseUrl + path);
        await check(path);
      }
      // An answer that is not a number comes back with its message tied to the field.
      await page.goto(`${site.baseUrl}${COURSE}/exercises/3`);
      await page.locator('#answer').fill('багато');
      await page.locator('form.stacked button[type=submit]').click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('#answer[aria-invalid="true"]').count(), 1);
      await check('exercise with an error');
      assert.equal(failures.join('\n\n'), '');
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
