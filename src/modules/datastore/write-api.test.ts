// The DataStore write API as ETL scripts call it through ckanapi (RemoteCKAN.call_action: a POST of
// the data dict as JSON, the key in Authorization; test/ckan-callers.ts): datastore_create with a
// new resource, fields, primary key and records; upsert, update and insert; delete by filters and
// drop. What was written is then read everywhere a loaded file's rows are: the preview page, the
// dump, datastore_search and datastore_info, DCAT and the Data Package, and (on PostgreSQL)
// datastore_search_sql. Only the editors of the dataset's city write.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { ckanCallers, type CkanAnswer, type CkanCall } from '../../../test/ckan-callers.ts';
import { MAX_WRITE_RECORDS } from './write-api.ts';

const DATASET = 'lviv-budget-2024';

/** The first message an error gives for a parameter. */
const said = (answer: CkanAnswer, field: string) => (answer.error[field] as string[])[0]!;

/** A type as CKAN names it, whichever of its names or the DataStore's own an answer uses. */
const CKAN_TYPES: Record<string, string> = {
  integer: 'int8',
  number: 'numeric',
  boolean: 'bool',
  datetime: 'timestamp',
};
const typesOf = (fields: { id: string; type: string }[]) => fields.map((f) => [f.id, CKAN_TYPES[f.type] ?? f.type]);

const ROADS = [
  { id: 1, вулиця: 'Городоцька', сума: 1250000.5, дата: '2024-03-01', готово: true },
  { id: 2, вулиця: 'Личаківська', сума: '480000', дата: '2024-04-15', готово: false },
  { id: 3, вулиця: 'Стрийська, "нова"', сума: 99.99, дата: null, готово: 'no' },
];

