// In Chromium, the layouts made for phones and for a city's own look: the ranking table as cards
// with every score in sight, the comparison listing every compared city, the best-practices
// library with its filters folded, the main navigation behind a "Menu" button, the footer at the
// bottom of a short page; and a city whose editor set a logo and an accent colour through the
// form. Each page: axe-core's WCAG 2.1 A/AA rules with zero violations, no sideways scrolling.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';
import { contrastOnWhite } from '../../src/modules/cities/brand.ts';
import { runQueuedJobs } from '../../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../../src/modules/datastore/service.ts';

// Spending by department: long names, so the chart lays its bars on their side.
const SPENDING_CSV = `Розпорядник,Касові видатки
Департамент освіти і науки,4443051014.29
Департамент міського господарства,2344893377.82
Департамент охорони здоров'я,871601595.6
Управління транспорту та зв'язку,648872593.74
`;

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 900 } };

// A shield in two colours with a title: the kind of coat of arms an editor uploads.
const COAT_OF_ARMS = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 120" width="100" height="120">
  <title>Coat of arms</title>
  <path d="M5 5 H95 V60 C95 90 70 110 50 117 C30 110 5 90 5 60 Z" fill="#1b4f9c" stroke="#f2c500" stroke-width="4"/>
  <path d="M30 40 L50 20 L70 40 L60 40 L60 80 L40 80 L40 40 Z" fill="#f2c500"/>
