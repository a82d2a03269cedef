import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { FakeClock } from '../../platform/clock.ts';
import type { ValidationError } from '../../platform/errors.ts';
import {
  cityCompliance,
  complianceHistory,
  createMandatoryItem,
  declareItem,
  listMandatoryItems,
  parseItemInput,
  takeDailySnapshots,
  updateMandatoryItem,
  withdrawItem,
} from './service.ts';

const ACTOR = { userId: null, label: 'test' };
const NOW = new Date('2031-05-10T09:00:00Z');
const DAY = 86_400_000;

for (const engine of ENGINES) {
  describe(`data programme on ${engine}`, () => {
    let app: FastifyInstance;
    let clock: FakeClock;
    let city: { id: number; slug: string };
    const itemId = async (code: string) =>
      (await app.db.one<{ id: number }>('SELECT id FROM mandatory_items WHERE code = $1', [code]))!.id;
    /** A dataset of the test city, published `ageDays` ago, with the given resources. */
    async function dataset(
      name: string,
      options: {
        state?: string;
        licence?: string;
        frequency?: string;
        ageDays?: number;
        formats?: string[];
        datastore?: boolean;
      },
    ) {
      const updated = new Date(NOW.getTime() - (options.ageDays ?? 1) * DAY);
      const row = (await app.db.one<{ id: number; city_id: number }>(
        `INSERT INTO datasets (name, city_id, state, title_uk, license_id, frequency, published_at, data_updated_at)
         VALUES ($1, $2, $3, $1, $4, $5, $6, $6) RETURNING id, city_id`,
        [
          name,
          city.id,
          options.state ?? 'published',
          options.licence ?? 'CC-BY-4.0',
          options.frequency ?? 'MONTHLY',
          updated,
        ],
      ))!;
      for (const [i, format] of (options.formats ?? ['CSV']).entries())
        await app.db.query(
          `INSERT INTO resources (id, dataset_id, position, name, format, url, datastore_table)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, 'https://example.org/x', $5)`,
          [row.id, i, `${name}-${i}`, format, options.datastore && i === 0 ? `t_${name.replaceAll('-', '_')}` : null],
        );
      return row;
    }

    before(async () => {
      clock = new FakeClock(NOW);
      app = await createTestApp(engine, { clock });
      city = (await app.db.one<{ id: number; slug: string }>(`SELECT id, slug FROM cities WHERE slug = 'rivne'`))!;
    });
    after(() => app.close());

    test('the shipped list holds the sourced items of Resolution 835, each with its source', async () => {
      const items = await listMandatoryItems(app.db);
      const shipped = items.filter((i) => i.legal_act === 'UA-CMU-835-2015');
      assert.equal(shipped.length, 29);
      assert.equal(shipped.filter((i) => i.body_kind === 'local_self_government').length, 20);
      for (const item of shipped) {
        assert.match(item.source, /Alexander-Lukyanov\/table-templates/);
        assert.match(item.legal_basis, /№ 835/);
        assert.ok(item.name_en && item.name_bg, item.code);
        assert.equal(item.frequency, null, 'the source sets no frequency, so none is invented');
      }
      assert.equal(
        shipped.find((i) => i.code === 'mun-024')?.name_uk,
        'Дані про місце розміщення зупинок міського електро- та автомобільного транспорту',
      );
    });

    test('an item form names each wrong field; a duplicate code is a conflict; changes are audited', async () => {
      assert.throws(
        () => parseItemInput({ country: 'Ukraine', legal_act: '', code: 'x', name_uk: '', body_kind: 'mayor' }),
        (error: ValidationError) => {
          const fields = error.problems.map((p) => p.field).sort();
          assert.deepEqual(fields, ['body_kind', 'country', 'legal_act', 'name_uk', 'source']);
          return true;
        },
      );
      const input = parseItemInput({
        country: 'ua',
        legal_act: 'TEST-ACT',
        code: '1',
        name_uk: 'Тестовий пункт',
        body_kind: 'local_self_government',
        source: 'test fixture',
        frequency: 'ANNUAL',
      });
      assert.equal(input.country, 'UA');
      const id = await app.db.transaction((tx) => createMandatoryItem(tx, ACTOR, input));
      await assert.rejects(
        app.db.transaction((tx) => createMandatoryItem(tx, ACTOR, input)),
        (error: ValidationError) => error.statusCode === 409 && error.problems[0]!.field === 'code',
      );
      await app.db.transaction((tx) => updateMandatoryItem(tx, ACTOR, id, { ...input, retired: true }));
      const audit = await app.db.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE entity_type = 'mandatory_item' AND entity_id = $1 ORDER BY id`,
        [String(id)],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['mandatory_item.create', 'mandatory_item.update'],
      );
      assert.ok(!(await listMandatoryItems(app.db)).some((i) => i.id === id), 'a retired item leaves the list');
    });

    test('each check of an item follows its rule, and the score counts checks met', async () => {
      const stops = await itemId('mun-024');
      const timetable = await itemId('mun-023');
      const toilets = await itemId('mun-019');
      const fresh = await dataset('rivne-stops', { formats: ['GEOJSON'], datastore: true, ageDays: 10 });
      const stale = await dataset('rivne-timetable', { formats: ['PDF'], licence: 'other-closed', ageDays: 40 });
      const draft = await dataset('rivne-toilets', { state: 'draft' });
      for (const [d, item] of [
        [fresh, stops],
        [stale, timetable],
        [draft, toilets],
      ] as const)
        await app.db.transaction((tx) => declareItem(tx, ACTOR, d, item, clock.now()));
      const compliance = await cityCompliance(app.db, city.id, clock.now());
      const of = (id: number) => compliance.items.find((i) => i.item.id === id)!;
      assert.deepEqual(of(stops).checks, {
        published: true,
        up_to_date: true,
        machine_readable: true,
        open_licence: true,
        datastore: true,
      });
      assert.deepEqual(of(timetable).checks, {
        published: true,
        up_to_date: false, // 40 days against a monthly promise (35)
        machine_readable: false, // a PDF only
        open_licence: false,
        datastore: false,
      });
      assert.equal(of(toilets).checks.published, false, 'a draft fulfils nothing');
      assert.equal(compliance.published, 2);
      assert.equal(compliance.score, Math.round((1000 * 6) / (29 * 5)) / 10);
      // Time passes: the fresh dataset becomes stale too.
      const later = new Date(NOW.getTime() + 30 * DAY);
      assert.equal(
        (await cityCompliance(app.db, city.id, later)).items.find((i) => i.item.id === stops)!.checks.up_to_date,
        false,
      );
    });

    test('declaring and withdrawing are audited and recorded in the history; the daily round adds a row once', async () => {
      const item = await itemId('mun-002');
      const d = await dataset('rivne-property', {});
      await app.db.transaction((tx) => declareItem(tx, ACTOR, d, item, clock.now()));
      await app.db.transaction((tx) => declareItem(tx, ACTOR, d, item, clock.now())); // again: nothing new
      let history = await complianceHistory(app.db, city.id);
      assert.equal(history.length, 1);
      assert.equal(history[0]!.taken_on, '2031-05-10');
      assert.equal(history[0]!.items_published, 3);
      await app.db.transaction((tx) => withdrawItem(tx, ACTOR, d, item, clock.now()));
      history = await complianceHistory(app.db, city.id);
      assert.equal(history[0]!.items_published, 2, "a change rewrites the day's row");
      await assert.rejects(
        app.db.transaction((tx) => withdrawItem(tx, ACTOR, d, item, clock.now())),
        /does not declare/,
      );
      const audit = await app.db.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE entity_type = 'dataset' AND entity_id = $1 AND action LIKE 'dataset.mandatory_item.%' ORDER BY id`,
        [String(d.id)],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['dataset.mandatory_item.declare', 'dataset.mandatory_item.withdraw'],
      );
      clock.advanceDays(1);
      const cities = (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM cities'))!.n;
      assert.equal(await takeDailySnapshots(app.db, clock.now()), cities);
      assert.equal(await takeDailySnapshots(app.db, clock.now()), 0, 'a second round the same day adds nothing');
      history = await complianceHistory(app.db, city.id);
      assert.deepEqual(
        history.map((h) => h.taken_on),
        ['2031-05-11', '2031-05-10'],
      );
    });

    test('pages, the API and the CSV show the same numbers; only editors declare, only admins edit the list', async () => {
      const visitor = new Client(app, '203.0.113.71');
      const page = await visitor.get('/data-programme');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="compliance-map"[^>]*data-points="\[/);
      const api = await visitor.get('/api/v1/cities/rivne/compliance');
      assert.equal(api.statusCode, 200);
      const body = api.json();
      assert.equal(body.items_published, 2);
      assert.equal(body.items.length, 29);
      assert.match(body.url, /\/cities\/rivne\/compliance$/);
      assert.ok(body.history.length >= 2);
      const cityPage = await visitor.get('/cities/rivne/compliance');
      assert.equal(cityPage.statusCode, 200);
      assert.match(cityPage.body, /rivne-stops/);
      assert.match(cityPage.body, new RegExp(body.url.replaceAll('/', '\\/')));
      const national = (await visitor.get('/api/v1/compliance')).json();
      assert.equal(national.items.find((c: { city: string }) => c.city === 'rivne').score, body.score);
      const csv = await visitor.get('/data-programme/compliance.csv');
      assert.match(csv.body, new RegExp(`^rivne,rivnenska,${body.score},29,2,`, 'm'));
      assert.equal((await visitor.get('/api/v1/mandatory-datasets')).json().items.length, 29);
      assert.equal((await visitor.get('/api/v1/cities/nowhere/compliance')).statusCode, 404);
      assert.equal(
        (await visitor.get('/cities/rivne/compliance/history.svg')).headers['content-type'],
        'image/svg+xml',
      );
      // The city's profile and the dataset's page carry their sections.
      assert.match((await visitor.get('/cities/rivne')).body, /id="city-compliance"/);
      assert.match((await visitor.get('/datasets/rivne-stops')).body, /id="dataset-mandatory-items"/);

      // An editor of another city cannot declare for this one; Lviv's editor declares for Lviv.
      const editor = new Client(app, '203.0.113.72');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await editor.get('/datasets/rivne-stops');
      const refused = await editor.post('/datasets/rivne-stops/mandatory-items', {
        _csrf: editor.csrfToken(),
        item: String(await itemId('mun-023')),
      });
      assert.equal(refused.statusCode, 403);
      const lvivDataset = await editor.get('/datasets/lviv-budget-2024');
      assert.match(lvivDataset.body, /name="item"/);
      const item = await itemId('mun-049');
      const declared = await editor.post('/datasets/lviv-budget-2024/mandatory-items', {
        _csrf: editor.csrfToken(),
        item: String(item),
      });
      assert.equal(declared.statusCode, 303);
      assert.match((await editor.get('/datasets/lviv-budget-2024')).body, /mun-049/);
      const bad = await editor.post('/datasets/lviv-budget-2024/mandatory-items', {
        _csrf: editor.csrfToken(),
        item: 'abc',
      });
      assert.equal(bad.statusCode, 422);
      const withdrawn = await editor.post(`/datasets/lviv-budget-2024/mandatory-items/${item}/remove`, {
        _csrf: editor.csrfToken(),
      });
      assert.equal(withdrawn.statusCode, 303);
      // Without the form's token, nothing happens.
      const forged = await editor.post('/datasets/lviv-budget-2024/mandatory-items', { item: String(item) });
      assert.equal(forged.statusCode, 403);

      assert.equal((await editor.get('/data-programme/list/new')).statusCode, 403);
      const admin = new Client(app, '203.0.113.73');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      await admin.get('/data-programme/list/new');
      const invalid = await admin.post('/data-programme/list/new', { _csrf: admin.csrfToken(), country: 'U' });
      assert.equal(invalid.statusCode, 422);
      assert.match(invalid.body, /two Latin letters|дві латинські літери/);
      const created = await admin.post('/data-programme/list/new', {
        _csrf: admin.csrfToken(),
        country: 'BG',
        legal_act: 'BG-TEST',
        code: 'A-1',
        name_uk: 'Пункт',
        name_en: 'Item',
        name_bg: 'Точка',
        body_kind: 'local_self_government',
        source: 'test',
        position: '1',
      });
      assert.equal(created.statusCode, 303);
      assert.match((await admin.get('/data-programme/list')).body, /A-1/);
    });
  });
}
