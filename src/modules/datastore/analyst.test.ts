// What a careful analyst expects of an upload: a column typed by what its values mostly are, with
// the outliers reported; the load followed live on the resource page (and without JavaScript); a
// preview that reads yes/no and sums up geometries while downloads keep the raw values.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { runQueuedJobs } from '../../platform/jobs.ts';
import { translator } from '../../platform/i18n/locales.ts';
import { ingestHandler, INGEST_JOB } from './service.ts';
import { geometrySummary } from './views.ts';

const DATASET = 'lviv-budget-2024';

test('geometries are summed up in a few words, in the reader’s language', () => {
  const en = { t: translator('en') };
  const uk = { t: translator('uk') };
  const summary = (geometry: unknown, ctx = en) => geometrySummary(ctx, JSON.stringify(geometry));
  assert.equal(summary({ type: 'Point', coordinates: [24.031234567, 49.84] }), 'Point 24.03123, 49.84');
  const ring = [
    [24, 49],
    [24.1, 49],
    [24.1, 49.1],
    [24, 49],
  ];
  assert.equal(summary({ type: 'Polygon', coordinates: [ring] }), 'Polygon, 4 points');
  assert.equal(summary({ type: 'Polygon', coordinates: [ring, ring] }, uk), 'Polygon, 8 точок');
  assert.equal(
    summary({ type: 'MultiPolygon', coordinates: [[ring], [ring, ring]] }),
    'MultiPolygon, 2 parts, 12 points',
  );
  assert.equal(summary({ type: 'LineString', coordinates: [[24, 49]] }), 'LineString, 1 point');
  assert.equal(
    summary({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }] }),
    'GeometryCollection, 1 part',
  );
  assert.equal(summary({ type: 'Polygon', coordinates: 'nonsense' }), undefined, 'not positions');
  assert.equal(summary({ type: 'Feature', coordinates: [1, 2] }), undefined, 'not a geometry type');
  assert.equal(geometrySummary(en, '{"type": "Point", "coordinates": [1, '), undefined, 'cut short');
  assert.equal(geometrySummary(en, 'вул. Шевченка, 1'), undefined);
});