</svg>`;
const ACCENT = '#7a1f3d';

async function login(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function assertClean(page: Page, label: string) {
  const violations = await axeViolations(page);
  assert.equal(describeViolations(violations), '', `${label}: axe`);
  const overflow = await sideways(page);
  assert.ok(overflow <= 1, `${label} scrolls sideways by ${overflow}px`);
}

describe('layouts for phones and a city’s own look, in Chromium', () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(() => site?.close());

  test('on a phone the ranking table is one card per city, its score in sight', async () => {
    const context = await site.browser.newContext(PHONE);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${site.baseUrl}/ranking`);
    await page.waitForSelector('#ranking-map[data-ready]');
    assert.equal(await page.locator('table.ranking thead').isVisible(), false, 'the header row gives way to cards');
    const rows = page.locator('table.ranking tbody tr');
    assert.equal(await rows.count(), 40);
    for (const index of [0, 17, 39]) {
      const row = rows.nth(index);
      await row.scrollIntoViewIfNeeded();
      const card = (await row.boundingBox())!;
      const total = (await row.locator('td.total').boundingBox())!;
      assert.ok(card.x >= 0 && card.x + card.width <= 360, `card ${index} fits the screen`);
      assert.ok(total.x >= card.x && total.x + total.width <= card.x + card.width, `score ${index} inside its card`);
      assert.match(((await row.locator('td.total').textContent()) ?? '').trim(), /^\d+(,\d)?/);
    }
    // Sorting, once in the column headers, is a field of the filters' form.
    await page.getByLabel('Сортування').selectOption('name');
    await page.getByRole('button', { name: 'Показати' }).click();
    await page.waitForURL(/sort=name/);
    await assertClean(page, '/ranking at 360 px');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('on a phone the comparison shows every compared city, by name, in each card', async () => {
    const context = await site.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${site.baseUrl}/ranking/campaigns/2/compare?cities=lviv&cities=kyiv&cities=odesa`);
    const firstCard = page.locator('table.compare tbody tr').first();
    const cells = firstCard.locator('td');
    assert.equal(await cells.count(), 3);
    for (let i = 0; i < 3; i++) {
      const box = (await cells.nth(i).boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 360, `city ${i + 1} is on screen`);
      assert.ok(await cells.nth(i).isVisible());
    }
    const labels = await cells.evaluateAll((tds) =>
      tds.map((td) => getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')),
    );
    assert.deepEqual(labels, ['Львів: ', 'Київ: ', 'Одеса: ']);
    await assertClean(page, 'compare at 360 px');
    await context.close();
  });

  test('the best-practices library on a phone: results first, filters behind their button, pages', async () => {
    const context = await site.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${site.baseUrl}/ranking/practices`);
    assert.equal(await page.locator('.facets').isVisible(), false, 'the filters are folded');
    assert.ok(await page.locator('ul.practices > li').first().isVisible());
    await assertClean(page, '/ranking/practices at 360 px');
    await page.getByText('Фільтри', { exact: true }).click();
    await page.locator('.facets').getByRole('link', { name: '2020', exact: true }).click();
    await page.waitForURL(/year=2020/);
    assert.match((await page.locator('[role=status]').textContent()) ?? '', /Знайдено [\d\s]+ практик/);
    await page.locator('a[rel=next]').click();
    await page.waitForURL(/year=2020&offset=20/);
    assert.equal(await page.locator('ul.practices > li').count(), 20);
    await assertClean(page, '/ranking/practices?year=2020&offset=20 at 360 px');
    await context.close();

    const desktop = await site.browser.newPage(DESKTOP);
    await desktop.goto(`${site.baseUrl}/ranking/practices?year=2021&city=lviv`);
    assert.ok(await desktop.locator('.facets').isVisible(), 'a sidebar on wide screens');
    await assertClean(desktop, '/ranking/practices at 1366 px');
    await desktop.close();
  });

  test('the main navigation: one "Menu" button on a phone, every link in sight on a wide screen; the footer at the bottom', async () => {
    const phone = await site.browser.newContext(PHONE);
    const page = await phone.newPage();
    await page.goto(`${site.baseUrl}/ranking`);
    const menu = page.getByRole('navigation', { name: 'Головне меню' });
    const cities = menu.getByRole('link', { name: 'Міста', exact: true });
    assert.equal(await cities.isVisible(), false, 'folded on a phone');
    const button = menu.locator('summary');
    assert.match((await button.textContent()) ?? '', /Меню: Рейтинг/);
    const header = (await page.locator('header.site-header').boundingBox())!;
    assert.ok(header.height < 110, `the header takes ${header.height}px, not three rows of links`);
    await button.click();
    assert.ok(await cities.isVisible());
    await assertClean(page, 'the open menu at 360 px');
    await cities.click();
    await page.waitForURL(/\/cities$/);
    // A short page: the footer sits at the bottom of the screen, not in its middle.
    await page.goto(`${site.baseUrl}/forgot`);
    const footer = (await page.locator('footer.site-footer').boundingBox())!;
    assert.ok(Math.abs(footer.y + footer.height - 740) <= 1, `the footer ends at ${footer.y + footer.height}px of 740`);
    await phone.close();

    const desktop = await site.browser.newPage(DESKTOP);
    await desktop.goto(`${site.baseUrl}/`);
    const nav = desktop.getByRole('navigation', { name: 'Головне меню' });
    assert.equal(await nav.locator('summary').isVisible(), false);
    for (const name of ['Відкриті дані', 'Петиції', 'Рейтинг', 'Міста', 'API'])
      assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), name);
    await nav.getByRole('link', { name: 'Петиції', exact: true }).click();
    await desktop.waitForURL(/\/petitions$/);
    await desktop.close();
  });

  test('on a phone: charts drawn for its width, a preview’s filters folded, admin lists as cards, tabs, no sideways scrolling', async () => {
    const context = await site.browser.newContext(PHONE);
    const page = await context.newPage();
    const problems = watchProblems(page);
    // A city's editor uploads spending by department; the background load runs; then the chart.
    await login(page, site.baseUrl, 'editor.lviv@hromada.demo');
    await page.goto(`${site.baseUrl}/datasets/lviv-budget-2024/resources/upload`);
    await page.getByLabel('Назва ресурсу').fill('Видатки за розпорядниками');
    await page.getByLabel('Файл', { exact: true }).setInputFiles({
      name: 'spending.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(SPENDING_CSV),
    });
    await page.getByRole('button', { name: 'Завантажити', exact: true }).click();
    await page.waitForSelector('#job-state[data-state="queued"]');
    await runQueuedJobs(site.app.db, { [INGEST_JOB]: ingestHandler(site.app.db, site.app.config.dataDir) });
    await page.reload();
    await page.waitForSelector('#chart-group');
    assert.equal(await page.locator('#preview + details.facet-panel form').isVisible(), false, 'column filters folded');
    await page.locator('#chart-op').selectOption('sum');
    await page.locator('#chart-value').selectOption({ index: 1 });
    await page.locator('#chart-group').evaluate((select) => (select as HTMLSelectElement).form!.submit());
    await page.waitForSelector('figure.chart img');
    const chart = page.locator('figure.chart img');
    await chart.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => (document.querySelector('figure.chart img') as HTMLImageElement)?.complete);
    assert.match(await chart.evaluate((img) => (img as HTMLImageElement).currentSrc), /size=narrow/);
    assert.equal(await chart.evaluate((img) => (img as HTMLImageElement).naturalWidth), 340);
    await assertClean(page, 'a resource with its chart at 360 px');

    await page.goto(`${site.baseUrl}/ranking/campaigns/2/cities/lviv`);
    const areas = page.locator('figure.chart img').first();
    await areas.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => (document.querySelector('figure.chart img') as HTMLImageElement)?.complete);
    assert.match(await areas.evaluate((img) => (img as HTMLImageElement).currentSrc), /areas\.svg\?size=narrow/);
    await assertClean(page, 'a city’s ranking profile at 360 px');

    await page.context().clearCookies();
    await login(page, site.baseUrl, 'admin@hromada.demo');
    for (const path of [
      '/dashboard',
      '/admin',
      '/admin/cities',
      '/admin/users',
      '/petitions',
      '/petitions/moderation',
      '/account',
      '/api/docs',
    ]) {
      await page.goto(site.baseUrl + path);
      await assertClean(page, `${path} at 360 px`);
    }
    await page.goto(`${site.baseUrl}/admin/users`);
    assert.equal(await page.locator('nav.tabs a[aria-current="page"]').textContent(), 'Користувачі');
    await page.goto(`${site.baseUrl}/petitions/moderation`);
    assert.equal(await page.locator('nav.tabs a[aria-current="page"]').textContent(), 'Модерація');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a city with its own logo and colour, set by its editor, passes axe on every page that shows them', async () => {
    assert.ok(contrastOnWhite(ACCENT) >= 4.5);
    const editorContext = await site.browser.newContext(DESKTOP);
    const editor = await editorContext.newPage();
    await login(editor, site.baseUrl, 'editor.lviv@hromada.demo');
    await editor.goto(`${site.baseUrl}/cities/lviv/brand`);
    await editor.getByLabel('Фірмовий колір (#rrggbb)').fill(ACCENT);
    await editor
      .getByLabel('Герб або логотип (PNG або SVG)')
      .setInputFiles({ name: 'lviv.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(COAT_OF_ARMS) });
    await editor.getByRole('button', { name: 'Зберегти' }).click();
    await editor.waitForURL(/saved=1/);
    await assertClean(editor, 'the brand form, saved');
    await editorContext.close();

    const pages = ['/cities/lviv', '/ranking/campaigns/2/cities/lviv', '/petitions?city=lviv'];
    for (const options of [DESKTOP, PHONE]) {
      for (const locale of ['uk', 'en']) {
        const context = await site.browser.newContext(options);
        await context.addCookies([{ name: 'hromada_lang', value: locale, url: site.baseUrl }]);
        const page = await context.newPage();
        const problems = watchProblems(page);
        for (const path of pages) {
          await page.goto(site.baseUrl + path);
          if (path === '/cities/lviv') await page.waitForSelector('#cities-map[data-ready]');
          const logo = page.locator('img.city-brand-logo');
          assert.ok(await logo.isVisible(), `${path}: the logo`);
          assert.ok(
            await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0),
            `${path}: the logo loads`,
          );
          const colour = await page.locator('.city-brand h1').evaluate((h1) => getComputedStyle(h1).color);
          assert.equal(colour, 'rgb(122, 31, 61)', `${path}: the heading in the city's colour`);
          await assertClean(page, `${path} (${locale}, ${options.viewport.width} px)`);
        }
        assert.deepEqual(problems, []);
        await context.close();
      }
    }
  });
});
