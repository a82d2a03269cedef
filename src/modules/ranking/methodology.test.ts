import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { campaignResults } from './results.ts';
import { l, sample } from '../../../test/ranking-fixtures.ts';
import { exportMethodology, importMethodology, parseMethodology, publishMethodology } from './methodology.ts';

const ACTOR = { userId: null, label: 'test' };
test('a methodology document is checked, and every problem is named by its JSON pointer', () => {
  assert.deepEqual(parseMethodology(JSON.parse(JSON.stringify(sample()))), sample());
  const bad = JSON.parse(JSON.stringify(sample()));
  bad.version = 'a b';
  bad.areas[0].indicators[1].code = 'K01';
  bad.areas[0].indicators[0].levels[0].value = 1.5;
  bad.areas[0].indicators[1].type = 'law';
  bad.areas[0].indicators[1].evidence = ['rumour'];
  delete bad.areas[0].name.bg;
  bad.areas[0].indicators[1].levels = [{ value: 0.5, description: l('half') }];
  assert.throws(
    () => parseMethodology(bad),
    (error: ValidationError) => {
      assert.deepEqual(error.problems.map((p) => `${p.field} ${p.message}`).sort(), [
        '/areas/0/indicators/0/levels/0/value validation.number_range',
        '/areas/0/indicators/1/code ranking.error.duplicate_code',
        '/areas/0/indicators/1/evidence/0 validation.one_of',
        '/areas/0/indicators/1/levels ranking.error.full_level',
        '/areas/0/indicators/1/type validation.one_of',
        '/areas/0/name/bg validation.required',
        '/version ranking.error.version',
      ]);
      return true;
    },
  );
  assert.throws(() => parseMethodology('not json at all'), ValidationError);
  assert.throws(
    () => parseMethodology({ ...sample(), areas: [] }),
    (error: ValidationError) => error.problems[0]!.field === '/areas',
  );
});

for (const engine of ENGINES) {
  describe(`ranking methodology on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine, { demo: false });
    });
    after(() => app.close());

    test('imports and exports the same document; a version is imported once; publishing freezes it, down in the database', async () => {
      const id = await app.db.transaction((tx) => importMethodology(tx, ACTOR, sample()));
      assert.deepEqual(await exportMethodology(app.db, id), sample());
      await assert.rejects(
        app.db.transaction((tx) => importMethodology(tx, ACTOR, sample())),
        { statusCode: 409 },
      );
      await app.db.query(`UPDATE ranking_indicators SET points = 2 WHERE code = 'K02' AND methodology_id = $1`, [id]); // a draft may change
      await publishMethodology(app.db, ACTOR, id, new Date());
      await assert.rejects(
        app.db.query(`UPDATE ranking_indicators SET points = 1 WHERE methodology_id = $1`, [id]),
        /published and cannot change/,
      );
      await assert.rejects(
        app.db.query(
          `DELETE FROM ranking_levels WHERE indicator_id IN (SELECT id FROM ranking_indicators WHERE methodology_id = $1)`,
          [id],
        ),
        /published/,
      );
      await assert.rejects(
        app.db.query(
          `INSERT INTO ranking_areas (methodology_id, position, code, name_uk, name_en, name_bg, max_points) VALUES ($1, 9, 'X', 'x', 'x', 'x', 1)`,
          [id],
        ),
        /published/,
      );
      await assert.rejects(publishMethodology(app.db, ACTOR, id, new Date()), { statusCode: 409 });
      assert.equal((await exportMethodology(app.db, id)).areas[0]!.indicators[1]!.points, 2);
      const next = await app.db.transaction((tx) => importMethodology(tx, ACTOR, sample('2022.1')));
      assert.ok(next > id, 'a new year is a new version');
    });

    test('a campaign’s results from its stored scores: verified values count, ties share a place, bands apply', async () => {
      const methodology = await app.db.transaction((tx) => importMethodology(tx, ACTOR, sample('results-1')));
      const campaign = (await app.db.one<{ id: number }>(
        `INSERT INTO ranking_campaigns (year, methodology_id, title_uk, title_en, title_bg) VALUES (2021, $1, 't', 't', 't') RETURNING id`,
        [methodology],
      ))!.id;
      const cities = await app.db.query<{ id: number }>(
        `INSERT INTO cities (slug, name_uk, name_en, name_bg, oblast_slug, sort_key_uk, sort_key_en, sort_key_bg, search_text)
         SELECT s, s, s, s, (SELECT slug FROM oblasts ORDER BY slug LIMIT 1), s, s, s, s FROM unnest(ARRAY['aa', 'bb', 'cc', 'dd']) AS s RETURNING id`,
      );
      for (const c of cities)
        await app.db.query('INSERT INTO ranking_campaign_cities VALUES ($1, $2)', [campaign, c.id]);
      const indicator = async (code: string) =>
        (await app.db.one<{ id: number }>('SELECT id FROM ranking_indicators WHERE methodology_id = $1 AND code = $2', [
          methodology,
          code,
        ]))!.id;
      const score = (city: number, code: string, value: number | null, extra: Record<string, unknown> = {}) =>
        indicator(code).then((id) =>
          app.db.query(
            `INSERT INTO ranking_scores (campaign_id, city_id, indicator_id, level_value, not_applicable, verified_value, verification)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              campaign,
              city,
              id,
              value,
              extra.na ?? false,
              extra.verified ?? null,
              extra.verified !== undefined ? 'accepted' : 'pending',
            ],
          ),
        );
      const [aa, bb, cc, dd] = cities.map((c) => c.id) as [number, number, number, number];
      await score(aa, 'K01', 1);
      await score(aa, 'K02', 1); // 3 of 3
      await score(bb, 'K01', 1, { verified: 0.5 });
      await score(bb, 'K02', 1); // verified down: 1 + 1 = 2 of 3
      await score(cc, 'K01', 0.5);
      await score(cc, 'K02', 1); // 2 of 3: tied with bb
      await score(dd, 'K01', null, { na: true });
      await score(dd, 'K02', 0); // only K02 applies: 0 of 1
      const { methodology: version, results } = await campaignResults(app.db, campaign);
      assert.equal(version, 'results-1');
      assert.deepEqual(
        results.map((r) => [r.citySlug, r.place, r.band]),
        [
          ['aa', 1, 'transparent'],
          ['bb', 2, 'partly'],
          ['cc', 2, 'partly'],
          ['dd', 4, 'not'],
        ],
      );
      assert.ok(Math.abs(results[1]!.total! - 200 / 3) < 1e-9);
      assert.equal(results[3]!.areas[0]!.max, 1, 'N/A leaves the maximum');
    });
  });
}