for (const engine of ENGINES) {
  describe(`Uploads as an analyst expects, on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: Client;
    let dataDir: string;
    const runJobs = () => runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, dataDir) });

    async function upload(name: string, content: string): Promise<string> {
      await editor.get(`/datasets/${DATASET}/resources/upload`);
      const body = multipartBody({ _csrf: editor.csrfToken(), name, description: '' }, { name, content });
      const response = await app.inject({
        method: 'POST',
        url: `/datasets/${DATASET}/resources/upload`,
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: editor.cookieHeader },
      });
      const id = /\/resources\/([0-9a-f-]{36})$/.exec(String(response.headers.location ?? ''))?.[1];
      assert.ok(id, `uploaded ${name}`);
      return id;
    }
    const status = async (id: string, dataset = DATASET) =>
      app.inject({ url: `/datasets/${dataset}/resources/${id}/status`, headers: { cookie: 'hromada_lang=en' } });

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-analyst-'));
      app = await createTestApp(engine, { config: { dataDir } });
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    });
    after(async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('a numeric column with one stray value stays numeric; the value is loaded empty and reported', async () => {
      const lines = ['district,amount,paid'];
      for (let i = 1; i <= 40; i++) lines.push(`Район ${i},${i * 100},${i % 2 ? 'так' : 'ні'}`);
      lines.splice(8, 0, 'Район X,abc,так'); // the 8th data record, on line 9 of the file
      const id = await upload('amounts.csv', `${lines.join('\n')}\n`);
      await runJobs();

      const search = (await app.inject(`/api/3/action/datastore_search?resource_id=${id}&sort=_id&limit=100`)).json()
        .result;
      assert.deepEqual(
        search.fields.map((f: { id: string; type: string }) => `${f.id}:${f.type}`),
        ['_id:int', 'district:text', 'amount:int8', 'paid:bool'],
      );
      assert.equal(search.total, 41, 'every row is loaded');
      const stray = search.records.find((r: { district: string }) => r.district === 'Район X');
      assert.equal(stray.amount, null, 'the outlier is loaded as NULL');
      assert.equal(search.records[0].amount, 100);

      const { validation_report: report } = (await app.db.one<{
        validation_report: {
          valid: boolean;
          stats: { errors: number };
          errors: { type: string; rowNumber: number; fieldNumber: number; fieldName: string; cell: string }[];
        };
      }>('SELECT validation_report FROM resources WHERE id = $1', [id]))!;
      assert.equal(report.valid, false, 'the report does not say "no errors"');
      assert.equal(report.stats.errors, 1);
      assert.deepEqual(
        report.errors.map((e) => ({ ...e, message: undefined, params: undefined })),
        [
          {
            type: 'type-error',
            rowNumber: 9,
            fieldNumber: 2,
            fieldName: 'amount',
            cell: 'abc',
            message: undefined,
            params: undefined,
          },
        ],
      );

      const page = await app.inject({
        url: `/datasets/${DATASET}/resources/${id}`,
        headers: { cookie: 'hromada_lang=en' },
      });
      assert.match(page.body, /1 problem/);
      assert.match(page.body, /at least 95% of its non-empty values/);
      assert.match(page.body, /<code>type-error<\/code><\/td><td[^>]*>9<\/td><td[^>]*>amount<\/td>/);
      assert.match(page.body, /Row 9[^<]*amount[^<]*abc/);
      // The editor can still make the column text in the data dictionary, and then nothing is lost.
      const saved = await editor.post(`/datasets/${DATASET}/resources/${id}/dictionary`, {
        _csrf: editor.csrfToken(),
        encoding: '',
        delimiter: '',
        ...Object.fromEntries(
          ['district', 'amount', 'paid'].flatMap((_, i) => [
            [`type_${i}`, ['text', 'text', 'boolean'][i]!],
            [`label_${i}`, ''],
            [`description_${i}`, ''],
          ]),
        ),
      });
      assert.equal(saved.statusCode, 303);
      await runJobs();
      const retyped = (await app.inject(`/api/3/action/datastore_search?resource_id=${id}&q=abc`)).json().result;
      assert.equal(retyped.records[0].amount, 'abc');
    });

    test('the load status follows the job: live for the island, a refresh without JavaScript, only while pending', async () => {
      const id = await upload(
        'flags.csv',
        'name,open,place\nРинок,true,"{""type"":""Point"",""coordinates"":[24.03,49.84]}"\nВокзал,false,\n',
      );
      const queued = await app.inject({
        url: `/datasets/${DATASET}/resources/${id}`,
        headers: { cookie: 'hromada_lang=en' },
      });
      assert.match(queued.body, /<noscript><meta http-equiv="refresh" content="5"><\/noscript>/);
      assert.match(queued.body, /<script src="\/static\/build\/load-status[.\w]*\.js" defer>/);
      assert.match(queued.body, new RegExp(`data-status-url="/datasets/${DATASET}/resources/${id}/status"`));
      assert.match(queued.body, /id="job-state" data-state="queued"/);

      const before = await status(id);
      assert.equal(before.statusCode, 200);
      assert.equal(before.headers['cache-control'], 'no-store');
      const queuedStatus = before.json<{ state: string; pending: boolean; progress: object; html: string }>();
      assert.deepEqual(
        { ...queuedStatus, html: undefined },
        { state: 'queued', pending: true, progress: {}, html: undefined },
      );
      assert.match(queuedStatus.html, /data-state="queued">Queued</);

      await app.db.query(
        `UPDATE jobs SET state = 'running', progress = '{"phase":"loading","rows":1200,"total":5000}' WHERE resource_id = $1`,
        [id],
      );
      const running = (await status(id)).json();
      assert.equal(running.pending, true);
      assert.deepEqual(running.progress, { phase: 'loading', rows: 1200, total: 5000 });
      assert.match(running.html, /Running/);
      assert.match(running.html, /1,200 of 5,000 rows/);
      assert.match(running.html, /<progress max="5000" value="1200" aria-label="DataStore load">/);
      const runningPage = await app.inject({
        url: `/datasets/${DATASET}/resources/${id}`,
        headers: { cookie: 'hromada_lang=en' },
      });
      assert.ok(runningPage.body.includes(running.html), 'the page shows what the endpoint sends');

      await app.db.query(`UPDATE jobs SET state = 'queued', progress = '{}' WHERE resource_id = $1`, [id]);
      await runJobs();
      const done = (await status(id)).json();
      assert.equal(done.state, 'done');
      assert.equal(done.pending, false);
      const page = await app.inject({
        url: `/datasets/${DATASET}/resources/${id}`,
        headers: { cookie: 'hromada_lang=en' },
      });
      assert.doesNotMatch(page.body, /http-equiv="refresh"/, 'a finished load does not reload the page');
      assert.doesNotMatch(page.body, /data-status-url|load-status/);
      assert.match(page.body, /id="job-state" data-state="done"/);

      // The preview reads yes/no in the page's language and sums up the geometry; the download keeps the raw values.
      for (const [lang, yes, no] of [
        ['uk', 'так', 'ні'],
        ['en', 'yes', 'no'],
        ['bg', 'да', 'не'],
      ] as const) {
        const body = (
          await app.inject({ url: `/datasets/${DATASET}/resources/${id}`, headers: { cookie: `hromada_lang=${lang}` } })
        ).body;
        const preview = body.slice(body.indexOf('<table class="preview">'));
        assert.match(preview, new RegExp(`<td>Ринок</td><td>${yes}</td><td>Point 24.03, 49.84</td>`), lang);
        assert.match(preview, new RegExp(`<td>Вокзал</td><td>${no}</td><td></td>`), lang);
        assert.doesNotMatch(preview, /coordinates|>true<|>false</, lang);
      }
      const dump = await app.inject(`/datastore/dump/${id}`);
      assert.match(dump.body, /Ринок,true,"\{""type"":""Point"",""coordinates"":\[24\.03,49\.84\]\}"/);

      assert.equal((await status(id, 'another-dataset')).statusCode, 404, 'the dataset must match');
      assert.equal((await status('00000000-0000-0000-0000-000000000000')).statusCode, 404);
      assert.equal((await status('not-an-id')).statusCode, 400, 'a malformed id is refused');
    });
  });
}
