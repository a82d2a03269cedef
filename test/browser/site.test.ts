// End to end in Chromium: a visitor browses and switches language; a person registers,
// confirms the address through the admin's outbox, logs in and creates an API token; every
// page passes axe-core's WCAG 2.1 A/AA rules in each language, with no CSP violation, and
// fits a phone's width.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations, SCREENSHOT_DIR, startSite, watchProblems, type Site } from './browser.ts';
import { DEMO_PASSWORD } from '../helpers.ts';
import { runQueuedJobs } from '../../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../../src/modules/datastore/service.ts';
import { closeExpiredPetitions } from '../../src/modules/petitions/service.ts';

const PUBLIC_PAGES = [
  '/',
  '/search?q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2',
  '/cities',
  '/cities?q=%D0%BA%D0%B8%D1%97%D0%B2',
  '/cities?oblast=lvivska&sort=-population',
  '/cities/map',
  '/cities/lviv',
  '/api/docs',
  '/datasets',
  '/datasets?q=%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82&theme=ECON',
  '/datasets/lviv-budget-2024',
  '/datasets/vinnytsia-kindergartens',
  '/login',
  '/register',
  '/privacy',
  '/forgot',
  '/reset?token=expired',
  '/confirm?token=abc',
  '/no-such-page',
  '/petitions',
  '/petitions?city=zhytomyr&sort=newest',
  '/petitions/1',
  '/petitions/2',
  '/petitions/5',
  '/budgets',
  '/budgets/1',
  '/budgets/2',
  '/budgets/2/projects/6',
  '/ranking',
  '/ranking/campaigns/1?oblast=lvivska&sort=total',
  '/ranking/campaigns/2/cities/lviv',
  '/ranking/campaigns/2/compare?cities=lviv&cities=kyiv',
  '/ranking/campaigns/2/indicators/K05',
  '/ranking/practices?q=%D1%81%D0%B0%D0%B9%D1%82',
  '/ranking/campaigns/2/cities/odesa/recommendations',
  '/ranking/methodologies/1',
  '/ranking/campaigns/2/appeals',
  '/ranking/methodologies',
];
const ADMIN_PAGES = [
  '/account',
  '/admin',
  '/admin/cities',
  '/admin/cities/new',
  '/admin/cities/lviv/edit',
  '/admin/organizations',
  '/admin/organizations/new',
  '/admin/organizations/civic-lviv/edit',
  '/admin/users',
  '/admin/users/new',
  '/admin/users/1',
  '/admin/audit',
  '/admin/outbox',
  '/styleguide',
  '/datasets/new',
  '/datasets/lviv-budget-2024/edit',
  '/datasets/lviv-budget-2024/resources/new',
  '/datasets/lviv-budget-2024/history',
  '/datasets/lviv-council-decisions-draft',
  '/petitions/new',
  '/petitions/mine',
  '/petitions/moderation',
  '/cities/lviv/petition-rules',
  '/petitions/3',
  '/petitions/7',
  '/budgets/new',
  '/budgets/1/ballot',
  '/budgets/1/manage',
  '/budgets/2/manage',
  '/budgets/2/projects/6',
  '/ranking/manage',
  '/ranking/campaigns/2/manage',
  '/ranking/campaigns/3/manage',
  '/ranking/campaigns/3/work',
  '/ranking/campaigns/3/cities/zhytomyr/assess',
  '/ranking/campaigns/3/appeals',
];

async function login(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Електронна пошта|E-mail|Имейл/).fill(email);
  await page.getByLabel(/^(Пароль|Password|Парола)$/).fill(password);
  await page.getByRole('button', { name: /Увійти|Log in|Влез/ }).click();
  await page.waitForLoadState('load');
}

/** An editor's upload of a CSV through the form, then the background load, then the resource page. */
async function uploadCsv(
  site: Site,
  page: Page,
  dataset: string,
  name: string,
  content: string,
  resourceName?: string,
) {
  await page.goto(`${site.baseUrl}/datasets/${dataset}/resources/upload`);
  if (resourceName) await page.getByLabel('Назва ресурсу').fill(resourceName);
  await page
    .getByLabel('Файл', { exact: true })
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.getByRole('button', { name: 'Завантажити', exact: true }).click();
  await page.waitForSelector('#job-state[data-state="queued"]');
  await runQueuedJobs(site.app.db, { [INGEST_JOB]: ingestHandler(site.app.db, site.app.config.dataDir) });
  await page.reload();
  await page.waitForSelector('#job-state[data-state="done"]');
}

