import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { readXlsxRows, writeXlsxRows } from '../../../test/spreadsheets.ts';
import { FakeClock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import {
  importInventory,
  listInventory,
  parseDate,
  parseInventoryInput,
  planOf,
  publishRegister,
  saveInventoryItem,
  sendPlanReminders,
} from './inventory.ts';
import { itemsOfDataset } from './service.ts';

const ACTOR = { userId: null, label: 'test' };
const NOW = new Date('2031-05-10T09:00:00Z');

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.field}:${p.message.split('.').pop()}`);
    throw error;
  }
  return [];
};

for (const engine of ENGINES) {
  describe(`inventory on ${engine}`, () => {
    let app: FastifyInstance;
    let clock: FakeClock;
    let city: { id: number; slug: string; name_uk: string; name_en: string; name_bg: string };

    before(async () => {
      clock = new FakeClock(NOW);
      app = await createTestApp(engine, { clock });
      city = (await app.db.one<typeof city>(
        `SELECT id, slug, name_uk, name_en, name_bg FROM cities WHERE slug = 'ternopil'`,
      ))!;
    });
    after(() => app.close());

    test('the demo holds a register of 60 entries for Lviv', async () => {
      const lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      const items = await listInventory(app.db, lviv);
      assert.equal(items.length, 60);
      for (const status of ['not_published', 'planned', 'published', 'restricted'])
        assert.ok(
          items.some((i) => i.status === status),
          status,
        );
    });

    test('each status has its rules, and dates are read in both written forms', () => {
      assert.equal(parseDate('31.03.2026'), '2026-03-31');
      assert.equal(parseDate('2026-03-31'), '2026-03-31');
      assert.equal(parseDate('31.02.2026'), null);
      assert.deepEqual(problemsOf(() => parseInventoryInput({ name: 'X', unit: 'U', status: 'planned' })).sort(), [
        'planned_on:planned_needs_date',
        'responsible_email:planned_needs_person',
        'responsible_name:planned_needs_person',
      ]);
      assert.deepEqual(
        problemsOf(() => parseInventoryInput({ name: 'X', unit: 'U', status: 'Оприлюднено' })),
        ['dataset:published_needs_dataset'],
      );
      assert.deepEqual(
        problemsOf(() => parseInventoryInput({ name: 'X', unit: 'U', status: 'restricted' })),
        ['restriction_reason:restricted_needs_reason'],
      );
      assert.deepEqual(
        problemsOf(() =>
          parseInventoryInput({ name: '', unit: 'U', demand: '5', personal_data: 'maybe', planned_on: '2026-13-01' }),
        ).sort(),
        ['demand:max', 'name:required', 'personal_data:yes_no', 'planned_on:date'],
      );
    });

    test('an import is all or nothing, with every problem by row; then it creates and updates by name', async () => {
      const header = ['name', 'unit', 'status', 'planned_on', 'responsible_name', 'responsible_email', 'dataset'];
      const bad = await app.db
        .transaction(async (tx) => {
          const report = await importInventory(
            tx,
            ACTOR,
            city.id,
            [
              { row: 1, cells: header },
              { row: 2, cells: ['Реєстр А', 'Відділ', 'planned', '01.06.2031', 'Олена', 'olena@example.org', ''] },
              { row: 3, cells: ['Реєстр Б', '', 'not_published', '', '', '', ''] },
              { row: 4, cells: ['Реєстр В', 'Відділ', 'published', '', '', '', 'no-such-dataset'] },
              { row: 5, cells: ['Реєстр А', 'Відділ', '', '', '', '', ''] },
            ],
            clock.now(),
          );
          return report;
        })
        .catch((error) => error);
      assert.deepEqual(
        bad.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`),
        ['3:unit', '4:dataset', '5:name'],
      );
      assert.equal((await listInventory(app.db, city.id)).length, 0, 'nothing was imported');
      const unknown = await importInventory(
        app.db,
        ACTOR,
        city.id,
        [{ row: 1, cells: ['name', 'colour'] }],
        clock.now(),
      );
      assert.deepEqual(
        unknown.errors.map((e) => e.message.split('.').pop()),
        ['missing_column', 'unknown_column'],
      );

      const good = await app.db.transaction((tx) =>
        importInventory(
          tx,
          ACTOR,
          city.id,
          [
            { row: 1, cells: header },
            { row: 2, cells: ['Реєстр А', 'Відділ', 'planned', '01.06.2031', 'Олена', 'olena@example.org', ''] },
            { row: 3, cells: ['Реєстр Б', 'Відділ', 'Заплановано', '2031-05-01', 'Ігор', 'igor@example.org', ''] },
          ],
          clock.now(),
        ),
      );
      assert.deepEqual([good.created, good.updated, good.errors.length], [2, 0, 0]);
      const again = await app.db.transaction((tx) =>
        importInventory(
          tx,
          ACTOR,
          city.id,
          [
            { row: 1, cells: ['name', 'unit'] },
            { row: 2, cells: ['Реєстр А', 'Інший відділ'] },
          ],
          clock.now(),
        ),
      );
      assert.deepEqual([again.created, again.updated], [0, 1]);
      const items = await listInventory(app.db, city.id);
      assert.equal(items.find((i) => i.name === 'Реєстр А')?.unit, 'Інший відділ');
      assert.equal(items.find((i) => i.name === 'Реєстр А')?.status, 'not_published', 'a row without status resets it');
      const audit = await app.db.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE action LIKE 'inventory.%' AND (entity_type = 'inventory_item' OR entity_id = $1)`,
        [String(city.id)],
      );
      assert.ok(audit.filter((a) => a.action === 'inventory.import').length === 2);
      assert.ok(audit.some((a) => a.action === 'inventory.update'));
    });

    test('the plan shows overdue entries; reminders go once a week to the responsible person', async () => {
      const plan = planOf(await listInventory(app.db, city.id), clock.now());
      assert.deepEqual(
        plan.overdue.map((i) => i.name),
        ['Реєстр Б'],
      );
      const mailsTo = async () =>
        (await app.db.one<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE to_address = 'igor@example.org'`,
        ))!.n;
      // Every city's due entries are reminded (the demo's Lviv has some too); Igor gets one mail.
      assert.ok((await sendPlanReminders(app.db, clock.now(), 'https://hromada.example')) >= 1);
      assert.equal(await mailsTo(), 1);
      const mail = await app.db.one<{ subject: string; body_text: string }>(
        `SELECT subject, body_text FROM outbox WHERE to_address = 'igor@example.org' ORDER BY id DESC LIMIT 1`,
      );
      assert.match(mail!.subject, /Прострочено оприлюднення: Реєстр Б/);
      assert.match(mail!.body_text, /https:\/\/hromada\.example\/cities\/ternopil\/inventory\/\d+\/edit/);
      assert.equal(await sendPlanReminders(app.db, clock.now(), 'https://hromada.example'), 0, 'not twice a week');
      clock.advanceDays(7);
      await sendPlanReminders(app.db, clock.now(), 'https://hromada.example');
      assert.equal(await mailsTo(), 2);
      clock.set(NOW);
    });

    test('the register becomes a dataset of the catalog, declared for item all-007', async () => {
      const name = await app.db.transaction((tx) =>
        publishRegister(tx, ACTOR, city, 'https://hromada.example', clock.now()),
      );
      const dataset = (await app.db.one<{ id: number; state: string }>(
        'SELECT id, state FROM datasets WHERE name = $1',
        [name],
      ))!;
      assert.equal(dataset.state, 'published');
      assert.deepEqual(
        (await itemsOfDataset(app.db, dataset.id)).map((i) => i.code),
        ['all-007'],
      );
      const resource = await app.db.one<{ url: string }>('SELECT url FROM resources WHERE dataset_id = $1', [
        dataset.id,
      ]);
      assert.equal(resource!.url, 'https://hromada.example/cities/ternopil/inventory.csv');
      // Publishing again keeps the one dataset.
      await app.db.transaction((tx) => publishRegister(tx, ACTOR, city, 'https://hromada.example', clock.now()));
      assert.equal(
        (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM datasets WHERE name = $1', [name]))!.n,
        1,
      );
      // An entry can now be marked published as that dataset.
      await app.db.transaction((tx) =>
        saveInventoryItem(
          tx,
          ACTOR,
          city.id,
          parseInventoryInput({ name: 'Реєстр наборів даних', unit: 'Відділ', status: 'published', dataset: name }),
          null,
          clock.now(),
        ),
      );
    });

    test('pages, files and the API: the public sees no responsible persons; editors import with a report', async () => {
      const visitor = new Client(app, '203.0.113.81');
      const page = await visitor.get('/cities/ternopil/inventory');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Реєстр Б/);
      assert.doesNotMatch(page.body, /igor@example\.org/);
      const csv = await visitor.get('/cities/ternopil/inventory.csv');
      assert.match(csv.body, /^\ufeffname,description,unit/);
      assert.doesNotMatch(csv.body, /igor@example\.org/);
      const xlsx = await app.inject({ method: 'GET', url: '/cities/ternopil/inventory.xlsx' });
      const rows = await readXlsxRows(xlsx.rawPayload);
      assert.equal(rows[0]![0], 'name');
      assert.equal(rows.length, 4);
      const api = (await visitor.get('/api/v1/cities/ternopil/inventory')).json();
      assert.equal(api.items.length, 3);
      assert.equal(api.items.find((i: { name: string }) => i.name === 'Реєстр Б').overdue, true);
      assert.equal((await visitor.get('/cities/ternopil/inventory/new')).statusCode, 302);

      const editor = new Client(app, '203.0.113.82');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.equal((await editor.get('/cities/ternopil/inventory/new')).statusCode, 403, 'not this city');
      const lvivCsv = await editor.get('/cities/lviv/inventory.csv');
      assert.match(lvivCsv.body, /olena\.koval@lviv\.example/, 'the city’s editors get the responsible persons');
      // A Windows-1251 CSV with semicolons, as spreadsheets in Ukraine save it, with one bad row.
      await editor.get('/cities/lviv/inventory/import');
      const text = 'name;unit;status;planned_on\nНовий набір;Відділ;заплановано;\nЩе один;Відділ;;\n';
      const bytes = cp1251(text);
      const body = multipartBody({ _csrf: editor.csrfToken() }, { name: 'register.csv', content: bytes });
      const refused = await app.inject({
        method: 'POST',
        url: '/cities/lviv/inventory/import',
        remoteAddress: editor.remoteAddress,
        headers: { cookie: editor.cookieHeader, 'content-type': body.contentType },
        payload: body.payload,
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /id="import-report"/);
      assert.match(refused.body, /planned_on/);
      // A workbook that is right goes in.
      await editor.get('/cities/lviv/inventory/import');
      const workbook = await writeXlsxRows([
        ['name', 'unit', 'status', 'restriction_reason'],
        [
          'Записи відеоспостереження',
          'Управління безпеки',
          'restricted',
          'Персональні дані (ЗУ «Про захист персональних даних», ст. 7)',
        ],
      ]);
      const upload = multipartBody({ _csrf: editor.csrfToken() }, { name: 'register.xlsx', content: workbook });
      const accepted = await app.inject({
        method: 'POST',
        url: '/cities/lviv/inventory/import',
        remoteAddress: editor.remoteAddress,
        headers: { cookie: editor.cookieHeader, 'content-type': upload.contentType },
        payload: upload.payload,
      });
      assert.equal(accepted.statusCode, 200, accepted.body.slice(0, 300));
      assert.match((await editor.get('/cities/lviv/inventory')).body, /Записи відеоспостереження/);
      // The entry form: a wrong field comes back named; a right one is saved.
      await editor.get('/cities/lviv/inventory/new');
      const wrong = await editor.post('/cities/lviv/inventory/new', {
        _csrf: editor.csrfToken(),
        name: 'Тест',
        unit: 'Відділ',
        status: 'planned',
      });
      assert.equal(wrong.statusCode, 422);
      const saved = await editor.post('/cities/lviv/inventory/new', {
        _csrf: editor.csrfToken(),
        name: 'Тест',
        unit: 'Відділ',
        status: 'planned',
        planned_on: '2031-06-01',
        responsible_name: 'Олена',
        responsible_email: 'olena@example.org',
      });
      assert.equal(saved.statusCode, 303);
    });
  });
}

/** Encodes Ukrainian text in Windows-1251 (the letters this test uses). */
function cp1251(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else if (code >= 0x410 && code <= 0x44f) out.push(code - 0x410 + 0xc0);
    else if (char === 'і') out.push(0xb3);
    else if (char === 'І') out.push(0xb2);
    else if (char === 'ї') out.push(0xbf);
    else if (char === 'є') out.push(0xba);
    else throw new Error(`no Windows-1251 byte for ${char}`);
  }
  return Uint8Array.from(out);
}
