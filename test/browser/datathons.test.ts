// Datathons in Chromium at a phone's width (360 px): the demo datathon's hub, a team, a
// submission, the results with the scoresheet, the organisers' page and a judge's page pass
// axe-core's WCAG 2.1 A/AA rules in each language, with no CSP problem and no sideways scrolling.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

describe('datathons in Chromium', () => {
  let site: Site;
  let id: number;
  let conflicted: number;
  before(async () => {
    site = await startSite();
    id = (await site.app.db.one<{ event_id: number }>('SELECT event_id FROM datathons ORDER BY event_id LIMIT 1'))!
      .event_id;
    conflicted = (await site.app.db.one<{ submission_id: number }>('SELECT submission_id FROM datathon_conflicts'))!
      .submission_id;
  });
  after(() => site?.close());

  for (const locale of ['uk', 'en', 'bg']) {
    test(`datathon pages are accessible and fit 360 px in ${locale}`, async () => {
      const context = await site.browser.newContext({
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      const check = async (path: string) => {
        const response = await page.goto(site.baseUrl + path);
        assert.equal(response?.status(), 200, path);
        assert.equal(describeViolations(await axeViolations(page)), '', `${path} in ${locale}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 1, `${path} overflows by ${overflow}px in ${locale}`);
      };
      for (const path of ['/datathons', `/datathons/${id}`, `/datathons/${id}/teams`, `/datathons/${id}/teams/1`])
        await check(path);
      for (const path of [`/datathons/${id}/submissions`, `/datathons/${id}/submissions/1`, `/datathons/${id}/results`])
        await check(path);
      await login(page, site.baseUrl, 'admin@hromada.demo');
      for (const path of [`/datathons/${id}/manage`, `/datathons/${id}/challenges/new`, `/events/${id}`])
        await check(path);
      await login(page, site.baseUrl, 'assessor@hromada.demo');
      for (const path of [`/datathons/${id}/judging`, `/datathons/${id}/submissions/${conflicted}`]) await check(path);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