async function setLanguage(context: BrowserContext, baseUrl: string, locale: string) {
  await context.addCookies([{ name: 'hromada_lang', value: locale, url: baseUrl }]);
}

describe('Hromada in Chromium', () => {
  let site: Site;
  before(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    site = await startSite();
  });
  after(() => site?.close());

  test('a visitor browses cities, filters, opens the map and a profile, and switches language', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(site.baseUrl);
    assert.equal(await page.getAttribute('html', 'lang'), 'uk');
    await page
      .getByRole('navigation', { name: 'Головне меню' })
      .getByRole('link', { name: 'Міста', exact: true })
      .click();
    await page.getByLabel('Область').selectOption('lvivska');
    await page.getByLabel('Сортування').selectOption('-population');
    await page.getByRole('button', { name: 'Показати' }).click();
    await page.waitForURL(/oblast=lvivska/);
    const rows = await page.locator('tbody tr td:first-child').allTextContents();
    assert.deepEqual(
      rows.map((r) => r.trim()),
      ['Львів', 'Дрогобич', 'Стрий'],
    );
    await page.getByRole('link', { name: 'Львів' }).click();
    await page.waitForURL(/\/cities\/lviv$/);
    await page.waitForSelector('#cities-map[data-ready="1"]');

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/cities\/lviv$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Lviv');
    await page.goto(`${site.baseUrl}/cities/map`);
    await page.waitForSelector('#cities-map[data-ready]');
    const markers = Number(await page.getAttribute('#cities-map', 'data-ready'));
    assert.ok(markers >= 50, `${markers} markers on the map`);
    assert.ok((await page.locator('#cities-map path.leaflet-interactive').count()) >= 50);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-en.png`, fullPage: false });
    await page.getByRole('link', { name: 'Български' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.getAttribute('html', 'lang'), 'bg');
    await page.goto(`${site.baseUrl}/cities`);
    assert.equal(await page.getAttribute('html', 'lang'), 'bg', 'the choice is remembered');
    assert.match((await page.locator('h1').textContent()) ?? '', /Градове/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a person registers, confirms the address from the outbox, logs in and creates an API token', async () => {
    const person = await site.browser.newContext();
    const page = await person.newPage();
    const problems = watchProblems(page);
    await page.goto(`${site.baseUrl}/register`);
    await page.getByLabel('Ім’я').fill('Богдан <b>Тест</b>');
    await page.getByLabel('Електронна пошта').fill('bohdan@example.org');
    await page.getByLabel('Пароль', { exact: true }).fill('short');
    await page.getByLabel('Повторіть пароль').fill('short');
    await page.getByRole('button', { name: 'Зареєструватися' }).click();
    await page.waitForSelector('#password-error');
    assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
    assert.deepEqual(describeViolations(await axeViolations(page)), '', 'the form with errors is accessible');
    await page.getByLabel('Пароль', { exact: true }).fill('a much longer password');
    await page.getByLabel('Повторіть пароль').fill('a much longer password');
    await page.getByLabel('Ваше місто (необов’язково)').selectOption('zhytomyr');
    await page.getByLabel(/Я погоджуюся на обробку/).check();
    await page.getByRole('button', { name: 'Зареєструватися' }).click();
    await page.waitForURL(/\/account\?registered=1/);
    assert.match((await page.locator('main').textContent()) ?? '', /Богдан <b>Тест<\/b>/, 'shown as text, not markup');

    const adminContext = await site.browser.newContext();
    const admin = await adminContext.newPage();
    await login(admin, site.baseUrl, 'admin@hromada.demo', DEMO_PASSWORD);
    await admin.goto(`${site.baseUrl}/admin/outbox`);
    await admin
      .getByRole('row', { name: /bohdan@example\.org/ })
      .getByRole('link')
      .click();
    const body = (await admin.locator('pre.mail-body').textContent()) ?? '';
    const link = /http:\/\/\S+\/confirm\?token=\S+/.exec(body)?.[0];
    assert.ok(link, 'the confirmation mail has a link');
    assert.deepEqual(describeViolations(await axeViolations(admin)), '');
    await adminContext.close();

    await page.goto(link);
    await page.getByRole('button', { name: 'Підтвердити адресу' }).click();
    await page.waitForSelector('.notice.success');
    await page.getByRole('button', { name: 'Вийти' }).click();
    await page.waitForURL(`${site.baseUrl}/`);
    await login(page, site.baseUrl, 'bohdan@example.org', 'a much longer password');
    await page.waitForURL(/\/dashboard$/);
    await page.goto(`${site.baseUrl}/account`);
    assert.match((await page.locator('main').textContent()) ?? '', /Підтверджено/);
    await page.getByLabel('Назва токена').fill('datathon');
    await page.getByRole('button', { name: 'Створити токен' }).click();
    const token = (await page.locator('#new-token').textContent())?.trim() ?? '';
    assert.match(token, /^hmd_/);
    const me = await fetch(`${site.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
      r.json(),
    );
    assert.equal(me.email, 'bohdan@example.org');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/account-uk.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await person.close();
  });

  test('a city editor uploads a CSV, sees it loaded, sorts and filters the preview', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await login(page, site.baseUrl, 'editor.lviv@hromada.demo', DEMO_PASSWORD);
    await page.goto(`${site.baseUrl}/datasets/lviv-budget-2024`);
    assert.equal(await page.getByRole('link', { name: 'Завантажити файл' }).count(), 1, 'editors see the upload link');
    await uploadCsv(
      site,
      page,
      'lviv-budget-2024',
      'spending.csv',
      'Програма;Сума;Дата\nОсвіта;4 450,90;03.12.2018\nДороги;1 234 567;04.12.2018\nКультура;12,5;05.12.2018\n',
      'Видатки за програмами',
    );
    await page.getByRole('link', { name: /^Сума/ }).click();
    await page.waitForURL(/sort=/);
    const first = await page.locator('table.preview tbody tr:first-child td:first-child').textContent();
    assert.equal(first, 'Культура', 'sorted by the amount, ascending');
    await page.getByLabel('Програма', { exact: true }).fill('Дороги');
    await page.getByRole('button', { name: 'Фільтрувати' }).click();
    assert.equal(await page.locator('table.preview tbody tr').count(), 1);
    await page.getByLabel('Групувати за').selectOption('Програма');
    await page.getByLabel('Показник').selectOption('sum');
    await page.getByLabel('Стовпець для суми чи середнього').selectOption('Сума');
    await page.getByRole('button', { name: 'Побудувати' }).click();
    await page.waitForURL(/chart\.group=/);
    const loaded = await page.locator('figure.chart img').evaluate((img: HTMLImageElement) =>
      img.complete
        ? img.naturalWidth
        : new Promise<number>((resolve) => {
            img.onload = () => resolve(img.naturalWidth);
          }),
    );
    assert.ok(loaded > 0, 'the server-rendered chart loads as an image');
    assert.equal(describeViolations(await axeViolations(page)), '');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/resource-preview.png`, fullPage: true });

    // A file with coordinates gets a map of its rows.
    await uploadCsv(
      site,
      page,
      'lviv-public-transport-stops',
      'stops.csv',
      'Зупинка,Широта,Довгота\nПлоща Ринок,49.8419,24.0315\nВокзал,49.8396,23.9945\nСихів,49.8003,24.0614\n',
    );
    await page.waitForSelector('#rows-map[data-ready="3"]');
    assert.equal(describeViolations(await axeViolations(page)), '');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/resource-map.png`, fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a petition from draft through moderation and signing to the council’s response', async () => {
    const editorContext = await site.browser.newContext();
    const editor = await editorContext.newPage();
    const citizenContext = await site.browser.newContext();
    const citizen = await citizenContext.newPage();
    const signerContext = await site.browser.newContext();
    const signer = await signerContext.newPage();
    const problems = [...[editor, citizen, signer].map(watchProblems)];

    // The editor lowers Lviv's threshold to one signature for this test.
    await login(editor, site.baseUrl, 'editor.lviv@hromada.demo', DEMO_PASSWORD);
    await editor.goto(`${site.baseUrl}/cities/lviv/petition-rules`);
    await editor.getByLabel('Потрібно підписів').fill('1');
    await editor.getByRole('button', { name: 'Зберегти' }).click();
    await editor.waitForURL(/saved=1/);

    await login(citizen, site.baseUrl, 'citizen@hromada.demo', DEMO_PASSWORD);
    await citizen.goto(`${site.baseUrl}/petitions/new?city=lviv`);
    await citizen.getByLabel('Назва').fill('Питні фонтанчики в парках');
    await citizen.getByLabel('Тема').selectOption('health');
    await citizen
      .getByLabel('Текст петиції')
      .fill('Просимо встановити питні фонтанчики в усіх міських парках до літа.\n\nУ спеку людям потрібна вода.');
    await citizen.getByRole('button', { name: 'Зберегти чернетку' }).click();
    await citizen.waitForURL(/\/petitions\/\d+$/);
    const url = citizen.url();
    assert.equal(describeViolations(await axeViolations(citizen)), '');
    await citizen.getByRole('button', { name: 'Подати на модерацію' }).click();
    await citizen.waitForURL(/done=submitted/);

    await editor.goto(`${site.baseUrl}/petitions/moderation`);
    await editor.getByRole('link', { name: 'Питні фонтанчики в парках' }).click();
    await editor.getByRole('button', { name: 'Оприлюднити петицію' }).click();
    await editor.waitForURL(/done=published/);

    await login(signer, site.baseUrl, 'assessor@hromada.demo', DEMO_PASSWORD);
    await signer.goto(url);
    await signer.getByLabel('Надіслати мені відповідь ради').check();
    await signer.getByRole('button', { name: 'Підписати', exact: true }).click();
    await signer.waitForURL(/done=signed/);
    assert.match((await signer.locator('.progress-line').textContent()) ?? '', /1 з 1 підписів/);
    assert.equal(describeViolations(await axeViolations(signer)), '');
    await signer.screenshot({ path: `${SCREENSHOT_DIR}/petition-signed.png`, fullPage: true });

    // The collection period ends.
    const id = Number(/(\d+)$/.exec(url)![1]);
    await site.app.db.query(`UPDATE petitions SET closes_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    await closeExpiredPetitions(site.app.db, new Date());
    await editor.goto(url);
    await editor.getByLabel('Рішення').selectOption('supported');
    await editor
      .getByLabel('Офіційна відповідь')
      .fill('Фонтанчики встановлять у п’яти парках до червня; решту — наступного року.');
    await editor.getByRole('button', { name: 'Оприлюднити відповідь' }).click();
    await editor.waitForURL(/done=answered/);
    await citizen.goto(url);
    assert.match((await citizen.locator('#response-title').textContent()) ?? '', /Офіційна відповідь/);
    assert.equal(describeViolations(await axeViolations(citizen)), '');
    await citizen.screenshot({ path: `${SCREENSHOT_DIR}/petition-answered.png`, fullPage: true });
    assert.deepEqual(problems.flat(), []);
    for (const context of [editorContext, citizenContext, signerContext]) await context.close();
  });

  test('a participatory budget from the editor’s cycle through a proposal, review and voting to results', async () => {
    const editorContext = await site.browser.newContext();
    const editor = await editorContext.newPage();
    const residentContext = await site.browser.newContext();
    const resident = await residentContext.newPage();
    const problems = [...[editor, resident].map(watchProblems)];
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

    await login(editor, site.baseUrl, 'editor.lviv@hromada.demo', DEMO_PASSWORD);
    await editor.goto(`${site.baseUrl}/budgets/new`);
    await editor.getByLabel('Місто', { exact: true }).selectOption('lviv');
    await editor.getByLabel('Ідентифікатор в адресі (slug)').fill('bp-test');
    await editor.getByLabel('Назва (українською)').fill('Тестовий бюджет');
    await editor.getByLabel('Назва (англійською)').fill('Test budget');
    await editor.getByLabel('Назва (болгарською)').fill('Тестов бюджет');
    await editor.getByLabel('Райони', { exact: true }).fill('Центр; 300000');
    await editor.getByLabel('Категорії', { exact: true }).fill('Парки');
    await editor.getByLabel('Розміри проєктів', { exact: true }).fill('Малі; 300000');
    const phases = [
      'Інформування',
      'Подання проєктів',
      'Експертиза',
      'Голосування',
      'Перевірка бюлетенів',
      'Результати',
      'Реалізація',
    ];
    for (const [i, phase] of phases.entries())
      await editor.getByLabel(`Початок етапу «${phase}»`).fill(day(i * 10 - 12));
    await editor.getByLabel('Найбільше проєктів у бюлетені (схвалення)').fill('2');
    await editor.getByRole('button', { name: 'Створити цикл' }).click();
    await editor.waitForURL(/\/budgets\/\d+$/);
    const cycleUrl = editor.url();
    const cycleId = Number(/(\d+)$/.exec(cycleUrl)![1]);
    const shift = (days: number) =>
      site.app.db.query(
        `UPDATE budget_cycles SET ${['information', 'proposals', 'review', 'voting', 'ballot_review', 'results', 'implementation'].map((p) => `${p}_at = ${p}_at - interval '${days} days'`).join(', ')} WHERE id = $1`,
        [cycleId],
      );

    await login(resident, site.baseUrl, 'citizen@hromada.demo', DEMO_PASSWORD);
    await resident.goto(cycleUrl);
    await resident.getByRole('link', { name: 'Запропонувати проєкт' }).click();
    await resident.getByLabel('Назва', { exact: true }).fill('Лавки в сквері');
    await resident
      .getByLabel('Опис', { exact: true })
      .fill('Поставити десять лавок у сквері біля школи, щоб батькам і дідусям було де сісти.');
    await resident.getByLabel('Район', { exact: true }).selectOption({ label: 'Центр (300 000 грн)' });
    await resident.getByLabel('Категорія', { exact: true }).selectOption({ label: 'Парки' });
    await resident.getByLabel('Позиції кошторису', { exact: true }).fill('Лавки; 150000\nМонтаж; 30000');
    await resident.waitForSelector('#point-picker[data-ready]');
    await resident.locator('#point-picker').click({ position: { x: 200, y: 120 } });
    const latitude = Number(await resident.getByLabel('Широта (необов’язково)').inputValue());
    assert.ok(Math.abs(latitude - 49.84) < 0.2, `the click put the project in Lviv (${latitude})`);
    await resident.getByRole('button', { name: 'Подати проєкт' }).click();
    await resident.waitForURL(/\/projects\/\d+$/);
    const projectUrl = resident.url();
    await resident.getByLabel('Що на зображенні').fill('Сквер біля школи зараз');
    await resident.getByLabel('Зображення', { exact: true }).setInputFiles({
      name: 'square.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await resident.getByRole('button', { name: 'Завантажити' }).click();
    await resident.waitForSelector('img[alt="Сквер біля школи зараз"]');
    assert.ok(
      await resident
        .locator('img[alt="Сквер біля школи зараз"]')
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1),
    );
    assert.equal(describeViolations(await axeViolations(resident)), '');

    await shift(10); // expert review
    await editor.goto(projectUrl);
    await editor.getByLabel('Висновок', { exact: true }).selectOption('feasible');
    await editor.getByRole('button', { name: 'Зберегти висновок' }).click();
    await editor.waitForURL(projectUrl);
    await shift(10); // voting
    await resident.goto(`${site.baseUrl}/budgets/${cycleId}/ballot`);
    // A card with its category, image and cost; the meter follows the ticks before anything is sent.
    assert.equal(await resident.locator('.ballot-card img').getAttribute('alt'), 'Сквер біля школи зараз');
    assert.equal(await resident.locator('#ballot-meter-text').textContent(), 'Обрано 0 з 2 проєктів');
    await resident.getByLabel(/Лавки в сквері/).check();
    assert.equal(await resident.locator('#ballot-meter-text').textContent(), 'Обрано 1 з 2 проєктів');
    assert.equal(await resident.locator('#ballot-meter').evaluate((p: HTMLProgressElement) => p.value), 1);
    await resident.getByLabel('Рік народження').fill('1990');
    await resident.getByLabel('Я мешкаю в цьому місті').check();
    assert.equal(describeViolations(await axeViolations(resident)), '');
    // Casting goes through the review page; Back to edit keeps the choice.
    await resident.getByRole('button', { name: 'Переглянути й подати' }).click();
    await resident.waitForURL(/\/ballot\/review$/);
    assert.match((await resident.locator('.ballot-choices').textContent()) ?? '', /Лавки в сквері[\s\S]*180\s000 грн/);
    assert.equal(describeViolations(await axeViolations(resident)), '');
    await resident.screenshot({ path: `${SCREENSHOT_DIR}/budget-ballot-review.png`, fullPage: true });
    await resident.getByRole('link', { name: 'Повернутися до вибору' }).click();
    assert.equal(await resident.getByLabel(/Лавки в сквері/).isChecked(), true);
    await resident.getByRole('button', { name: 'Переглянути й подати' }).click();
    await resident.getByRole('button', { name: 'Подати бюлетень' }).click();
    await resident.waitForURL(/done=confirmed/);
    await resident.waitForSelector('#confirmed');
    assert.equal(await resident.locator('main .notice').count(), 1, 'one confirmation');
    assert.equal(describeViolations(await axeViolations(resident)), '');
    await resident.screenshot({ path: `${SCREENSHOT_DIR}/budget-ballot.png`, fullPage: true });
    await shift(20); // results
    await editor.goto(`${site.baseUrl}/budgets/${cycleId}/manage`);
    await editor.getByRole('button', { name: 'Підрахувати й оприлюднити результати' }).click();
    await editor.waitForURL(/done=results/);
    assert.match((await editor.locator('tr.winner').first().textContent()) ?? '', /Лавки в сквері/);
    assert.equal(describeViolations(await axeViolations(editor)), '');
    await editor.screenshot({ path: `${SCREENSHOT_DIR}/budget-results.png`, fullPage: true });
    assert.deepEqual(problems.flat(), []);
    for (const context of [editorContext, residentContext]) await context.close();
  });

  test('a ranking campaign: the assessor scores with evidence, the coordinator returns one score, the city appeals, the admin publishes', async () => {
    const contexts = await Promise.all([0, 1, 2, 3, 4].map(() => site.browser.newContext()));
    const [admin, assessor, coordinator, city, visitor] = await Promise.all(contexts.map((c) => c.newPage()));
    const problems = [admin!, assessor!, coordinator!, city!, visitor!].map(watchProblems);
    await login(admin!, site.baseUrl, 'admin@hromada.demo', DEMO_PASSWORD);
    await login(assessor!, site.baseUrl, 'assessor@hromada.demo', DEMO_PASSWORD);
    await login(coordinator!, site.baseUrl, 'coordinator.lviv@hromada.demo', DEMO_PASSWORD);
    await login(city!, site.baseUrl, 'editor.lviv@hromada.demo', DEMO_PASSWORD);
    const manage = `${site.baseUrl}/ranking/campaigns/3/manage`;
    const advance = async (phase: string) => {
      await admin!.goto(manage);
      await admin!.getByRole('button', { name: `Перейти до етапу: ${phase}` }).click();
      await admin!.waitForURL(/done=1/);
    };

    // The methodologist copies the demo methodology into a draft and edits one indicator in the browser.
    await admin!.goto(`${site.baseUrl}/ranking/manage`);
    await admin!.getByLabel('Версія копії').first().fill('demo-2022');
    await admin!.getByRole('button', { name: 'Копіювати як нову чернетку' }).first().click();
    await admin!.waitForURL(/\/edit$/);
    await admin!.locator('summary', { hasText: 'K02.' }).click();
    await admin!.locator('#iK02-question-en').fill('Adopted decisions are published within 3 working days');
    await admin!
      .locator('details', { has: admin!.locator('summary', { hasText: 'K02.' }) })
      .getByRole('button', { name: 'Зберегти індикатор' })
      .click();
    await admin!.waitForURL(/done=1/);
    assert.match((await admin!.locator('summary', { hasText: 'K02.' }).textContent()) ?? '', /K02/);
    assert.equal(describeViolations(await axeViolations(admin!)), '');

    // The assessor scores Lviv: a level by mouse, one by keyboard, a comment, an evidence file.
    await assessor!.goto(`${site.baseUrl}/ranking/campaigns/3/work`);
    await assessor!.getByRole('link', { name: 'Львів' }).click();
    await assessor!.waitForURL(/\/assess$/);
    const k01 = assessor!.locator('#indicator-K01');
    // Levels say what they give: K01's full level is worth its 2 points.
    await k01.getByLabel(/^2 бали — /).check();
    await k01.locator('.save-status', { hasText: 'Збережено.' }).waitFor();
    await k01.getByLabel('Коментар').fill('Проєкти рішень публікуються в розділі «Проєкти» за 20+ днів.');
    await k01.getByLabel('Рекомендація').focus(); // leaving the comment saves it
    await k01.locator('.save-status', { hasText: 'Збережено.' }).waitFor();
    await k01
      .getByLabel(/Файл-доказ/)
      .setInputFiles({ name: 'proekty.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await k01.getByRole('button', { name: 'Додати' }).click();
    await assessor!.waitForURL(/done=1/);
    await assessor!.locator('#indicator-K01 a', { hasText: 'proekty.pdf' }).waitFor();
    for (const code of ['K02', 'K03']) {
      const item = assessor!.locator(`#indicator-${code}`);
      await item.getByRole('radio').first().focus();
      await assessor!.keyboard.press('ArrowDown'); // the keyboard moves to the next level and selects it
      await item.locator('.save-status', { hasText: 'Збережено.' }).waitFor();
    }
    assert.equal(await assessor!.locator('#assess-count').textContent(), '3');
    // The area's count in the list of areas and on its panel.
    assert.deepEqual(await assessor!.locator('[data-area-progress="1"]').allTextContents(), ['3', '3']);
    assert.equal(describeViolations(await axeViolations(assessor!)), '');

    // Verification: K02 goes back with a comment, the rest are accepted.
    await advance('перевірка');
    await coordinator!.goto(`${site.baseUrl}/ranking/campaigns/3/cities/lviv/assess`);
    const verify = async (code: string, decision: RegExp, comment = '') => {
      const item = coordinator!.locator(`#indicator-${code}`);
      await item.getByLabel(decision).check();
      if (comment) await item.getByLabel(/Коментар \(обовʼязковий/).fill(comment);
      await item.getByRole('button', { name: 'Зберегти перевірку' }).click();
      await coordinator!.waitForURL(/done=1/);
    };
    await verify('K02', /Повернути оцінювачу/, 'Рішення оприлюднюються із запізненням до 10 днів.');
    await verify('K01', /^Прийняти$/);
    await verify('K03', /^Прийняти$/);
    assert.match((await coordinator!.locator('#indicator-K02 .badge').textContent()) ?? '', /повернуто/);
    assert.equal(describeViolations(await axeViolations(coordinator!)), '');

    // The city disputes a score during the appeal window; the coordinator rejects it with a reason.
    await advance('попередні результати');
    await advance('апеляції');
    await city!.goto(`${site.baseUrl}/ranking/campaigns/3/cities/lviv`);
    await city!.getByLabel('Індикатор').selectOption('K03');
    await city!
      .getByLabel(/Чому оцінка хибна/)
      .fill('Протоколи комісій оприлюднено на сайті ради з 2021 року, див. посилання.');
    await city!.getByLabel('Посилання на докази').fill('https://lviv.example.org/komisii');
    await city!.getByRole('button', { name: 'Надіслати апеляцію' }).click();
    await city!.waitForURL(/done=appeal/);
    assert.equal(describeViolations(await axeViolations(city!)), '');
    await coordinator!.goto(`${site.baseUrl}/ranking/campaigns/3/appeals`);
    await coordinator!.getByLabel('Відхилити').check();
    await coordinator!.getByLabel('Обґрунтування').fill('За посиланням протоколи лише за один рік.');
    await coordinator!.getByRole('button', { name: 'Ухвалити рішення' }).click();
    await coordinator!.waitForURL(/appeals#appeal-/);
    assert.equal(describeViolations(await axeViolations(coordinator!)), '');

    // Final, then published: the public sees the result, the evidence and the appeal.
    await advance('остаточні результати');
    await admin!.goto(manage);
    await admin!.getByRole('button', { name: 'Опублікувати результати' }).click();
    await admin!.waitForURL(/\/ranking\/campaigns\/3$/);
    await visitor!.goto(`${site.baseUrl}/ranking`);
    await visitor!.waitForSelector('#ranking-map[data-ready]');
    assert.match((await visitor!.locator('h1').textContent()) ?? '', /2022/);
    assert.match((await visitor!.locator('table.ranking tbody tr').first().textContent()) ?? '', /Львів/);
    assert.equal(describeViolations(await axeViolations(visitor!)), '');
    await visitor!.getByRole('link', { name: 'Львів', exact: true }).first().click();
    await visitor!.waitForURL(/\/cities\/lviv$/);
    assert.match((await visitor!.locator('#indicator-K01').textContent()) ?? '', /proekty\.pdf/);
    assert.match(
      (await visitor!.locator('#indicator-K03').textContent()) ?? '',
      /За посиланням протоколи лише за один рік/,
    );
    assert.equal(describeViolations(await axeViolations(visitor!)), '');
    await visitor!.screenshot({ path: `${SCREENSHOT_DIR}/ranking-city.png`, fullPage: false });
    assert.deepEqual(problems.flat(), []);
    for (const context of contexts) await context.close();
  });

  for (const locale of ['uk', 'en', 'bg']) {
    test(`every page passes axe (WCAG 2.1 A/AA) in ${locale}, with no CSP violation`, async () => {
      const context = await site.browser.newContext();
      await setLanguage(context, site.baseUrl, locale);
      const page = await context.newPage();
      const problems = watchProblems(page);
      const failures: string[] = [];
      const check = async (path: string) => {
        await page.goto(site.baseUrl + path);
        if (path.includes('map') || path === '/cities/lviv') await page.waitForSelector('#cities-map[data-ready]');
        if (path === '/ranking' || /^\/ranking\/campaigns\/\d+(\?|$)/.test(path))
          await page.waitForSelector('#ranking-map[data-ready]');
        const violations = await axeViolations(page);
        if (violations.length) failures.push(`${path}:\n${describeViolations(violations)}`);
        if (locale === 'uk')
          await page.screenshot({
            path: `${SCREENSHOT_DIR}/${path.replace(/[^a-z0-9]+/gi, '_') || 'home'}.png`,
            fullPage: true,
          });
      };
      for (const path of PUBLIC_PAGES) await check(path);
      await login(page, site.baseUrl, 'admin@hromada.demo', DEMO_PASSWORD);
      for (const path of ADMIN_PAGES) await check(path);
      const outboxLink = await page
        .goto(`${site.baseUrl}/admin/outbox`)
        .then(() => page.locator('tbody a').first().getAttribute('href'));
      if (outboxLink) await check(outboxLink);
      assert.equal(failures.join('\n\n'), '');
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('pages fit a phone screen without sideways scrolling', async () => {
    const context = await site.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    for (const path of [
      '/',
      '/search?q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2',
      '/cities',
      '/cities/lviv',
      '/cities/map',
      '/register',
      '/api/docs',
      '/datasets',
      '/datasets/lviv-budget-2024',
      '/petitions',
      '/petitions/2',
      '/budgets/2',
      '/budgets/1/ballot',
      '/ranking',
      '/ranking/campaigns/2/cities/lviv',
      '/ranking/campaigns/2/compare?cities=lviv&cities=kyiv&cities=odesa',
      '/ranking/methodologies/1',
      '/ranking/practices',
      '/ranking/practices?city=lviv&offset=20',
    ]) {
      await page.goto(site.baseUrl + path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
    }
    // The catalog's filters fold behind their button on a phone; the results come first.
    await page.goto(`${site.baseUrl}/datasets`);
    const panel = page.locator('details.facet-panel');
    assert.equal(await panel.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.equal(await page.locator('.facets').isVisible(), false);
    await page.getByText('Фільтри', { exact: true }).click();
    assert.equal(await page.locator('.facets').isVisible(), true);
    await page.goto(`${site.baseUrl}/cities`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-cities.png`, fullPage: false });
    await context.close();
  });
});
