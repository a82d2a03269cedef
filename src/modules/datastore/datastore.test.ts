import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { recoverStaleJobs, runQueuedJobs } from '../../platform/jobs.ts';
import { dropOrphanTables, ingestHandler, INGEST_JOB } from './service.ts';
import { strFromU8, unzipSync } from 'fflate';
import { budgetWorkbook, zipBombWorkbook } from '../../../test/spreadsheets.ts';

const BUDGET_CSV =
  [
    'Код;Назва програми;Сума, грн;Дата рішення;Виконано',
    '0110;Керівництво і управління;4 450,90;03.12.2018;так',
    '1010;Дошкільна освіта;1 234 567;04.12.2018;ні',
    '',
    '2010;=HYPERLINK("http://evil.example");-12,5;05.12.2018;так',
    '3030;Рядок без останньої комірки;100;06.12.2018',
    '4040;Зайва комірка;200;07.12.2018;так;зайве',
  ].join('\r\n') + '\r\n';

function cp1251(text: string): Uint8Array {
  const decoder = new TextDecoder('windows-1251');
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decoder.decode(new Uint8Array([b])), b);
  return new Uint8Array([...text].map((c) => table.get(c) ?? 0x3f));
}

for (const engine of ENGINES) {
  describe(`DataStore on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: Client;
    let dataDir: string;
    const runJobs = () => runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, dataDir) });

    async function upload(client: Client, name: string, content: Uint8Array | string, dataset = 'lviv-budget-2024') {
      await client.get(`/datasets/${dataset}/resources/upload`);
      const body = multipartBody(
        { _csrf: client.csrfToken(), name: `Файл ${name}`, description: '' },
        { name, content },
      );
      const response = await app.inject({
        method: 'POST',
        url: `/datasets/${dataset}/resources/upload`,
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: client.cookieHeader },
      });
      const id = /\/resources\/([0-9a-f-]{36})$/.exec(String(response.headers.location ?? ''))?.[1];
      return { response, id };
    }

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-ds-'));
      app = await createTestApp(engine, { config: { dataDir, uploadLimitBytes: 12 * 1024 * 1024 } });
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    });
    after(async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('a messy windows-1251 semicolon file loads with inferred types and a precise report', async () => {
      const { response, id } = await upload(editor, 'budget.csv', cp1251(BUDGET_CSV));
      assert.equal(response.statusCode, 303, response.body);
      assert.ok(id);
      const stored = await app.db.one<{ sha256: string; size_bytes: number }>(
        'SELECT sha256, size_bytes FROM resources WHERE id = $1',
        [id],
      );
      assert.equal(stored!.size_bytes, cp1251(BUDGET_CSV).length);
      assert.match(stored!.sha256, /^[0-9a-f]{64}$/);
      assert.match((await editor.get(`/datasets/lviv-budget-2024/resources/${id}`)).body, /data-state="queued"/);
      assert.equal(await runJobs(), 1);

      const infoResponse = await app.inject(`/api/3/action/datastore_info?id=${id}`);
      assert.equal(infoResponse.statusCode, 200, infoResponse.body);
      const info = infoResponse.json().result;
      assert.deepEqual(
        info.fields.map((f: { id: string; type: string }) => `${f.id}:${f.type}`),
        ['Код:text', 'Назва програми:text', 'Сума, грн:numeric', 'Дата рішення:date', 'Виконано:bool'],
        "PostgreSQL's type names, as CKAN gives them",
      );
      assert.equal(info.meta.count, 5);

      const search = (
        await app.inject(
          `/api/3/action/datastore_search?resource_id=${id}&sort=${encodeURIComponent('"Сума, грн" desc')}`,
        )
      ).json().result;
      assert.equal(search.total, 5);
      assert.deepEqual(search.records[0], {
        _id: 2,
        Код: '1010',
        'Назва програми': 'Дошкільна освіта',
        'Сума, грн': 1234567,
        'Дата рішення': '2018-12-04',
        Виконано: false,
      });
      assert.equal(search.records.find((r: { _id: number }) => r._id === 1)['Сума, грн'], 4450.9);
      assert.equal(
        search.records.find((r: { _id: number }) => r._id === 4)['Виконано'],
        null,
        'a missing cell is empty',
      );

      const resource = await app.db.one<{
        validation_report: { encoding: string; delimiter: string; errors: { type: string; rowNumber: number }[] };
      }>('SELECT validation_report FROM resources WHERE id = $1', [id]);
      const report = resource!.validation_report;
      assert.equal(report.encoding, 'windows-1251');
      assert.equal(report.delimiter, ';');
      assert.deepEqual(report.errors.map((e) => `${e.type}@${e.rowNumber}`).sort(), [
        'blank-row@4',
        'extra-cell@7',
        'missing-cell@6',
      ]);

      const distinct = (
        await app.inject(
          `/api/3/action/datastore_search?resource_id=${id}&distinct=true&fields=${encodeURIComponent('Виконано')}&sort=${encodeURIComponent('Виконано desc')}`,
        )
      ).json().result;
      assert.deepEqual(
        distinct.records,
        [{ Виконано: true }, { Виконано: false }, { Виконано: null }],
        'distinct values, sorted, empty last',
      );
      assert.equal(distinct.total, 3);
      assert.deepEqual(
        distinct.fields.map((f: { id: string }) => f.id),
        ['Виконано'],
      );
      const badDistinct = await app.inject(
        `/api/3/action/datastore_search?resource_id=${id}&distinct=true&fields=${encodeURIComponent('Виконано')}&sort=${encodeURIComponent('Код')}`,
      );
      assert.equal(badDistinct.statusCode, 409);
      const filtered = (
        await app.inject(
          `/api/3/action/datastore_search?resource_id=${id}&filters=${encodeURIComponent('{"Виконано":"так"}')}`,
        )
      ).json().result;
      assert.equal(filtered.total, 3);
      const q = (
        await app.inject(`/api/3/action/datastore_search?resource_id=${id}&q=${encodeURIComponent('освіта')}`)
      ).json().result;
      assert.equal(q.total, 1);

      const page = await app.inject(
        `/datasets/lviv-budget-2024/resources/${id}?sort=${encodeURIComponent('Сума, грн')}&desc=1`,
      );
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Дошкільна освіта/);
      assert.match(page.body, /missing-cell/);
      assert.match(
        page.body,
        /У рядку 6 немає комірки «Виконано»; її залишено порожньою\./,
        'problems described in the page language',
      );
      const english = await app.inject({
        url: `/datasets/lviv-budget-2024/resources/${id}`,
        headers: { cookie: 'hromada_lang=en' },
      });
      assert.match(english.body, /Row 7 has 6 cells, the header 5; the extra cells were left out\./);
      assert.match(page.body, /aria-sort="descending"/);

      const dump = await app.inject(`/datastore/dump/${id}`);
      assert.equal(dump.statusCode, 200);
      assert.match(dump.body, /'=HYPERLINK/, 'formulas are neutralised');
      assert.match(dump.body, /,-12\.5,/, 'a negative number stays a number: only text can be a formula');
      const chart = await app.inject(
        `/datasets/lviv-budget-2024/resources/${id}/chart.svg?type=bar&group=${encodeURIComponent('Виконано')}&op=sum&value=${encodeURIComponent('Сума, грн')}`,
      );
      assert.equal(chart.statusCode, 200);
      assert.match(chart.headers['content-type'] as string, /image\/svg\+xml/);
      assert.match(chart.body, /^<svg/);
      const chartPage = await app.inject(
        `/datasets/lviv-budget-2024/resources/${id}?chart.type=pie&chart.group=${encodeURIComponent('Виконано')}&chart.op=count`,
      );
      assert.match(chartPage.body, /<img src="[^"]+chart\.svg\?type=pie/);
      assert.match(chartPage.body, /<td>true<\/td><td class="number">3<\/td>/);
      const badChart = await app.inject(
        `/datasets/lviv-budget-2024/resources/${id}?chart.group=${encodeURIComponent('Виконано')}&chart.op=sum&chart.value=${encodeURIComponent('Назва програми')}`,
      );
      assert.match(badChart.body, /числовий стовпець/);
      assert.equal(
        (await app.inject(`/datasets/lviv-budget-2024/resources/${id}/chart.svg?group=nope`)).statusCode,
        422,
      );
      const json = (await app.inject(`/datastore/dump/${id}?format=json`)).json();
      assert.equal(json.records.length, 5);
      assert.deepEqual(json.records[1].slice(0, 3), [2, '1010', 'Дошкільна освіта']);
      const tsv = await app.inject(
        `/datastore/dump/${id}?format=tsv&filters=${encodeURIComponent('{"Виконано":"так"}')}`,
      );
      assert.equal(tsv.body.trim().split('\r\n').length, 4, 'header and three filtered rows');
      assert.ok(tsv.body.startsWith('_id\tКод\t'), 'the row number first, no BOM');
      assert.match(tsv.body, /\t-12\.5\t/, 'a negative number stays a number in TSV too');
      assert.match(tsv.body, /\t'=HYPERLINK/, 'formulas are neutralised in TSV');
      const formats = async (format: string) =>
        (
          await app.inject(
            `/api/3/action/datastore_search?resource_id=${id}&records_format=${format}&fields=${encodeURIComponent('Код,Виконано')}&limit=2`,
          )
        ).json().result;
      assert.deepEqual((await formats('lists')).records, [
        ['0110', true],
        ['1010', false],
      ]);
      assert.equal((await formats('csv')).records, '0110,true\r\n1010,false\r\n');
      assert.equal((await formats('tsv')).records, '0110\ttrue\r\n1010\tfalse\r\n');
      assert.equal(
        (await app.inject(`/api/3/action/datastore_search?resource_id=${id}&records_format=xml`)).statusCode,
        409,
      );

      // Totals: exact unless an estimate was asked for above a threshold (CKAN's total_estimation_threshold).
      const filteredUrl = `/api/3/action/datastore_search?resource_id=${id}&filters=${encodeURIComponent('{"Виконано":"так"}')}`;
      const exact = (await app.inject(filteredUrl)).json().result;
      assert.deepEqual([exact.total, exact.total_was_estimated], [3, false]);
      const cached = (await app.inject(`${filteredUrl}&total_estimation_threshold=0`)).json().result;
      assert.deepEqual(
        [cached.total, cached.total_was_estimated],
        [3, false],
        'a total already counted is given exactly',
      );
      const notCounted = `/api/3/action/datastore_search?resource_id=${id}&filters=${encodeURIComponent('{"Виконано":"ні"}')}`;
      const estimated = (await app.inject(`${notCounted}&total_estimation_threshold=0`)).json().result;
      assert.equal(
        estimated.total_was_estimated,
        true,
        'estimated when the planner expects more rows than the threshold',
      );
      assert.equal(typeof estimated.total, 'number');

      // The same through /api/v1, which is in the OpenAPI document.
      const v1 = (await app.inject(`/api/v1/resources/${id}`)).json();
      assert.equal(v1.dataset, 'lviv-budget-2024');
      assert.equal(v1.datastore.rows, 5);
      assert.deepEqual(
        v1.datastore.fields.map((f: { id: string }) => f.id),
        ['_id', 'Код', 'Назва програми', 'Сума, грн', 'Дата рішення', 'Виконано'],
      );
      assert.match(v1.url, /\/download$/);
      assert.equal(v1.validation_report.stats.errors, 3);
      const records = (
        await app.inject(
          `/api/v1/resources/${id}/records?filters=${encodeURIComponent('{"Виконано":"так"}')}&sort=${encodeURIComponent('"Сума, грн" desc')}&fields=${encodeURIComponent('Код,"Сума, грн"')}&limit=2`,
        )
      ).json();
      assert.deepEqual(records.records, [
        { Код: '0110', 'Сума, грн': 4450.9 },
        { Код: '4040', 'Сума, грн': 200 },
      ]);
      assert.deepEqual([records.total, records.total_was_estimated, records.limit, records.offset], [3, false, 2, 0]);
      assert.match(records.next, /offset=2/);
      const last = (await app.inject(records.next.replace(/^https?:\/\/[^/]+/, ''))).json();
      assert.deepEqual(last.records, [{ Код: '2010', 'Сума, грн': -12.5 }]);
      assert.equal(last.next, null);
      for (const bad of [
        `filters=${encodeURIComponent('[1]')}`,
        `filters=${encodeURIComponent('{"nope":"1"}')}`,
        `sort=${encodeURIComponent('nope desc')}`,
        'limit=-1',
        'extra=1',
      ]) {
        const response = await app.inject(`/api/v1/resources/${id}/records?${bad}`);
        assert.ok([400, 422].includes(response.statusCode), bad);
        assert.match(response.headers['content-type'] as string, /problem\+json/, bad);
      }
      assert.equal(
        (await app.inject('/api/v1/resources/00000000-0000-0000-0000-000000000000/records')).statusCode,
        404,
      );
      const openapi = (await app.inject('/api/v1/openapi.json')).json();
      assert.ok(openapi.paths['/api/v1/resources/{id}/records'], 'the DataStore query is in the OpenAPI document');
      assert.ok(openapi.paths['/api/v1/resources/{id}']);
      const badFormat = await app.inject(`/datastore/dump/${id}?format=yaml`);
      assert.equal(badFormat.statusCode, 400);
      assert.equal(badFormat.json().error.__type, 'Validation Error');
      const original = await app.inject(`/datasets/lviv-budget-2024/resources/${id}/download`);
      assert.deepEqual(new Uint8Array(original.rawPayload), cp1251(BUDGET_CSV));
    });

    test('mixed line endings, invalid UTF-8 and a 10 MB cell load, each named in the report', async () => {
      const mixed = await upload(editor, 'mixed.csv', 'name,value\r\nx,1\ny,2\rz,3\r\n"two\nlines",4\n');
      await runJobs();
      const rows = (await app.inject(`/api/3/action/datastore_search?resource_id=${mixed.id}`)).json().result;
      assert.deepEqual(
        rows.records.map((r: { name: string; value: number }) => `${r.name}=${r.value}`),
        ['x=1', 'y=2', 'z=3', 'two\nlines=4'],
      );

      const invalid = new Uint8Array([
        ...new TextEncoder().encode('назва,значення\nok,1\nbad'),
        0xff,
        0xfe,
        ...new TextEncoder().encode(',2\nлисток,3\n'),
      ]);
      const broken = await upload(editor, 'invalid-utf8.csv', invalid);
      await runJobs();
      const brokenRows = (await app.inject(`/api/3/action/datastore_search?resource_id=${broken.id}`)).json().result;
      assert.equal(brokenRows.total, 3, 'the rows load');
      assert.equal(brokenRows.records[2]['назва'], 'листок', 'UTF-8 after the bad bytes reads as it should');
      const brokenReport = (await app.db.one<{
        validation_report: { encoding: string; errors: { type: string; rowNumber: number; fieldNumber: number }[] };
      }>('SELECT validation_report FROM resources WHERE id = $1', [broken.id]))!.validation_report;
      assert.equal(brokenReport.encoding, 'utf-8');
      assert.deepEqual(
        brokenReport.errors.map((e) => `${e.type}@${e.rowNumber}:${e.fieldNumber}`),
        ['encoding-error@3:1'],
      );

      const utf16 = await upload(
        editor,
        'utf16.csv',
        new Uint8Array(Buffer.from('\ufeffрайон\tсума\r\nСихів\t4 450,90\r\n', 'utf16le')),
      );
      await runJobs();
      const utf16Rows = (await app.inject(`/api/3/action/datastore_search?resource_id=${utf16.id}`)).json().result;
      assert.deepEqual(
        utf16Rows.records.map((r: Record<string, unknown>) => [r['район'], r['сума']]),
        [['Сихів', 4450.9]],
        'UTF-16 with a BOM, tab-separated',
      );

      const apostrophes = await upload(
        editor,
        'apostrophes.csv',
        "назва\nПам’ятка архітектури\nпам'ятник Шевченку\nпарк\n",
      );
      await runJobs();
      for (const word of ["пам'ят", 'ПАМ’ЯТ', 'памʼят']) {
        const found = (
          await app.inject(`/api/3/action/datastore_search?resource_id=${apostrophes.id}&q=${encodeURIComponent(word)}`)
        ).json().result;
        assert.equal(found.total, 2, `q=${word}: an apostrophe of any kind finds the rows with any kind`);
      }

      const cell = 'д'.repeat(5 * 1024 * 1024); // 10 MB in UTF-8
      const long = await upload(editor, 'long-cell.csv', `id,text\n1,"${cell}"\n2,short\n`);
      await runJobs();
      const job = await app.db.one<{ state: string }>('SELECT state FROM jobs WHERE resource_id = $1', [long.id]);
      assert.equal(job!.state, 'done');
      const longRows = (await app.inject(`/api/3/action/datastore_search?resource_id=${long.id}&fields=id`)).json()
        .result;
      assert.equal(longRows.total, 2);
      const stored = await app.db.one<{ n: number }>(
        `SELECT length(text)::int AS n FROM datastore.${(await app.db.one<{ t: string }>('SELECT datastore_table AS t FROM resources WHERE id = $1', [long.id]))!.t.replace(/^/, '"').replace(/$/, '"')} WHERE id = 1`,
      );
      assert.equal(stored!.n, cell.length, 'the whole cell is stored');
    });

    test('XLSX, JSON and GeoJSON load like CSV, and rows download as XLSX', async () => {
      const xlsx = await upload(editor, 'budget.xlsx', budgetWorkbook());
      const json = await upload(
        editor,
        'records.json',
        JSON.stringify({
          data: [
            { назва: 'Школа №1', учнів: 512, відкрита: true, адреса: { вулиця: 'Шевченка' } },
            { назва: 'Школа №2', учнів: null, директор: 'Іваненко' },
          ],
        }),
      );
      const geojson = await upload(
        editor,
        'stops.geojson',
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: { name: 'Ринок', routes: 3 },
              geometry: { type: 'Point', coordinates: [24.03, 49.84] },
            },
            {
              type: 'Feature',
              properties: { name: 'Вокзал' },
              geometry: { type: 'Point', coordinates: [23.99, 49.84] },
            },
          ],
        }),
      );
      assert.equal(await runJobs(), 3);
      const info = async (id: string | undefined) =>
        (await app.inject(`/api/3/action/datastore_info?id=${id}`)).json().result;
      const fieldsOf = async (id: string | undefined) =>
        (await info(id)).fields.map((f: { id: string; type: string }) => `${f.id}:${f.type}`);

      assert.deepEqual(await fieldsOf(xlsx.id), [
        'Код:int8',
        'Назва:text',
        'Сума:numeric',
        'Дата:date',
        'Виконано:bool',
        'Оновлено:text',
      ]);
      const rows = (await app.inject(`/api/3/action/datastore_search?resource_id=${xlsx.id}&sort=_id`)).json().result
        .records;
      assert.deepEqual(
        rows.map((r: Record<string, unknown>) => [r['Код'], r['Сума'], r['Дата']]),
        [
          [110, 4450.9, '2018-12-03'],
          [1010, 0.0012, '2018-12-04'],
          [2010, null, '1900-02-28'],
        ],
      );
      const xlsxReport = (await app.db.one<{
        validation_report: { errors: { type: string; rowNumber: number; message: string }[] };
      }>('SELECT validation_report FROM resources WHERE id = $1', [xlsx.id]))!.validation_report;
      assert.deepEqual(
        xlsxReport.errors.map((e) => `${e.type}@${e.rowNumber}`),
        ['blank-row@4'],
        'spreadsheet row numbers',
      );
      assert.match(xlsxReport.errors[0]!.message, /^Row 4 /);

      assert.deepEqual(await fieldsOf(json.id), [
        'назва:text',
        'учнів:int8',
        'відкрита:bool',
        'адреса:text',
        'директор:text',
      ]);
      const schools = (await app.inject(`/api/3/action/datastore_search?resource_id=${json.id}`)).json().result.records;
      assert.equal(schools[0]['адреса'], '{"вулиця":"Шевченка"}');
      assert.equal(schools[1]['директор'], 'Іваненко');

      assert.deepEqual(await fieldsOf(geojson.id), ['name:text', 'routes:int8', 'geometry_type:text', 'geometry:text']);
      const page = await app.inject(`/datasets/lviv-budget-2024/resources/${geojson.id}`);
      assert.match(
        page.body,
        /data-geojson="\/datasets\/lviv-budget-2024\/resources\/[0-9a-f-]+\/download"/,
        'GeoJSON is mapped',
      );

      const download = await app.inject(
        `/datastore/dump/${xlsx.id}?format=xlsx&filters=${encodeURIComponent('{"Виконано":"true"}')}`,
      );
      assert.equal(download.statusCode, 200);
      assert.match(String(download.headers['content-type']), /spreadsheetml/);
      const sheet = strFromU8(unzipSync(new Uint8Array(download.rawPayload))['xl/worksheets/sheet1.xml']!);
      assert.equal(sheet.match(/<row /g)!.length, 3, 'header and two filtered rows');
      assert.match(sheet, /'=1\+2/, 'formulas neutralised');
      assert.match(sheet, /&lt;script&gt;/);
      assert.match(sheet, /<c r="C2"><v>4450.9<\/v><\/c>/, 'numbers stay numbers');
    });

    test('rows sort by their typed values, also when a column is called like the row number', async () => {
      const { id } = await upload(
        editor,
        'ids.csv',
        'id,_id_label\n' + Array.from({ length: 12 }, (_, i) => `${12 - i},n${i}`).join('\n') + '\n',
      );
      await runJobs();
      const search = async (query: string) =>
        (await app.inject(`/api/3/action/datastore_search?resource_id=${id}${query}`)).json().result.records;
      assert.deepEqual(
        (await search('')).map((r: { _id: number }) => r._id),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.deepEqual(
        (await search('&sort=id')).map((r: { id: number }) => r.id),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.deepEqual(
        (await search('&sort=_id%20desc&limit=3')).map((r: { _id: number }) => r._id),
        [12, 11, 10],
      );
    });

    test('a workbook that is a zip bomb and a table of 10,000 columns are refused with a reason', async () => {
      const bomb = await upload(editor, 'bomb.xlsx', zipBombWorkbook());
      const wide = await upload(
        editor,
        'wide.csv',
        Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',') + '\n' + '1,'.repeat(9_999) + '1\n',
      );
      await runJobs();
      const jobOf = (id: string | undefined) =>
        app.db.one<{ state: string; error: string }>('SELECT state, error FROM jobs WHERE resource_id = $1', [id]);
      assert.deepEqual({ ...(await jobOf(bomb.id)) }.state, 'failed');
      assert.match((await jobOf(bomb.id))!.error, /zip bomb/);
      assert.match((await jobOf(wide.id))!.error, /10,000 columns; at most 1,600/);
      assert.match((await app.inject(`/datasets/lviv-budget-2024/resources/${wide.id}`)).body, /source-error/);
    });

    test('changing a column type reloads the data; the old version is served until the new one is ready', async () => {
      const { id } = await upload(editor, 'codes.csv', 'code,name\n001,a\n002,b\nX3,c\n');
      await runJobs();
      const before = (await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result;
      assert.equal(before.fields[1].type, 'text', 'one non-number makes the column text');
      const page = await editor.get(`/datasets/lviv-budget-2024/resources/${id}`);
      assert.match(page.body, /name="type_0"/);
      const saved = await editor.post(`/datasets/lviv-budget-2024/resources/${id}/dictionary`, {
        _csrf: editor.csrfToken(),
        encoding: '',
        delimiter: '',
        type_0: 'integer',
        label_0: 'Код',
        description_0: '',
        type_1: 'text',
        label_1: '',
        description_1: '',
      });
      assert.equal(saved.statusCode, 303);
      const stillServed = (await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result;
      assert.equal(stillServed.records[0].code, '001', 'the previous version is still served');
      await runJobs();
      const after = (await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result;
      assert.equal(after.fields[1].type, 'int8');
      assert.equal(after.fields[1].info.label, 'Код');
      assert.deepEqual(
        after.records.map((r: { code: number | null }) => r.code),
        [1, 2, null],
      );
      const report = (await app.db.one<{ validation_report: { errors: { type: string; cell: string }[] } }>(
        'SELECT validation_report FROM resources WHERE id = $1',
        [id],
      ))!.validation_report;
      assert.deepEqual(
        report.errors.map((e) => `${e.type}:${e.cell}`),
        ['type-error:X3'],
      );
      const tables = await app.db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'datastore' AND table_name LIKE $1`,
        [`r_${id!.replaceAll('-', '')}%`],
      );
      assert.equal(tables.length, 1, 'the old table is gone');
    });

    test('bad files get a clear report and change nothing', async () => {
      const cases: [string, Uint8Array | string, RegExp][] = [
        ['empty.csv', '', /empty/],
        ['binary.csv', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 1, 2, 3, 0, 0, 9]), /not a text file/],
        ['quote.csv', 'a,b\n1,"unterminated\n2,3\n', /never closed/],
        ['blank.csv', '\n\n\n', /no header/],
      ];
      for (const [name, content, message] of cases) {
        const { response, id } = await upload(editor, name, content);
        assert.equal(response.statusCode, 303, name);
        await runJobs();
        const job = await app.db.one<{ state: string; error: string }>(
          'SELECT state, error FROM jobs WHERE resource_id = $1',
          [id],
        );
        assert.equal(job!.state, 'failed', name);
        assert.match(job!.error, message, name);
        const report = (await app.db.one<{ validation_report: { errors: { type: string }[] } }>(
          'SELECT validation_report FROM resources WHERE id = $1',
          [id],
        ))!.validation_report;
        assert.equal(report.errors[0]!.type, 'source-error', name);
        const page = (await app.inject(`/datasets/lviv-budget-2024/resources/${id}`)).body;
        assert.match(page, /source-error/);
        if (name === 'quote.csv')
          assert.match(
            page,
            /Комірка в лапках ніде не закривається \(вона починається в рядку 2\)/,
            'the reason in the page language',
          );
      }
      const headerOnly = await upload(editor, 'header.csv', 'a;b;c\n');
      await runJobs();
      assert.equal(
        (await app.inject(`/api/3/action/datastore_search?resource_id=${headerOnly.id}`)).json().result.total,
        0,
      );
      assert.equal(
        (await app.db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'datastore'`)).length,
        (await app.db.query('SELECT 1 FROM resources WHERE datastore_table IS NOT NULL')).length,
        'no table left behind',
      );
    });

    test('uploads are checked: CSRF, size limit, path-traversal names, other cities', async () => {
      const body = multipartBody({ _csrf: 'forged', name: 'x' }, { name: 'x.csv', content: 'a\n1\n' });
      const forged = await app.inject({
        method: 'POST',
        url: '/datasets/lviv-budget-2024/resources/upload',
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: editor.cookieHeader },
      });
      assert.equal(forged.statusCode, 403);
      const noFile = multipartBody({ _csrf: 'forged', name: 'x' });
      assert.equal(
        (
          await app.inject({
            method: 'POST',
            url: '/datasets/lviv-budget-2024/resources/upload',
            payload: noFile.payload,
            headers: { 'content-type': noFile.contentType, cookie: editor.cookieHeader },
          })
        ).statusCode,
        403,
        'a forged form without a file too',
      );
      const big = await upload(editor, 'big.csv', 'a\n' + '1\n'.repeat(6_500_000));
      assert.equal(big.response.statusCode, 413);
      assert.match(big.response.body, /завеликий/);
      const traversal = await upload(editor, '../../../etc/passwd.csv', 'a\n1\n');
      assert.equal(traversal.response.statusCode, 303);
      const row = await app.db.one<{ file_name: string; file_key: string }>(
        'SELECT file_name, file_key FROM resources WHERE id = $1',
        [traversal.id],
      );
      assert.equal(row!.file_name, 'passwd.csv');
      assert.ok(fs.existsSync(path.join(dataDir, 'files', row!.file_key)));
      const foreign = await upload(editor, 'x.csv', 'a\n1\n', 'zhytomyr-procurement-2023');
      assert.equal(foreign.response.statusCode, 403);
      const files = fs
        .readdirSync(path.join(dataDir, 'files'), { recursive: true })
        .filter((f) => String(f).length > 3);
      assert.equal(
        files.length,
        (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM resources WHERE file_key IS NOT NULL'))!.n,
        'no stray files',
      );
    });

    test('datastore_search refuses unknown fields and SQL in every parameter', async () => {
      const { id } = await upload(editor, 'safe.csv', 'name,value\nx,1\ny,2\n');
      await runJobs();
      const bad = [
        `filters=${encodeURIComponent('{"name; DROP TABLE x":"1"}')}`,
        `sort=${encodeURIComponent('value; DROP TABLE resources')}`,
        `fields=${encodeURIComponent('name,(SELECT 1)')}`,
        `filters=${encodeURIComponent('{"value":"1 OR 1=1"}')}`,
        'filters=notjson',
        'limit=-1',
      ];
      for (const query of bad) {
        const response = await app.inject(`/api/3/action/datastore_search?resource_id=${id}&${query}`);
        assert.equal(response.statusCode, 409, query);
        assert.equal(response.json().success, false);
      }
      const ok = await app.inject(
        `/api/3/action/datastore_search?resource_id=${id}&filters=${encodeURIComponent(`{"name":"x' OR '1'='1"}`)}`,
      );
      assert.equal(ok.json().result.total, 0);
      assert.equal(
        (await app.inject('/api/3/action/datastore_search?resource_id=00000000-0000-0000-0000-000000000000'))
          .statusCode,
        404,
      );
    });

    test('datastore_search_sql: one read-only SELECT over readable DataStore tables only', async () => {
      const { id } = await upload(editor, 'sql.csv', 'district,amount\nГалицький,10\nСихів,5\nГалицький,7\n');
      await runJobs();
      const sql = (query: string) => app.inject(`/api/3/action/datastore_search_sql?sql=${encodeURIComponent(query)}`);
      if (engine === 'pglite') {
        // Embedded PGlite cannot enforce a statement timeout: SQL is refused with a clear reason.
        const refused = await sql(`SELECT * FROM "${id}"`);
        assert.equal(refused.statusCode, 503);
        assert.match(JSON.stringify(refused.json().error), /needs a PostgreSQL server/);
        return;
      }
      const ok = await sql(`SELECT district, sum(amount) AS total FROM "${id}" GROUP BY district ORDER BY total DESC`);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(
        ok.json().result.records.map((r: { district: string }) => r.district),
        ['Галицький', 'Сихів'],
      );
      const refused = [
        `DELETE FROM "${id}"`,
        `SELECT * FROM "${id}"; DELETE FROM "${id}"`,
        'SELECT email, password_hash FROM users',
        'SELECT * FROM sessions',
        `SELECT * FROM datastore."r_${id!.replaceAll('-', '')}_1"`,
        `SELECT * FROM "${id}" -- trailing comment`,
        'SELECT pg_sleep(10)',
        `WITH x AS (DELETE FROM "${id}" RETURNING *) SELECT * FROM x`,
      ];
      for (const query of refused) {
        const response = await sql(query);
        if (query.endsWith('comment')) {
          assert.equal(response.statusCode, 200, 'a comment cannot hide the wrapper');
          continue;
        }
        assert.equal(response.statusCode, 409, query);
        assert.equal(response.json().success, false);
      }
      assert.equal(
        (await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result.total,
        3,
        'nothing was deleted',
      );
      assert.equal((await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM users'))!.n >= 5, true);
      // A draft dataset's table is not readable by someone who cannot see the dataset.
      const draft = await upload(editor, 'draft.csv', 'a\n1\n', 'lviv-council-decisions-draft');
      await runJobs();
      assert.equal((await sql(`SELECT * FROM "${draft.id}"`)).statusCode, 404);
      assert.equal(
        (await app.inject(`/api/v1/resources/${draft.id}`)).statusCode,
        404,
        'nor its resource through /api/v1',
      );
      assert.equal((await app.inject(`/api/v1/resources/${draft.id}/records`)).statusCode, 404);
      const token = await (async () => {
        await editor.get('/account');
        const page = await editor.post('/account/tokens', { _csrf: editor.csrfToken(), name: 'sql' });
        return /id="new-token">([^<]+)</.exec(page.body)![1]!;
      })();
      const asEditor = await app.inject({
        url: `/api/3/action/datastore_search_sql?sql=${encodeURIComponent(`SELECT count(*) AS n FROM "${draft.id}"`)}`,
        headers: { authorization: token },
      });
      // Its editor may read it, but not through SQL: the SQL role reads published resources only.
      assert.equal(asEditor.statusCode, 403, asEditor.body);
      assert.match(asEditor.json().error.message, /not public: datastore_search_sql reads published resources only/);
    });

    test('a load interrupted by a crash is retried; its half-made table is dropped', async () => {
      const { id } = await upload(editor, 'crash.csv', 'a,b\n1,2\n');
      // What a killed process leaves: the job marked running, a table nobody references.
      await app.db.query(
        `UPDATE jobs SET state = 'running', attempts = 1, heartbeat_at = now() - interval '5 minutes', progress = '{"phase":"indexing","rows":1200}' WHERE resource_id = $1`,
        [id],
      );
      assert.match(
        (await app.inject(`/datasets/lviv-budget-2024/resources/${id}`)).body,
        /Триває<\/span> · побудова індексів · 1\s200 рядків/,
        'a running load names its phase',
      );
      await app.db.execScript(`CREATE TABLE datastore."r_${id!.replaceAll('-', '')}_999" (_id bigint)`);
      assert.deepEqual(await dropOrphanTables(app.db), [`r_${id!.replaceAll('-', '')}_999`]);
      await recoverStaleJobs(app.db, 60);
      assert.equal(await runJobs(), 1);
      assert.equal((await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result.total, 1);
    });

    test("start-up clean-up spares another server's load in progress; a load whose lease was taken over changes nothing", async () => {
      const { id } = await upload(editor, 'lease.csv', 'a\n1\n2\n');
      const job = (await app.db.one<{ id: number }>('SELECT id FROM jobs WHERE resource_id = $1', [id]))!;
      const hex = id!.replaceAll('-', '');
      // Another server is loading it: running, heartbeat fresh, its table half made.
      await app.db.query(`UPDATE jobs SET state = 'running', attempts = 1, heartbeat_at = now() WHERE id = $1`, [
        job.id,
      ]);
      await app.db.execScript(`CREATE TABLE datastore."r_${hex}_${job.id}_1" (_id bigint)`);
      assert.deepEqual(await dropOrphanTables(app.db, 60), [], 'a live load keeps its table');
      // Its server died: the heartbeat goes stale, and then the table is an orphan.
      await app.db.query(`UPDATE jobs SET heartbeat_at = now() - interval '5 minutes' WHERE id = $1`, [job.id]);
      assert.deepEqual(await dropOrphanTables(app.db, 60), [`r_${hex}_${job.id}_1`]);
      // A paused process whose lease was re-claimed meanwhile cannot swap its table in.
      await recoverStaleJobs(app.db, 60);
      const stale = { id: job.id, kind: INGEST_JOB, resource_id: id!, subject: null, attempts: 1 };
      await app.db.query(`UPDATE jobs SET state = 'running', attempts = 2, heartbeat_at = now() WHERE id = $1`, [
        job.id,
      ]);
      await assert.rejects(
        ingestHandler(app.db, dataDir)(stale, async () => {}),
        /taken over by another process/,
      );
      const resource = await app.db.one<{ datastore_table: string | null }>(
        'SELECT datastore_table FROM resources WHERE id = $1',
        [id],
      );
      assert.equal(resource!.datastore_table, null, 'the resource was not touched');
      assert.equal(
        (await app.db.one<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [job.id]))!.state,
        'running',
      );
      await app.db.query(`UPDATE jobs SET state = 'queued' WHERE id = $1`, [job.id]);
      assert.equal(await runJobs(), 1);
      assert.equal((await app.inject(`/api/3/action/datastore_search?resource_id=${id}`)).json().result.total, 2);
    });
  });
}