for (const engine of ENGINES) {
  describe(`DataStore write API on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: CkanCall;
    let citizen: CkanCall;
    let otherEditor: CkanCall;
    let anonymous: CkanCall;
    let resourceId: string;

    const info = async () => (await anonymous('datastore_info', { id: resourceId })).result;
    const search = async (params: Record<string, unknown> = {}) =>
      (await anonymous('datastore_search', { resource_id: resourceId, sort: '_id', ...params })).result;

    before(async () => {
      app = await createTestApp(engine);
      ({ editor, citizen, otherEditor, anonymous } = await ckanCallers(app));
    });
    after(() => app.close());

    test('datastore_create with a resource, fields, primary key and records makes the resource and its table', async () => {
      const created = await editor('datastore_create', {
        resource: { package_id: DATASET, name: 'Ремонт доріг', format: 'csv' },
        fields: [
          { id: 'id', type: 'int' },
          { id: 'вулиця', type: 'text', info: { label: 'Вулиця', notes: 'Назва вулиці' } },
          { id: 'сума', type: 'numeric' },
          { id: 'дата', type: 'date' },
          { id: 'готово', type: 'bool' },
        ],
        primary_key: ['id'],
        records: ROADS,
      });
      assert.equal(created.status, 200, created.body);
      const result = created.result;
      resourceId = result.resource_id;
      assert.match(resourceId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(result.primary_key, ['id']);
      assert.equal(result.method, 'insert');
      assert.equal(result.records, undefined, 'records are not sent back, as CKAN 2.11');
      assert.deepEqual(
        result.fields.map((f: { id: string; type: string }) => [f.id, f.type]),
        [
          ['id', 'int'],
          ['вулиця', 'text'],
          ['сума', 'numeric'],
          ['дата', 'date'],
          ['готово', 'bool'],
        ],
      );
      assert.match(result.resource.url, new RegExp(`/datastore/dump/${resourceId}$`));

      const shown = (await anonymous('resource_show', { id: resourceId })).result;
      assert.equal(shown.datastore_active, true);
      assert.equal(shown.url_type, 'datastore');
      assert.equal(shown.name, 'Ремонт доріг');
      assert.equal(shown.format, 'CSV');

      const described = await info();
      assert.equal(described.meta.count, 3);
      assert.deepEqual(typesOf(described.fields), [
        ['id', 'int8'],
        ['вулиця', 'text'],
        ['сума', 'numeric'],
        ['дата', 'date'],
        ['готово', 'bool'],
      ]);
      assert.deepEqual(described.fields[1].info, { label: 'Вулиця', notes: 'Назва вулиці' });

      const rows = await search();
      assert.equal(rows.total, 3);
      assert.deepEqual(
        rows.records.map((r: Record<string, unknown>) => [r._id, r.id, r.вулиця, r.сума, r.дата, r.готово]),
        [
          [1, 1, 'Городоцька', 1250000.5, '2024-03-01', true],
          [2, 2, 'Личаківська', 480000, '2024-04-15', false],
          [3, 3, 'Стрийська, "нова"', 99.99, null, false],
        ],
      );
    });

    test('what was written is read as a loaded file is: preview, dump, DCAT, Data Package', async () => {
      const page = await app.inject({ url: `/datasets/${DATASET}/resources/${resourceId}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Городоцька/);
      assert.match(page.body, /Личаківська/);
      const dump = await app.inject({ url: `/datastore/dump/${resourceId}` });
      assert.equal(dump.statusCode, 200);
      assert.match(String(dump.headers['content-type']), /^text\/csv/);
      const lines = dump.body
        .replace(/^\ufeff/, '')
        .trim()
        .split(/\r?\n/);
      // The row number first or not (CKAN's dump has _id first), then the fields in their order.
      assert.equal(lines[0]!.replace(/^_id,/, ''), 'id,вулиця,сума,дата,готово');
      assert.equal(lines.length, 4);
      assert.match(lines[3]!, /^(3,)?3,"Стрийська, ""нова""",99\.99,,false$/);
      const chart = await app.inject({
        url: `/datasets/${DATASET}/resources/${resourceId}/chart.svg?group=${encodeURIComponent('готово')}`,
      });
      assert.equal(chart.statusCode, 200);
      const ttl = await app.inject({ url: `/dataset/${DATASET}.ttl` });
      assert.equal(ttl.statusCode, 200);
      assert.ok(ttl.body.includes(`/datastore/dump/${resourceId}`), 'the distribution points at the rows');
      const pkg = await app.inject({ url: `/datasets/${DATASET}/datapackage.json` });
      assert.equal(pkg.statusCode, 200);
      const described = pkg
        .json()
        .resources.find((r: { path: string; schema?: unknown }) => r.path.endsWith(resourceId) && r.schema);
      assert.ok(described, 'the Data Package lists the resource by its dump');
      assert.deepEqual(
        described.schema.fields.map((f: { name: string }) => f.name).filter((name: string) => name !== '_id'),
        ['id', 'вулиця', 'сума', 'дата', 'готово'],
      );
    });

    test('datastore_upsert: upsert updates by the primary key and inserts the rest; totals follow', async () => {
      // A filtered total is counted once and kept: the write must make it counted again.
      assert.equal((await search({ filters: { готово: false } })).total, 2);
      const upserted = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'upsert',
        records: [
          { id: 2, сума: 500000, готово: true },
          { id: 4, вулиця: 'Зелена', сума: '12.5', дата: '2024-05-01', готово: false },
        ],
      });
      assert.equal(upserted.status, 200, upserted.body);
      assert.equal(upserted.result.method, 'upsert');
      assert.equal(upserted.result.records.length, 2, 'CKAN 2.11 sends the records back');
      assert.equal((await info()).meta.count, 4);
      const rows = await search();
      assert.equal(rows.total, 4);
      const two = rows.records.find((r: { id: number }) => r.id === 2);
      assert.deepEqual(
        [two._id, two.вулиця, two.сума, two.дата, two.готово],
        [2, 'Личаківська', 500000, '2024-04-15', true],
      );
      assert.deepEqual(rows.records.at(-1), {
        _id: 4,
        id: 4,
        вулиця: 'Зелена',
        сума: 12.5,
        дата: '2024-05-01',
        готово: false,
      });
      assert.equal((await search({ filters: { готово: false } })).total, 2, 'the cached total was not reused');
      assert.equal((await search({ filters: { готово: true } })).total, 2);
      // A record given twice in one call is two writes in turn; one found by its _id keeps it.
      const twice = await editor('datastore_upsert', {
        resource_id: resourceId,
        records: [
          { id: 5, вулиця: 'Шевченка', сума: 1 },
          { id: 5, сума: 2 },
          { _id: 1, вулиця: 'Городоцька (ремонт)' },
        ],
      });
      assert.equal(twice.status, 200, twice.body);
      const after = await search();
      assert.equal(after.total, 5);
      assert.deepEqual(
        [after.records.at(-1).id, after.records.at(-1).вулиця, after.records.at(-1).сума],
        [5, 'Шевченка', 2],
      );
      assert.equal(after.records[0].вулиця, 'Городоцька (ремонт)');
      assert.equal(after.records[0].сума, 1250000.5, 'fields not given keep their values');
    });

    test('datastore_upsert: update and insert refuse what is not there or already there, naming the record', async () => {
      const updated = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'update',
        records: [{ id: 3, готово: true }],
      });
      assert.equal(updated.status, 200, updated.body);
      assert.equal((await search({ filters: { id: 3 } })).records[0].готово, true);
      const absent = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'update',
        records: [
          { id: 3, сума: 1 },
          { id: 99, сума: 1 },
        ],
      });
      assert.equal(absent.status, 409);
      assert.equal(absent.error.__type, 'Validation Error');
      assert.match(said(absent, 'records'), /^Record 1: key \{"id":99\} not found/);
      assert.equal((await search({ filters: { id: 3 } })).records[0].сума, 99.99, 'nothing of the call was written');

      const duplicate = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: [
          { id: 6, вулиця: 'Нова' },
          { id: 1, вулиця: 'Знову' },
        ],
      });
      assert.equal(duplicate.status, 409);
      assert.match(said(duplicate, 'records'), /^Record 1: key \{"id":1\} is already in a row of the table/);
      const twiceInCall = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: [{ id: 7 }, { id: 7 }],
      });
      assert.equal(twiceInCall.status, 409);
      assert.match(said(twiceInCall, 'records'), /^Record 1: .*record 0 of this call/);
      assert.equal((await info()).meta.count, 5);

      const wrongType = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: [{ id: 8 }, { id: 9, сума: 'багато' }],
      });
      assert.equal(wrongType.status, 409);
      assert.match(said(wrongType, 'records'), /^Record 1: field "сума" must be a number, not "багато"/);
      const badDate = await editor('datastore_upsert', {
        resource_id: resourceId,
        records: [{ id: 1, дата: '2024-02-30' }],
      });
      assert.equal(badDate.status, 409);
      assert.match(said(badDate, 'records'), /^Record 0: field "дата" must be a date/);
      const extra = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: [{ id: 8, колір: 'синій' }],
      });
      assert.equal(extra.status, 409);
      assert.match(said(extra, 'records'), /^Record 0: field "колір" does not exist/);
      const noKey = await editor('datastore_upsert', { resource_id: resourceId, records: [{ вулиця: 'Без номера' }] });
      assert.equal(noKey.status, 409);
      assert.match(said(noKey, 'records'), /^Record 0: fields "id" are missing but needed as key/);
      const method = await editor('datastore_upsert', { resource_id: resourceId, method: 'merge', records: [] });
      assert.equal(method.status, 409);
      assert.ok(method.error.method);

      const inserted = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: [{ id: 8, вулиця: 'Вісім' }],
      });
      assert.equal(inserted.status, 200, inserted.body);
      assert.equal((await info()).meta.count, 6);
    });

    test('dry_run checks everything and changes nothing', async () => {
      const before = await search();
      const dry = await editor('datastore_upsert', {
        resource_id: resourceId,
        dry_run: true,
        records: [
          { id: 1, сума: 0 },
          { id: 100, вулиця: 'Сота' },
        ],
      });
      assert.equal(dry.status, 200, dry.body);
      assert.equal(dry.result.dry_run, true);
      assert.deepEqual(await search(), before);
      const failing = await editor('datastore_upsert', {
        resource_id: resourceId,
        dry_run: true,
        records: [{ id: 1, готово: 'можливо' }],
      });
      assert.equal(failing.status, 409);
      assert.match(said(failing, 'records'), /^Record 0: field "готово" must be a boolean/);
    });

    test('datastore_create on the table adds fields and records; a type cannot change; json and aliases are refused', async () => {
      const extended = await editor('datastore_create', {
        resource_id: resourceId,
        fields: [{ id: 'підрядник', type: 'text' }],
        records: [{ id: 10, вулиця: 'Десята', підрядник: 'ТОВ "Шлях"', кілометри: 1.75 }],
      });
      assert.equal(extended.status, 200, extended.body);
      const described = await info();
      assert.deepEqual(
        typesOf(described.fields).slice(-2),
        [
          ['підрядник', 'text'],
          ['кілометри', 'numeric'],
        ],
        'a key of the first record that names no field becomes one, its type guessed',
      );
      assert.equal(described.meta.count, 7);
      const ten = (await search({ filters: { id: 10 } })).records[0];
      assert.equal(ten.підрядник, 'ТОВ "Шлях"');
      assert.equal(ten.кілометри, 1.75);
      assert.equal((await search({ filters: { id: 1 } })).records[0].підрядник, null);
      const filtered = await search({ filters: { підрядник: 'ТОВ "Шлях"' } });
      assert.equal(filtered.total, 1);

      const retyped = await editor('datastore_create', {
        resource_id: resourceId,
        fields: [{ id: 'сума', type: 'text' }],
      });
      assert.equal(retyped.status, 409);
      assert.match(said(retyped, 'fields'), /"сума" is already of type number/);
      const jsonField = await editor('datastore_create', {
        resource_id: resourceId,
        fields: [{ id: 'метадані', type: 'json' }],
      });
      assert.equal(jsonField.status, 409);
      assert.match(said(jsonField, 'fields'), /type "json" is not one this DataStore stores/);
      const aliases = await editor('datastore_create', { resource_id: resourceId, aliases: 'roads' });
      assert.equal(aliases.status, 409);
      assert.match(said(aliases, 'aliases'), /not supported/);
      const both = await editor('datastore_create', { resource_id: resourceId, resource: { package_id: DATASET } });
      assert.equal(both.status, 409);
      assert.ok(both.error.resource);
      const neither = await editor('datastore_create', { fields: [] });
      assert.equal(neither.status, 409);
      assert.ok(neither.error.resource_id);
      const tooMany = await editor('datastore_upsert', {
        resource_id: resourceId,
        method: 'insert',
        records: Array.from({ length: MAX_WRITE_RECORDS + 1 }, () => ({})),
      });
      assert.equal(tooMany.status, 409);
      assert.match(said(tooMany, 'records'), /At most 20000 records per call/);
      const pkClash = await editor('datastore_create', { resource_id: resourceId, primary_key: 'готово' });
      assert.equal(pkClash.status, 409, 'the rows hold true twice');
      assert.ok(pkClash.error.primary_key);
      assert.equal((await info()).meta.count, 7);
      const wide = await editor('datastore_create', {
        resource_id: resourceId,
        fields: Array.from({ length: 1001 }, (_, i) => ({ id: `f${i}`, type: 'text' })),
      });
      assert.equal(wide.status, 409);
      assert.match(said(wide, 'fields'), /At most 1000 fields/);

      // indexes replace the earlier ones; the primary key's unique index stays.
      const table = (await app.db.one<{ t: string }>('SELECT datastore_table AS t FROM resources WHERE id = $1', [
        resourceId,
      ]))!.t;
      const indexed = async () =>
        (
          await app.db.query<{ def: string }>(
            `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = $1
             AND (indexname LIKE '%\\_x%' OR indexname LIKE '%\\_pk') ORDER BY indexname`,
            [table],
          )
        ).map((r) => r.def.replace(/^.* USING btree /, '').replaceAll('"', ''));
      for (const indexes of [['вулиця'], 'підрядник, дата', [['дата', 'готово']]]) {
        const answer = await editor('datastore_create', { resource_id: resourceId, indexes });
        assert.equal(answer.status, 200, answer.body);
      }
      assert.deepEqual(await indexed(), ['(id)', '(дата, готово)']);
      const badIndex = await editor('datastore_create', { resource_id: resourceId, indexes: ['колір'] });
      assert.equal(badIndex.status, 409);
      assert.match(said(badIndex, 'indexes'), /"колір" is not a valid column name/);
      const tooWide = await editor('datastore_create', { resource_id: resourceId, indexes: [Array(33).fill('id')] });
      assert.equal(tooWide.status, 409);
      assert.match(said(tooWide, 'indexes'), /at most 32 fields/);
      const tooManyIndexes = await editor('datastore_create', {
        resource_id: resourceId,
        indexes: Array(51).fill('id'),
      });
      assert.equal(tooManyIndexes.status, 409);
      assert.deepEqual(await indexed(), ['(id)', '(дата, готово)'], 'the refused calls changed no index');
    });

    test('a batch of 5,000 records (over a megabyte) goes in at once', async () => {
      const scratch = await editor('datastore_create', {
        resource: { package_id: DATASET, name: 'Великий' },
        fields: [
          { id: 'n', type: 'int' },
          { id: 'текст', type: 'text' },
        ],
        primary_key: 'n',
      });
      assert.equal(scratch.status, 200, scratch.body);
      const records = Array.from({ length: 5000 }, (_, n) => ({ n, текст: `${n} ${'ґ'.repeat(200)}` }));
      assert.ok(JSON.stringify(records).length > 1_000_000);
      const loaded = await editor('datastore_upsert', {
        resource_id: scratch.result.resource_id,
        method: 'insert',
        records,
      });
      assert.equal(loaded.status, 200, loaded.body.slice(0, 500));
      const counted = await anonymous('datastore_search', {
        resource_id: scratch.result.resource_id,
        filters: { n: 4999 },
      });
      assert.equal(counted.result.records[0]._id, 5000);
      assert.equal((await anonymous('datastore_info', { id: scratch.result.resource_id })).result.meta.count, 5000);
    });

    test('datastore_delete by filters and datastore_records_delete; filters are required and checked', async () => {
      const deleted = await editor('datastore_delete', { resource_id: resourceId, filters: { id: [8, 10] } });
      assert.equal(deleted.status, 200, deleted.body);
      assert.deepEqual(deleted.result, { resource_id: resourceId, filters: { id: [8, 10] } });
      assert.equal((await info()).meta.count, 5);
      assert.equal((await search({ filters: { id: 8 } })).total, 0);
      const required = await editor('datastore_records_delete', { resource_id: resourceId });
      assert.equal(required.status, 409);
      assert.deepEqual(required.error.filters, ['Missing value']);
      const unknown = await editor('datastore_records_delete', { resource_id: resourceId, filters: { колір: 'x' } });
      assert.equal(unknown.status, 409);
      assert.match(said(unknown, 'filters'), /"колір" is not in the table/);
      const badValue = await editor('datastore_records_delete', { resource_id: resourceId, filters: { id: 'два' } });
      assert.equal(badValue.status, 409);
      const byText = await editor('datastore_records_delete', {
        resource_id: resourceId,
        filters: { вулиця: 'Стрийська, "нова"' },
      });
      assert.equal(byText.status, 200, byText.body);
      assert.equal((await info()).meta.count, 4);
      const dump = await app.inject({ url: `/datastore/dump/${resourceId}` });
      assert.equal(dump.body.trim().split(/\r?\n/).length, 5);
      assert.doesNotMatch(dump.body, /Стрийська/);
    });

    test('hostile values in every parameter are answered in CKAN’s envelope, never with a server error', async () => {
      // On a table of its own: some values are legitimate writes ({} filters delete every row, [] drops the key).
      const scratch = await editor('datastore_create', {
        resource: { package_id: DATASET, name: 'Проби' },
        fields: [{ id: 'id', type: 'int' }],
        primary_key: 'id',
        records: [{ id: 1 }],
      });
      assert.equal(scratch.status, 200);
      const target = scratch.result.resource_id;
      const before = await search();
      const hostile: unknown[] = [
        null,
        '',
        'x\u0000y',
        '\ud800',
        'x'.repeat(100_000),
        -1,
        1e308,
        Number.MAX_SAFE_INTEGER,
        true,
        [],
        [null],
        [[1]],
        {},
        { __proto__: { id: 1 } },
        JSON.parse('{"__proto__": {"id": 1}, "constructor": 1}'),
        [{ id: '_id' }],
        [{ id: 'a"b', type: 'text' }],
        [{ id: 'ok', type: 'text; DROP TABLE resources' }],
        [{ id: 'ok', type: 'int', info: 'label' }],
        [{ 'x\u0000': 1 }],
        [{ id: 'x'.repeat(70) }],
        '"; DROP TABLE resources; --',
        '[1,',
      ];
      const read: Record<string, string[]> = {
        datastore_create: [
          'resource_id',
          'resource',
          'fields',
          'records',
          'primary_key',
          'indexes',
          'aliases',
          'triggers',
          'force',
          'delete_fields',
        ],
        datastore_upsert: ['resource_id', 'records', 'method', 'force', 'dry_run'],
        datastore_delete: ['resource_id', 'filters', 'force'],
        datastore_records_delete: ['resource_id', 'filters', 'force'],
      };
      for (const [action, params] of Object.entries(read)) {
        for (const param of params) {
          for (const value of hostile) {
            // No filters at all is datastore_delete's drop of the whole table, as in CKAN: not a probe.
            if (action === 'datastore_delete' && param === 'filters' && value === null) continue;
            const base: Record<string, unknown> =
              param === 'resource_id' || param === 'resource' ? {} : { resource_id: target };
            // Deletes get a filter that matches nothing, so that the probes keep the rows.
            if (action.endsWith('delete') && param !== 'filters') base.filters = { id: -1 };
            const answer = await editor(action, { ...base, [param]: value });
            const label = `${action} ${param}=${JSON.stringify(value)?.slice(0, 60)}`;
            assert.ok(answer.status < 500, `${label}: ${answer.status} ${answer.body}`);
            if (answer.status !== 200) assert.equal(answer.success, false, label);
          }
        }
      }
      assert.deepEqual(await search(), before, 'the probes wrote to their own table only');
    });

    test('a write by GET, by nobody, by a citizen or by another city’s editor is refused and changes nothing', async () => {
      const get = await app.inject({ url: `/api/action/datastore_upsert?resource_id=${resourceId}` });
      assert.equal(get.statusCode, 400);
      const attempts: [CkanCall, string][] = [
        [anonymous, 'anonymous'],
        [citizen, 'citizen'],
        [otherEditor, 'Zhytomyr’s editor'],
      ];
      for (const [call, who] of attempts) {
        for (const [action, params] of [
          ['datastore_upsert', { resource_id: resourceId, records: [{ id: 1, сума: 0 }] }],
          ['datastore_create', { resource_id: resourceId, records: [{ id: 50 }] }],
          ['datastore_create', { resource: { package_id: DATASET }, records: [{ a: 1 }] }],
          ['datastore_delete', { resource_id: resourceId, filters: {} }],
          ['datastore_records_delete', { resource_id: resourceId, filters: {} }],
          ['datastore_delete', { resource_id: resourceId }],
        ] as const) {
          const answer = await call(action, params);
          assert.equal(answer.status, 403, `${who} ${action}`);
          assert.equal(answer.error.__type, 'Authorization Error');
        }
      }
      assert.equal((await info()).meta.count, 4);
      assert.equal((await search({ filters: { id: 1 } })).records[0].сума, 1250000.5);
    });

    test('a resource loaded from a link or file is read-only unless forced', async () => {
      const link = await editor('resource_create', {
        package_id: DATASET,
        name: 'Посилання',
        url: 'https://example.org/roads.csv',
      });
      assert.equal(link.status, 200);
      const refused = await editor('datastore_upsert', { resource_id: link.result.id, records: [] });
      assert.equal(refused.status, 409);
      assert.ok(refused.error['read-only']);
      const forced = await editor('datastore_create', {
        resource_id: link.result.id,
        force: true,
        records: [{ рік: 2024, назва: 'Дорога' }],
      });
      assert.equal(forced.status, 200, forced.body);
      const fields = (await anonymous('datastore_info', { id: link.result.id })).result.fields;
      assert.deepEqual(typesOf(fields), [
        ['рік', 'int8'],
        ['назва', 'text'],
      ]);
    });

    test('two writers at once: each upsert waits for the other, every row and the count are right', async () => {
      const batch = (from: number) =>
        Array.from({ length: 200 }, (_, i) => ({ id: 1000 + ((from + i) % 300), вулиця: `Вулиця ${from + i}` }));
      const answers = await Promise.all([
        editor('datastore_upsert', { resource_id: resourceId, records: batch(0) }),
        editor('datastore_upsert', { resource_id: resourceId, records: batch(100) }),
        editor('datastore_upsert', { resource_id: resourceId, records: batch(200) }),
      ]);
      for (const answer of answers) assert.equal(answer.status, 200, answer.body);
      const count = (await info()).meta.count;
      assert.equal(count, 4 + 300);
      const counted = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM datastore.${(await app.db.one<{ t: string }>('SELECT datastore_table AS t FROM resources WHERE id = $1', [resourceId]))!.t}`,
      );
      assert.equal(counted!.n, count);
    });

    test('datastore_search_sql reads the written table, with the fields added later', {
      skip: engine !== 'postgres',
    }, async () => {
      const sql = await anonymous('datastore_search_sql', {
        sql: `SELECT count(*)::int AS n FROM "${resourceId}" WHERE "готово"`,
      });
      assert.equal(sql.status, 200, sql.body);
      const trueRows = (await search({ filters: { готово: true } })).total;
      assert.equal(sql.result.records[0].n, trueRows);
      const added = await editor('datastore_create', {
        resource_id: resourceId,
        fields: [{ id: 'район', type: 'text' }],
        records: [{ id: 2000, район: 'Франківський' }],
      });
      assert.equal(added.status, 200, added.body);
      const again = await anonymous('datastore_search_sql', {
        sql: `SELECT "район" FROM "${resourceId}" WHERE "район" IS NOT NULL`,
      });
      assert.equal(again.status, 200, again.body);
      assert.deepEqual(again.result.records, [{ район: 'Франківський' }]);
    });

    test('datastore_delete without filters drops the table; the resource stays', async () => {
      const dropped = await editor('datastore_delete', { resource_id: resourceId });
      assert.equal(dropped.status, 200, dropped.body);
      const gone = await anonymous('datastore_search', { resource_id: resourceId });
      assert.equal(gone.status, 404);
      const shown = (await anonymous('resource_show', { id: resourceId })).result;
      assert.equal(shown.datastore_active, false);
      assert.equal((await app.inject({ url: `/datasets/${DATASET}/resources/${resourceId}` })).statusCode, 200);
      const again = await editor('datastore_delete', { resource_id: resourceId });
      assert.equal(again.status, 404);
      // The same resource can take a new table.
      const remade = await editor('datastore_create', {
        resource_id: resourceId,
        fields: [{ id: 'x', type: 'int4' }],
        records: [{ x: 1 }, { x: '2' }],
      });
      assert.equal(remade.status, 200, remade.body);
      assert.deepEqual(
        (await search()).records.map((r: { x: number }) => r.x),
        [1, 2],
      );
    });
  });
}
