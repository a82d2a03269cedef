// Community events in Chromium: every events page passes axe-core's WCAG 2.1 A/AA rules in
// each language with no CSP problem and no sideways scrolling at 360 px; a person registers
// by clicking, and an organiser's venue map and point picker load.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';

// The demo's events in the order it creates them: the Data Academy course (Kyiv, registration
// open), an online meetup that is full, a forum whose registration opens later, a past meetup.
const PUBLIC_PAGES = [
  '/community',
  '/events',
  '/events?when=past',
  '/events?kind=training&city=kyiv',
  '/events/1',
  '/events/2',
  '/events/3',
  '/events/4',
  '/cities/kyiv',
  '/',
];
const ORGANIZER_PAGES = ['/events/new', '/events/1/edit', '/events/1/manage', '/events/4/manage', '/dashboard'];

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

describe('community events in Chromium', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(() => site?.close());

  for (const locale of ['uk', 'en', 'bg']) {
    test(`events pages are accessible in ${locale}`, async () => {
      const context = await site.browser.newContext();
      await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      for (const path of PUBLIC_PAGES) {
        const response = await page.goto(site.baseUrl + path);
        assert.equal(response?.status(), 200, path);
        assert.equal(describeViolations(await axeViolations(page)), '', `${path} in ${locale}`);
      }
      await login(page, site.baseUrl, 'admin@hromada.demo');
      for (const path of ORGANIZER_PAGES) {
        const response = await page.goto(site.baseUrl + path);
        assert.equal(response?.status(), 200, path);
        assert.equal(describeViolations(await axeViolations(page)), '', `${path} in ${locale}`);
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('a person registers by clicking; the venue map and the point picker load', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await login(page, site.baseUrl, 'coordinator.lviv@hromada.demo');
    await page.goto(`${site.baseUrl}/events/1`);
    await page.waitForSelector('#rows-map[data-ready="1"]');
    await page.getByRole('button', { name: 'Зареєструватися' }).click();
    await page.waitForURL(/done=registered/);
    assert.match((await page.locator('main').textContent()) ?? '', /Ваше місце підтверджено/);
    // The online meetup is full (two seats; the demo resident waits first): the assessor joins the queue second.
    await login(page, site.baseUrl, 'assessor@hromada.demo');
    await page.goto(`${site.baseUrl}/events/2`);
    await page.getByRole('button', { name: 'Стати в список очікування' }).click();
    await page.waitForURL(/done=waitlisted/);
    assert.match((await page.locator('main').textContent()) ?? '', /Ви 2-й у списку очікування/);
    await login(page, site.baseUrl, 'admin@hromada.demo');
    await page.goto(`${site.baseUrl}/events/new`);
    await page.waitForSelector('#point-picker[data-ready="true"]');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('events pages fit a phone screen without sideways scrolling', async () => {
    const context = await site.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    for (const path of PUBLIC_PAGES) {
      await page.goto(site.baseUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
    }
    await login(page, site.baseUrl, 'admin@hromada.demo');
    for (const path of ORGANIZER_PAGES) {
      await page.goto(site.baseUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
    }
    await context.close();
  });
});
