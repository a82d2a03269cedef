// In Chromium: a resource page follows its file's load by itself — with JavaScript through the
// load-status island (the state and rows change in place, the page reloads once the load is done),
// without JavaScript through a refresh every few seconds while the load is pending.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';
import { runQueuedJobs } from '../../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../../src/modules/datastore/service.ts';

const CSV = 'name,open\nРинок,true\nВокзал,false\n';

describe('the load status follows the load', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(() => site?.close());
  const runJobs = () =>
    runQueuedJobs(site.app.db, { [INGEST_JOB]: ingestHandler(site.app.db, site.app.config.dataDir) });

  /** Uploads the CSV through the form as the Lviv editor; the page is left on the new resource. */
  async function upload(page: Page, name: string): Promise<string> {
    await page.goto(`${site.baseUrl}/login`);
    await page.getByLabel('Електронна пошта').fill('editor.lviv@hromada.demo');
    await page.getByLabel('Пароль', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Увійти' }).click();
    await page.waitForLoadState('load');
    await page.goto(`${site.baseUrl}/datasets/lviv-budget-2024/resources/upload`);
    await page.getByLabel('Назва ресурсу').fill(name);
    await page
      .getByLabel('Файл', { exact: true })
      .setInputFiles({ name: `${name}.csv`, mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Завантажити', exact: true }).click();
    await page.waitForSelector('#job-state[data-state="queued"]');
    return page.url();
  }

  test('with JavaScript the state and rows change in place, and the page shows the data once loaded', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    const url = await upload(page, 'live');
    const id = url.split('/').pop()!;
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await site.app.db.query(
      `UPDATE jobs SET state = 'running', progress = '{"phase":"loading","rows":1200,"total":5000}' WHERE resource_id = $1`,
      [id],
    );
    await page.waitForSelector('#job-state[data-state="running"]', { timeout: 15_000 });
    assert.equal(navigations, 0, 'updated in place, not by reloading');
    assert.equal(await page.locator('#job-status progress').getAttribute('value'), '1200');
    assert.match((await page.locator('#job-status').textContent()) ?? '', /1\s?200 з 5\s?000 рядків/);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));

    await site.app.db.query(`UPDATE jobs SET state = 'queued', progress = '{}' WHERE resource_id = $1`, [id]);
    await runJobs();
    await page.waitForSelector('#job-state[data-state="done"]', { timeout: 15_000 });
    await page.waitForSelector('table.preview');
    assert.deepEqual(await page.locator('table.preview tbody td:nth-child(2)').allTextContents(), ['так', 'ні']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('without JavaScript the page refreshes itself while the load is pending, and then stops', async () => {
    const editor = await site.browser.newContext();
    const url = await upload(await editor.newPage(), 'refreshing');
    await editor.close();
    const context = await site.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url);
    let loads = 0;
    page.on('load', () => loads++);
    await page.waitForEvent('load', { timeout: 15_000 });
    assert.ok(loads >= 1, 'the pending page reloaded itself');
    await runJobs();
    await page.waitForSelector('#job-state[data-state="done"]', { timeout: 15_000 });
    const after = loads;
    await page.waitForTimeout(6500);
    assert.equal(loads, after, 'a finished load no longer reloads the page');
    await context.close();
  });
});
