// A city's compliance as open data: the CSV of its list items and checks (read back as the
// compliance the service computes), and its publication as a dataset of the city's catalog by the
// city's editors only, once, audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { CHECKS, cityCompliance } from './service.ts';

/** Splits a CSV of quoted or plain cells (RFC 4180) into rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  if (cell || row.length) endRow();
  return rows;
}

for (const engine of ENGINES) {
  describe(`compliance as open data (${engine})`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => {
      await app?.close();
    });

    test('the CSV holds each list item and its checks as the service computes them', async () => {
      const visitor = new Client(app, '203.0.113.61');
      const response = await visitor.get('/cities/lviv/compliance.csv');
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /text\/csv/);
      const [header, ...rows] = parseCsv(response.body);
      assert.deepEqual(header!.slice(7, 12), [...CHECKS]);
      const city = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!;
      const compliance = await cityCompliance(app.db, city.id, app.clock.now());
      assert.equal(rows.length, compliance.items.length);
      for (const item of compliance.items) {
        const row = rows.find((r) => r[0] === item.item.code && r[1] === item.item.legal_act)!;
        assert.ok(row, item.item.code);
        assert.deepEqual(
          row.slice(7, 12),
          CHECKS.map((c) => String(item.checks[c])),
        );
        assert.equal(Number(row[12]), item.points);
      }
      const stops = rows.find((r) => r[0] === 'mun-024')!;
      assert.equal(stops[7], 'true', 'the demo declares the stops dataset for mun-024');
      assert.match(stops[14]!, /\/datasets\/lviv-public-transport-stops$/);
      assert.equal((await visitor.get('/cities/nowhere/compliance.csv')).statusCode, 404);
    });

    test('only the city’s editors publish it as a dataset, once; audited', async () => {
      const name = 'lviv-open-data-compliance';
      const anonymous = new Client(app, '203.0.113.62');
      await anonymous.get('/cities/lviv/compliance');
      assert.doesNotMatch(anonymous.lastBody, /compliance\/publish/);
      const citizen = new Client(app, '203.0.113.63');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal(
        (await citizen.submit('/cities/lviv/compliance', '/cities/lviv/compliance/publish', {})).statusCode,
        403,
      );
      const editor = new Client(app, '203.0.113.64');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.equal(
        (await editor.submit('/cities/zhytomyr/compliance', '/cities/zhytomyr/compliance/publish', {})).statusCode,
        403,
        'not this editor’s city',
      );
      assert.equal(await app.db.one('SELECT 1 FROM datasets WHERE name = $1', [name]), undefined);
      await editor.get('/cities/lviv/compliance');
      assert.match(editor.lastBody, /action="\/cities\/lviv\/compliance\/publish"/);
      for (let i = 0; i < 2; i++) {
        const published = await editor.submit('/cities/lviv/compliance', '/cities/lviv/compliance/publish', {});
        assert.equal(published.statusCode, 303);
      }
      const datasets = await app.db.query<{ state: string; url: string; format: string }>(
        `SELECT d.state, r.url, r.format FROM datasets d JOIN resources r ON r.dataset_id = d.id WHERE d.name = $1`,
        [name],
      );
      assert.deepEqual(datasets, [{ state: 'published', url: '/cities/lviv/compliance.csv', format: 'CSV' }]);
      const page = await anonymous.get(`/datasets/${name}`);
      assert.equal(page.statusCode, 200);
      assert.match((await anonymous.get('/cities/lviv/compliance')).body, new RegExp(`href="/datasets/${name}"`));
      const audits = await app.db.query(
        `SELECT 1 FROM audit_events WHERE action = 'compliance.publish_dataset' AND actor_label = 'editor.lviv@hromada.demo'`,
      );
      assert.equal(audits.length, 2);
    });
  });
}
