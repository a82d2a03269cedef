// CKAN's DataStore read API as its clients use it: ckanapi's datastore_search (a JSON POST to
// /api/action/, pages followed by `_links.next`), every search parameter CKAN 2.10/2.11 takes,
// and the dump URL's parameters (ckanext/datastore/blueprint.py and writer.py) on both engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { runQueuedJobs } from '../../platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from './service.ts';

const DISTRICTS = ['Галицький', 'Сихівський', 'Франківський', 'Личаківський'];
const COLUMNS = ['Розпорядник', 'Район', 'Сума', 'Кількість', 'Дата рішення', 'Оновлено', 'Виконано', 'Примітка'];

/** 37 rows with every type and some empty cells: the row number i (1-based) decides each value. */
function fixture(): string {
  const lines = [COLUMNS.join(',')];
  for (let i = 1; i <= 37; i++) {
    lines.push(
      [
        i % 3 === 0 ? 'Управління освіти' : 'Департамент ЖКГ',
        DISTRICTS[i % 4],
        i % 5 === 0 ? '' : `${(i * 37) % 100}.${i % 10}5`,
        String(i % 7),
        `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        `2024-03-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`,
        i % 2 ? 'так' : 'ні',
        i % 4 === 0 ? '' : `ремонт школи №${i} та дороги`,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field
type Json = Record<string, any>;

for (const engine of ENGINES) {
  describe(`CKAN DataStore read API on ${engine}`, () => {
    let app: FastifyInstance;
    let dataDir: string;
    let id: string;
    let big: string;
    let longId: string;

    async function upload(client: Client, name: string, content: string) {
      await client.get('/datasets/lviv-budget-2024/resources/upload');
      const body = multipartBody({ _csrf: client.csrfToken(), name, description: '' }, { name, content });
      const response = await app.inject({
        method: 'POST',
        url: '/datasets/lviv-budget-2024/resources/upload',
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: client.cookieHeader },
      });
      return /\/resources\/([0-9a-f-]{36})$/.exec(String(response.headers.location ?? ''))![1]!;
    }

    /** ckanapi's RemoteCKAN.call_action: a JSON POST to /api/action/<name>. */
    async function call(action: string, body: Json): Promise<{ status: number; json: Json }> {
      const response = await app.inject({
        method: 'POST',
        url: `/api/action/${action}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: response.statusCode, json: response.json() };
    }
    const search = async (body: Json) => {
      const { status, json } = await call('datastore_search', { resource_id: id, ...body });
      assert.equal(status, 200, JSON.stringify(json));
      return json.result;
    };
    const get = async (url: string) => {
      const response = await app.inject(url);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().result;
    };

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-ckan-ds-'));
      app = await createTestApp(engine, { config: { dataDir } });
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      id = await upload(editor, 'types.csv', fixture());
      const rows = ['n,Район,Сума'];
      for (let i = 1; i <= 12_345; i++) rows.push(`${i},${DISTRICTS[i % 4]},${i % 100}`);
      big = await upload(editor, 'big.csv', `${rows.join('\n')}\n`);
      longId = await upload(editor, 'long.csv', 'Загальний обсяг фінансування з міського бюджету,x\n2,a\n1,b\n');
      await runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, dataDir) });
    });
    after(async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('fields carry PostgreSQL type names as CKAN gives them, _id first as int', async () => {
      const result = await search({ limit: 0 });
      assert.deepEqual(
        result.fields.map((f: Json) => `${f.id}:${f.type}`),
        [
          '_id:int',
          'Розпорядник:text',
          'Район:text',
          'Сума:numeric',
          'Кількість:int8',
          'Дата рішення:date',
          'Оновлено:timestamp',
          'Виконано:bool',
          'Примітка:text',
        ],
      );
      const info = (await call('datastore_info', { id })).json.result;
      assert.deepEqual(
        info.fields.map((f: Json) => f.type),
        ['text', 'text', 'numeric', 'int8', 'date', 'timestamp', 'bool', 'text'],
      );
      const [first] = (await search({ limit: 1 })).records;
      assert.deepEqual(first, {
        _id: 1,
        Розпорядник: 'Департамент ЖКГ',
        Район: 'Сихівський',
        Сума: 37.15,
        Кількість: 1,
        'Дата рішення': '2024-02-02',
        Оновлено: '2024-03-02T10:01:00',
        Виконано: true,
        Примітка: 'ремонт школи №1 та дороги',
      });
    });

    test('ckanapi pages by _links.next from a filtered, sorted page to the end: the same rows as one query', async () => {
      const params = {
        filters: { Розпорядник: 'Департамент ЖКГ' },
        q: 'школи',
        sort: 'Кількість desc, "Дата рішення" asc nulls first',
        fields: ['Кількість', 'Дата рішення', 'Примітка'],
        limit: 4,
        include_total: 'False',
        plain: true,
        language: 'simple',
      };
      const first = await search(params);
      assert.equal(first.total, undefined, 'include_total False (any case) is honoured');
      assert.equal(first.records.length, 4);
      const all = [...first.records];
      let links = first._links;
      assert.match(links.start, /^\/api\/action\/datastore_search\?/);
      assert.doesNotMatch(links.start, /offset=/);
      for (let page = 0; page < 20; page++) {
        const next = await get(links.next);
        if (next.records.length === 0) break;
        assert.equal(next.limit, 4);
        assert.equal(next.total, undefined, 'include_total is kept in next');
        assert.deepEqual(Object.keys(next.records[0]), ['Кількість', 'Дата рішення', 'Примітка'], 'fields kept');
        all.push(...next.records);
        assert.ok(next._links.prev, 'a later page links back');
        links = next._links;
      }
      const direct = await search({ ...params, limit: 1000, include_total: true });
      assert.ok(direct.records.length > 8, 'several pages were followed');
      assert.deepEqual(all, direct.records);
      assert.equal(direct.total, direct.records.length);
      // The start link is the first page again.
      assert.deepEqual((await get(links.start)).records, first.records);
      // distinct and records_format are kept too.
      const lists = await search({ fields: 'Район', distinct: true, sort: 'Район', limit: 2, records_format: 'lists' });
      const rest = await get(lists._links.next);
      assert.deepEqual(
        [...lists.records, ...rest.records],
        [['Галицький'], ['Личаківський'], ['Сихівський'], ['Франківський']],
      );
    });

    test('q as text and as a field dictionary, full_text, plain=false tsquery, language', async () => {
      const count = async (body: Json) => (await search({ ...body, limit: 0 })).total;
      assert.equal(await count({ q: 'школи №1' }), 9, 'words as typed, anywhere: №1, №10…№19 (not 12, 16: no note)');
      assert.equal(await count({ q: { Примітка: 'школи №3' } }), 7, '№3, №30…№37 but 32 and 36');
      assert.equal(await count({ q: JSON.stringify({ Район: 'галицький' }) }), 9, 'a dictionary sent as JSON text');
      assert.equal(await count({ q: { Район: 'галицький', Розпорядник: 'освіти' } }), 3, 'every field must match');
      assert.equal(await count({ full_text: 'освіти' }), 12);
      assert.equal(await count({ full_text: 'освіти', q: { Район: 'Сихівський' } }), 3);
      // plain=false: the text is a tsquery over the values' words.
      assert.equal(await count({ q: 'школи & !дороги', plain: false }), 0);
      assert.equal(await count({ q: 'освіти | Сихівський', plain: 'false' }), 12 + 10 - 3);
      assert.equal(await count({ q: { Примітка: 'ремонт & школи' }, plain: false }), 28);
      assert.equal(await count({ q: 'departments:*', plain: false, language: 'english' }), 0);
      assert.equal(await count({ q: 'Галицьк:*', plain: false, language: 'simple' }), 9, 'prefix');
      for (const [body, field] of [
        [{ q: 'школи &', plain: false }, 'q'],
        [{ q: 'x', language: 'klingon' }, 'language'],
        [{ q: { nope: 'x' } }, 'q'],
        [{ q: { Район: ['a'] } }, 'q'],
        [{ plain: 'maybe' }, 'plain'],
      ] as const) {
        const { status, json } = await call('datastore_search', { resource_id: id, ...body });
        assert.equal(status, 409, JSON.stringify(body));
        assert.equal(json.error.__type, 'Validation Error');
        assert.ok(json.error[field], `${JSON.stringify(body)} names ${field}: ${JSON.stringify(json.error)}`);
      }
    });

    test('sort by several keys with nulls first or last; a limit above the maximum is clamped', async () => {
      const sums = async (sort: string) =>
        (await search({ sort, fields: 'Сума', limit: 40 })).records.map((r: Json) => r.Сума);
      const last = await sums('Сума desc nulls last');
      assert.equal(last.length, 37);
      assert.deepEqual(last.slice(-7), Array(7).fill(null));
      const first = await sums('Сума asc nulls first');
      assert.deepEqual(first.slice(0, 7), Array(7).fill(null));
      assert.ok(first.slice(7).every((v: number, i: number, a: number[]) => i === 0 || a[i - 1]! <= v));
      const two = (await search({ sort: ['Виконано desc', 'Кількість asc', '_id desc'], limit: 40 })).records;
      const key = (r: Json) => [r.Виконано ? 0 : 1, r.Кількість, -r._id];
      for (let i = 1; i < two.length; i++) {
        const [a, b] = [key(two[i - 1]), key(two[i])];
        assert.ok(a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!))), `row ${i}`);
      }
      const clamped = await call('datastore_search', { resource_id: big, limit: 50_000, fields: 'n' });
      assert.equal(clamped.status, 200);
      assert.equal(clamped.json.result.limit, 32_000);
      assert.equal(clamped.json.result.records.length, 12_345);
      const clampedGet = await get(`/api/3/action/datastore_search?resource_id=${big}&limit=99999&offset=12000`);
      assert.deepEqual([clampedGet.limit, clampedGet.records.length], [32_000, 345]);
      for (const flag of [false, 'false', 'False']) {
        assert.equal((await search({ include_total: flag, limit: 1 })).total, undefined, String(flag));
      }
      assert.equal((await search({ include_total: 'True', limit: 1 })).total, 37);
      assert.equal((await call('datastore_search', { resource_id: id, limit: -1 })).status, 409);
    });

    test('datastore_search_sql: field ids quoted as datastore_info gives them, typed values, fields with types', async () => {
      const sql = (query: string) => call('datastore_search_sql', { sql: query });
      if (engine === 'pglite') {
        const refused = await sql(`SELECT count(*) FROM "${id}"`);
        assert.equal(refused.status, 503);
        assert.match(refused.json.error.message, /cannot stop a slow query/);
        return;
      }
      const { status, json } = await sql(
        `SELECT "Район", sum("Сума") AS "Разом", count(*) AS n, min("Дата рішення") AS "Перша дата",
           max("Оновлено") AS "Оновлено", bool_and("Виконано") AS "Усі виконано", avg("Кількість") AS "Середня"
         FROM "${id}" WHERE "Розпорядник" = 'Управління освіти' GROUP BY 1 ORDER BY 1`,
      );
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(
        json.result.fields.map((f: Json) => `${f.id}:${f.type}`),
        [
          'Район:text',
          'Разом:numeric',
          'n:int8',
          'Перша дата:date',
          'Оновлено:timestamp',
          'Усі виконано:bool',
          'Середня:numeric',
        ],
      );
      const [galytskyi] = json.result.records;
      assert.equal(galytskyi.Район, 'Галицький');
      assert.equal(typeof galytskyi.Разом, 'number');
      assert.equal(galytskyi.n, 3);
      assert.match(galytskyi['Перша дата'], /^\d{4}-\d{2}-\d{2}$/, 'a date is a date, not a shifted timestamp');
      assert.match(galytskyi.Оновлено, /^2024-03-\d\dT10:\d\d:00$/);
      assert.equal(galytskyi['Усі виконано'], false);
      const exact = await sql(`SELECT "Дата рішення", "Оновлено", "Сума" FROM "${id}" WHERE _id = 1`);
      assert.deepEqual(exact.json.result.records, [
        { 'Дата рішення': '2024-02-02', Оновлено: '2024-03-02T10:01:00', Сума: 37.15 },
      ]);
      // An id longer than PostgreSQL's 63-byte names works quoted whole, and comes back whole.
      const long = 'Загальний обсяг фінансування з міського бюджету';
      const { status: s2, json: j2 } = await sql(`SELECT "${long}" FROM "${longId}" ORDER BY 1`);
      assert.equal(s2, 200, JSON.stringify(j2));
      assert.deepEqual(j2.result.records, [{ [long]: 1 }, { [long]: 2 }]);
      assert.equal(j2.result.fields[0].id, long);
    });

    test('dump: CSV without BOM unless bom=true, _id first; TSV; limit, offset, fields, sort, q, filters', async () => {
      const dump = (query = '', resource = id) => app.inject(`/datastore/dump/${resource}${query}`);
      const csv = await dump();
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.equal(csv.headers['content-disposition'], `attachment; filename="${id}.csv"`);
      assert.ok(csv.body.startsWith(`_id,${COLUMNS.join(',')}\r\n`), csv.body.slice(0, 100));
      assert.equal(csv.body.trim().split('\r\n').length, 38);
      assert.ok((await dump('?bom=true')).body.startsWith('\ufeff_id,'), 'bom=true');
      assert.ok((await dump('?bom=True')).body.startsWith('\ufeff_id,'), 'bom=True');
      const paged = await dump('?limit=3&offset=5&fields=_id,Сума&format=tsv');
      assert.equal(paged.body, '_id\tСума\r\n6\t22.65\r\n7\t59.75\r\n8\t96.85\r\n');
      const sorted = await dump(`?fields=Сума&sort=${encodeURIComponent('Сума desc nulls first')}&limit=9`);
      assert.deepEqual(sorted.body.trim().split('\r\n'), ['Сума', ...Array(7).fill(''), '99.75', '96.85']);
      const filtered = await dump(
        `?filters=${encodeURIComponent('{"Район":"Галицький"}')}&q=${encodeURIComponent('освіти')}&fields=_id`,
      );
      assert.equal(filtered.body, '_id\r\n12\r\n24\r\n36\r\n');
      const distinct = await dump('?fields=Район&distinct=true&sort=Район');
      assert.equal(distinct.body, 'Район\r\nГалицький\r\nЛичаківський\r\nСихівський\r\nФранківський\r\n');
      const tsquery = await dump(`?q=${encodeURIComponent('освіти & Галицький')}&plain=false&fields=_id`);
      assert.equal(tsquery.body, '_id\r\n12\r\n24\r\n36\r\n');
    });

    test("dump: JSON and XML in CKAN's writers' shapes", async () => {
      const json = await app.inject(`/datastore/dump/${id}?format=json&limit=2&fields=_id,Сума,Виконано,Примітка`);
      assert.match(String(json.headers['content-type']), /^application\/json; charset=utf-8/);
      assert.equal(
        json.body,
        '{\n  "fields": [{"id":"_id","type":"int"},{"id":"Сума","type":"numeric"},{"id":"Виконано","type":"bool"},{"id":"Примітка","type":"text"}],\n  "records": [' +
          '\n    [1,37.15,true,"ремонт школи №1 та дороги"],\n    [2,74.25,false,"ремонт школи №2 та дороги"]\n]}\n',
      );
      const empty = (
        await app.inject(`/datastore/dump/${id}?format=json&filters=${encodeURIComponent('{"Район":"x"}')}`)
      ).json();
      assert.deepEqual(empty.records, []);
      assert.equal(empty.fields.length, 9);
      const xml = await app.inject(
        `/datastore/dump/${id}?format=xml&limit=5&offset=3&fields=_id,Сума,Дата рішення,Виконано`,
      );
      assert.match(String(xml.headers['content-type']), /^text\/xml; charset=utf-8/);
      assert.equal(
        xml.body,
        '<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
          '<row _id="4"><Сума>48.45</Сума><Дата_рішення>2024-05-05</Дата_рішення><Виконано>False</Виконано></row>\n' +
          '<row _id="5"><Сума xsi:nil="true" /><Дата_рішення>2024-06-06</Дата_рішення><Виконано>True</Виконано></row>\n' +
          '<row _id="6"><Сума>22.65</Сума><Дата_рішення>2024-07-07</Дата_рішення><Виконано>False</Виконано></row>\n' +
          '<row _id="7"><Сума>59.75</Сума><Дата_рішення>2024-08-08</Дата_рішення><Виконано>True</Виконано></row>\n' +
          '<row _id="8"><Сума>96.85</Сума><Дата_рішення>2024-09-09</Дата_рішення><Виконано>False</Виконано></row>\n' +
          '</data>\n',
      );
    });

    test('dump: a large table streams across pages, in _id order and sorted, with offset and limit', async () => {
      const ids = (body: string) => body.trim().split('\r\n').slice(1).map(Number);
      const whole = ids((await app.inject(`/datastore/dump/${big}?fields=n`)).body);
      assert.equal(whole.length, 12_345);
      assert.ok(whole.every((n, i) => n === i + 1));
      const window = ids((await app.inject(`/datastore/dump/${big}?fields=n&offset=4990&limit=5020`)).body);
      assert.deepEqual([window.length, window[0], window.at(-1)], [5020, 4991, 10_010]);
      const sorted = ids(
        (await app.inject(`/datastore/dump/${big}?fields=n&sort=${encodeURIComponent('n desc')}&offset=10`)).body,
      );
      assert.deepEqual([sorted.length, sorted[0], sorted.at(-1)], [12_335, 12_335, 1]);
    });

    test("dump errors in CKAN's envelope before any byte: bad format, limit, filters, fields, sort, unknown resource", async () => {
      for (const [query, status, field] of [
        ['?format=yaml', 400, 'format'],
        ['?limit=-1', 400, 'limit'],
        ['?limit=x', 400, 'limit'],
        ['?offset=-5', 400, 'offset'],
        ['?bom=perhaps', 400, 'bom'],
        [`?filters=${encodeURIComponent('[1]')}`, 400, 'filters'],
        ['?filters=not-json', 400, 'filters'],
        [`?filters=${encodeURIComponent('{"no such column":1}')}`, 400, 'filters'],
        ['?fields=nope', 400, 'fields'],
        [`?sort=${encodeURIComponent('nope desc')}`, 400, 'sort'],
        [`?q=${encodeURIComponent('a &')}&plain=false`, 400, 'q'],
        ['?q=%00', 400, 'q'],
      ] as const) {
        const response = await app.inject(`/datastore/dump/${id}${query}`);
        assert.equal(response.statusCode, status, query);
        assert.match(String(response.headers['content-type']), /^application\/json/, query);
        assert.equal(response.headers['content-disposition'], undefined, `${query}: no download began`);
        const body = response.json();
        assert.equal(body.success, false);
        assert.ok(body.error[field], `${query} names ${field}: ${JSON.stringify(body.error)}`);
      }
      const missing = await app.inject('/datastore/dump/00000000-0000-4000-8000-000000000000');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.message, 'DataStore resource not found');
    });
  });
}
