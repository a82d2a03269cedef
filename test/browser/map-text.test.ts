// In Chromium: what the maps show about a place (a GeoJSON property, a row's label, a budget
// proposal's title, a city's name) is text in the tooltips and popups, never markup, whoever
// wrote it. Also the account page's "revoke all tokens" form, with and without its confirmation.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';
import { createApiToken } from '../../src/platform/auth.ts';
import { runQueuedJobs } from '../../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../../src/modules/datastore/service.ts';

const PAYLOAD = '<img src=x onerror=alert(1)>';

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Електронна пошта').fill(email);
  await page.getByLabel('Пароль', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Увійти' }).click();
  await page.waitForLoadState('load');
}

/** Watches for the request an injected <img src=x> would make. */
function watchImageRequests(page: Page): string[] {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.endsWith('/x')) requests.push(request.url());
  });
  return requests;
}

/**
 * Points at the first marker of the map (hover for its tooltip, click for its popup) until the
 * tooltip or popup shows, as the map may still be moving to its place; returns its text and how
 * many images it holds.
 */
async function openFirstMarker(
  page: Page,
  map: string,
  how: 'hover' | 'click',
): Promise<{ text: string; images: number }> {
  const marker = page.locator(`${map} path.leaflet-interactive`).first();
  const shown = page.locator(`${map} ${how === 'hover' ? '.leaflet-tooltip' : '.leaflet-popup-content'}`).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(0, 0);
    await marker[how]({ force: true });
    try {
      // Read it in the same attempt: a map still settling can move the marker from under the
      // pointer, and the tooltip closes again between showing and being read.
      await shown.waitFor({ timeout: 2000 });
      const text = (await shown.textContent({ timeout: 1000 })) ?? '';
      return { text, images: await shown.locator('img').count() };
    } catch (error) {
      if (attempt === 10) throw error;
    }
  }
}

const hoverFirstMarker = (page: Page, map: string) => openFirstMarker(page, map, 'hover');
const clickFirstMarker = (page: Page, map: string) => openFirstMarker(page, map, 'click');

describe('maps show data as text, not markup', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(() => site?.close());

  test('a budget proposal titled with an <img onerror> is shown as that text in its tooltip', async () => {
    const lviv = (await site.app.db.one<{ id: number }>(
      `SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`,
    ))!.id;
    await site.app.db.query(
      `UPDATE budget_projects SET title = $1 || ' #' || id WHERE cycle_id = $2 AND latitude IS NOT NULL`,
      [PAYLOAD, lviv],
    );
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    const images = watchImageRequests(page);
    await page.goto(`${site.baseUrl}/budgets/${lviv}`);
    await page.waitForSelector('#rows-map[data-ready]');
    const tooltip = await hoverFirstMarker(page, '#rows-map');
    assert.ok(tooltip.text.startsWith(PAYLOAD), `the tooltip shows the title as text: ${tooltip.text}`);
    assert.equal(tooltip.images, 0);
    assert.equal(await page.locator('#rows-map img').count(), 0, 'no element was made from the title');
    assert.deepEqual(images, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a GeoJSON property and a CSV label with an <img onerror> are shown as text in their tooltips', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    const images = watchImageRequests(page);
    await login(page, site.baseUrl, 'editor.lviv@hromada.demo');
    const upload = async (name: string, mimeType: string, content: string) => {
      await page.goto(`${site.baseUrl}/datasets/lviv-public-transport-stops/resources/upload`);
      await page.getByLabel('Назва ресурсу').fill(name);
      await page.getByLabel('Файл', { exact: true }).setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
      await page.getByRole('button', { name: 'Завантажити', exact: true }).click();
      await page.waitForSelector('#job-state[data-state="queued"]');
      await runQueuedJobs(site.app.db, { [INGEST_JOB]: ingestHandler(site.app.db, site.app.config.dataDir) });
      await page.reload();
      await page.waitForSelector('#job-state[data-state="done"]');
    };

    const geojson = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [24.0315, 49.8419] },
          properties: { name: PAYLOAD, kind: 'stop' },
        },
      ],
    };
    await upload('hostile.geojson', 'application/geo+json', JSON.stringify(geojson));
    await page.waitForSelector('#rows-map[data-ready="1"]');
    const feature = await hoverFirstMarker(page, '#rows-map');
    assert.equal(feature.text, PAYLOAD);
    assert.equal(feature.images, 0);
    assert.equal(await page.locator('#rows-map img').count(), 0);

    await upload('hostile.csv', 'text/csv', `Зупинка,Широта,Довгота\n"${PAYLOAD}",49.8419,24.0315\n`);
    await page.waitForSelector('#rows-map[data-ready="1"]');
    const row = await hoverFirstMarker(page, '#rows-map');
    assert.equal(row.text, PAYLOAD);
    assert.equal(row.images, 0);
    assert.equal(await page.locator('#rows-map img').count(), 0);
    assert.deepEqual(images, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a city named with an <img onerror> is text on the city map and the ranking map', async () => {
    await site.app.db.query(`UPDATE cities SET name_uk = $1 || ' ' || slug`, [PAYLOAD]);
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    const images = watchImageRequests(page);
    await page.goto(`${site.baseUrl}/cities/lviv`);
    await page.waitForSelector('#cities-map[data-ready="1"]');
    const tooltip = await hoverFirstMarker(page, '#cities-map');
    assert.equal(tooltip.text, `${PAYLOAD} lviv`);
    assert.equal(tooltip.images, 0);
    const popup = await clickFirstMarker(page, '#cities-map');
    assert.ok(popup.text.includes(`${PAYLOAD} lviv`), popup.text);
    assert.equal(popup.images, 0);
    assert.equal(await page.locator('#cities-map img').count(), 0);

    await page.goto(`${site.baseUrl}/ranking`);
    await page.waitForSelector('#ranking-map[data-ready]');
    const ranked = await hoverFirstMarker(page, '#ranking-map');
    assert.ok(ranked.text.startsWith(PAYLOAD), ranked.text);
    assert.equal(ranked.images, 0);
    assert.equal(await page.locator('#ranking-map img').count(), 0);
    assert.deepEqual(images, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the account page revokes every token after a confirmation, accessibly', async () => {
    const citizen = await site.app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'citizen@hromada.demo'`);
    const { token } = await createApiToken(site.app.db, citizen!.id, 'script');
    const me = () =>
      fetch(`${site.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await me(), 200);
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await login(page, site.baseUrl, 'citizen@hromada.demo');
    await page.goto(`${site.baseUrl}/account`);
    assert.equal(describeViolations(await axeViolations(page)), '');
    await page.getByRole('button', { name: 'Відкликати всі токени' }).click();
    await page.waitForSelector('#confirm-error');
    assert.equal(await page.getAttribute('#revoke-all-confirm', 'aria-invalid'), 'true');
    assert.equal(describeViolations(await axeViolations(page)), '', 'the form with its error is accessible');
    assert.equal(await me(), 200, 'nothing revoked without the confirmation');
    await page.getByLabel('Розумію: відкликати всі мої токени').check();
    await page.getByRole('button', { name: 'Відкликати всі токени' }).click();
    await page.waitForURL(/revoked_all=1/);
    assert.match((await page.locator('.notice.success').textContent()) ?? '', /Усі ваші API-токени відкликано/);
    assert.equal(await me(), 401);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
