// Charts a person can read: titles in words, horizontal bars for long or many labels, numbers in
// the page's locale, and a builder that starts from a column worth grouping by (never `_id`).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { translator } from '../../platform/i18n/locales.ts';
import { areasChartSvg, dynamicsChartSvg } from '../ranking/charts.ts';
import { chartSvg, chartTitle, defaultChartGroup, horizontalBars, idLike } from './chart.ts';
import type { Field } from './ingest.ts';

const FIELDS: Field[] = [
  { id: '_id', column: '_id', type: 'integer' },
  { id: 'spent', column: 'spent', type: 'number', label: 'Касові видатки, грн' },
  { id: 'manager', column: 'manager', type: 'text', label: 'Розпорядник' },
];

describe('chart drawing', () => {
  test('titles say what is shown in words, in the page language, with the columns’ labels', () => {
    const uk = translator('uk');
    assert.equal(
      chartTitle(uk, FIELDS, { group: 'manager', value: 'spent', op: 'sum' }),
      'Касові видатки, грн — сума за «Розпорядник»',
    );
    assert.equal(chartTitle(uk, FIELDS, { group: 'manager', op: 'count' }), 'Кількість записів за «Розпорядник»');
    assert.equal(
      chartTitle(translator('en'), FIELDS, { group: 'manager', value: 'spent', op: 'avg' }),
      'Касові видатки, грн — average by Розпорядник',
    );
  });

  test('long or many labels get horizontal bars, none rotated; short few stay vertical', () => {
    const long = [
      { label: 'Департамент освіти і науки', value: 5_000_000_000 },
      { label: 'Управління охорони здоров’я', value: 1_234_567.5 },
    ];
    assert.equal(
      horizontalBars(
        'bar',
        long.map((p) => p.label),
      ),
      true,
    );
    assert.equal(horizontalBars('bar', ['2023', '2024']), false);
    assert.equal(
      horizontalBars(
        'bar',
        Array.from({ length: 9 }, (_, i) => String(i)),
      ),
      true,
    );
    assert.equal(
      horizontalBars(
        'line',
        long.map((p) => p.label),
      ),
      false,
    );
    const svg = chartSvg('bar', long, 'Касові видатки, грн — сума за «Розпорядник»', 'uk');
    assert.doesNotMatch(svg, /rotate\(/, 'no rotated labels');
    assert.match(svg, /Департамент освіти і науки/);
    // Numbers in the page's locale: axis short, bar labels whole (uk: space groups, comma decimals).
    assert.match(svg, /5\sмлрд/);
    assert.match(svg, /1\s234\s567,5/);
    assert.doesNotMatch(svg, /5,000,000,000|1234567\.5/);
    const english = chartSvg('bar', long, 'Total', 'en');
    assert.match(english, /1,234,567\.5/);
    assert.match(english, /5B/);
    // A phone's chart is drawn at the phone's width, its bars labelled with short numbers.
    const narrow = chartSvg('bar', long, 'Касові видатки, грн — сума за «Розпорядник»', 'uk', true);
    assert.match(narrow, /<svg[^>]*width="340"/);
    assert.doesNotMatch(narrow, /1\s234\s567,5/);
    assert.match(narrow, /1,2\sмлн/);
  });

  test('ranking charts write numbers as the page does', () => {
    const areas = areasChartSvg(
      [{ label: '1. Відкритість', city: 88.46, average: 61.2 }],
      { city: 'Львів', average: 'Середнє' },
      'uk',
    );
    assert.match(areas, /88,5/);
    assert.doesNotMatch(areas, /88\.5/);
    const narrowAreas = areasChartSvg(
      [{ label: '1. Відкритість', city: 88.46, average: 61.2 }],
      { city: 'Львів', average: 'Середнє' },
      'uk',
      true,
    );
    assert.match(narrowAreas, /<svg[^>]*width="340"/, 'drawn at a phone’s width');
    assert.match(narrowAreas, /88,5/);
    assert.match(dynamicsChartSvg([{ year: 2025, total: 77.94 }], 'Динаміка', 'uk', true), /<svg[^>]*width="340"/);
    const years = dynamicsChartSvg([{ year: 2025, total: 77.94 }], 'Динаміка', 'uk');
    assert.match(years, /77,9/);
    assert.match(dynamicsChartSvg([{ year: 2025, total: 77.94 }], 'Dynamics', 'en'), /77\.9/);
  });

  test('id-like columns are never offered first', () => {
    for (const id of ['_id', 'id', 'ID', 'city_id', 'uuid', 'id_code', '_full_text'])
      assert.equal(idLike({ id, column: id, type: 'text' }), true, id);
    for (const id of ['Розпорядник', 'district', 'valid', 'Ідентифікатор програми'])
      assert.equal(idLike({ id, column: id, type: 'text' }), false, id);
  });
});

for (const engine of ENGINES) {
  describe(`chart builder on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('the builder starts from the first text column with few distinct values', async () => {
      await app.db.query(
        'CREATE TABLE datastore.chart_probe (_id serial, id text, name text, district text, amount numeric)',
      );
      await app.db.query(
        `INSERT INTO datastore.chart_probe (id, name, district, amount)
         SELECT 'R-' || i, 'Проєкт ' || i, (ARRAY['Личаківський', 'Франківський', 'Сихівський'])[1 + i % 3], i FROM generate_series(1, 200) AS i`,
      );
      const fields: Field[] = [
        { id: '_id', column: '_id', type: 'integer' },
        { id: 'id', column: 'id', type: 'text' },
        { id: 'name', column: 'name', type: 'text' },
        { id: 'district', column: 'district', type: 'text' },
        { id: 'amount', column: 'amount', type: 'number' },
      ];
      assert.equal(await defaultChartGroup(app.db, 'chart_probe', fields), 'district');
      // No text column with few values: the first text column that is not an id.
      assert.equal(await defaultChartGroup(app.db, 'chart_probe', fields.slice(0, 3)), 'name');
      assert.equal(await defaultChartGroup(app.db, 'chart_probe', [fields[0]!, fields[4]!]), null);
      await app.db.query('DROP TABLE datastore.chart_probe');
    });
  });
}
