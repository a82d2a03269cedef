// The city budget's pages in Chromium: axe-core's WCAG 2.1 A/AA rules in uk, en and bg, no CSP
// violation, no sideways scroll on a 360 px phone; and an editor's import through the form.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';
import { runQueuedJobs } from '../../src/platform/jobs.ts';
import { openBudgetImportHandler } from '../../src/modules/open-budget/jobs.ts';
import { IMPORT_JOB } from '../../src/modules/open-budget/service.ts';
import { DEMO_BUDGET_CODE, incomesFile } from '../../src/demo/open-budget.ts';
import { addDocument } from '../../src/modules/open-budget/documents.ts';
import { Readable } from 'node:stream';

const PUBLIC_PAGES = [
  '/city-budget',
  '/city-budget/lviv/2025',
  '/city-budget/lviv/2026?view=INCOMES',
  '/city-budget/lviv/2025?view=PROGRAM&code=1000',
  '/city-budget/compare?year=2025',
  '/city-budget/taxes?city=lviv&salary=20000',
];
const EDITOR_PAGES = ['/city-budget/lviv/imports', '/city-budget/lviv/imports/1'];

describe('city budget in the browser', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
    // The council's decision beside the approved budget on Lviv's 2025 page.
    const lviv = (await site.app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
    const file = await site.app.files.put(Readable.from([Buffer.from('%PDF-1.4\n%%EOF\n')]), 1e6);
    await addDocument(
      site.app.db,
      { userId: null, label: 'test' },
      {
        cityId: lviv,
        year: 2025,
        title: 'Рішення № 4521 від 20.12.2024 «Про бюджет Львівської міської територіальної громади на 2025 рік»',
        file,
        fileName: 'rishennia-4521.pdf',
        type: 'pdf',
      },
    );
  });
  after(async () => {
    await site?.close();
  });

  async function check(page: Page, path: string, lang: string) {
    const problems = watchProblems(page);
    await page.goto(`${site.baseUrl}/lang/${lang}?next=${encodeURIComponent(path)}`);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `${path} (${lang}):\n${describeViolations(violations)}`);
    const sideways = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    assert.equal(sideways, false, `${path} (${lang}) scrolls sideways at 360 px`);
    assert.deepEqual(problems, [], `${path} (${lang})`);
  }

  test('public pages pass axe in three languages and fit 360 px', async () => {
    const context = await site.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    for (const lang of ['uk', 'en', 'bg']) for (const path of PUBLIC_PAGES) await check(page, path, lang);
    await context.close();
  });

  test('an editor imports a file through the form and reads its report; the pages pass axe', async () => {
    const context = await site.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${site.baseUrl}/login`);
    await page.getByLabel(/Електронна пошта/).fill('editor.lviv@hromada.demo');
    await page.getByLabel(/^Пароль$/).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /Увійти/ }).click();
    await page.waitForLoadState('load');
    for (const path of EDITOR_PAGES) await check(page, path, 'uk');
    // The participatory budget's cycle (paid from a city budget programme) and its manage page.
    const cycle = (await site.app.db.one<{ id: number }>(
      `SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`,
    ))!.id;
    // English first: the last language chosen stays for the form below.
    for (const lang of ['en', 'uk']) {
      await check(page, `/budgets/${cycle}`, lang);
      await check(page, `/budgets/${cycle}/manage`, lang);
      await check(page, '/city-budget/lviv/2026?view=PROGRAM&code=6000', lang);
    }
    await page.goto(`${site.baseUrl}/city-budget/lviv/imports`);
    const upload = page.locator('form[action$="/imports/upload"]');
    await upload.getByLabel('Рік').fill('2025');
    await upload.getByLabel('Файл CSV').setInputFiles({
      name: 'incomes-2025.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(incomesFile(DEMO_BUDGET_CODE, 2025, 12, 13_500_000_000).text),
    });
    await upload.getByRole('button', { name: 'Імпортувати' }).click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /\/city-budget\/lviv\/imports\/\d+$/);
    await runQueuedJobs(site.app.db, { [IMPORT_JOB]: openBudgetImportHandler(site.app.db, site.app.files) });
    await page.reload();
    assert.match(await page.locator('main').innerText(), /Імпортовано/);
    await check(page, new URL(page.url()).pathname, 'uk');
    await context.close();
  });
});
