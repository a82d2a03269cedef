// The best-practices library on the demo ranking: filters by year, area, city and indicator with
// their counts, text search, pages that together hold every practice exactly once, and the page
// a reader sees (counts, nofollow filter links, previous/next, an empty state, bad input refused).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, ENGINES } from '../../../test/helpers.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';
import { PRACTICES_PER_PAGE, searchPractices, type PracticeFilter } from './practices.ts';

const sum = (values: { count: number }[]) => values.reduce((s, v) => s + v.count, 0);

for (const engine of ENGINES) {
  describe(`best practices on ${engine}`, () => {
    let app: FastifyInstance;
    const all: PracticeFilter = { offset: 0, limit: PRACTICES_PER_PAGE };
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('the whole library: its total is what the database holds, and every facet adds up to it', async () => {
      const result = await searchPractices(app.db, all);
      const expected = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM ranking_scores s JOIN ranking_campaigns c ON c.id = s.campaign_id
         WHERE c.phase = 'published' AND s.comment <> '' AND coalesce(s.verified_value, s.level_value) = 1
           AND NOT coalesce(s.verified_not_applicable, s.not_applicable)`,
      );
      assert.ok(expected!.n > PRACTICES_PER_PAGE * 2, 'the demo has several pages of practices');
      assert.equal(result.total, expected!.n);
      assert.equal(result.items.length, PRACTICES_PER_PAGE);
      for (const facet of ['year', 'area', 'city', 'indicator'] as const)
        assert.equal(sum(result.facets[facet]), result.total, `${facet} counts add up to the total`);
      assert.ok(result.facets.year.length >= 2, 'two published years');
      assert.deepEqual(
        result.facets.year.map((v) => v.value),
        result.facets.year.map((v) => v.value).sort((a, b) => Number(b) - Number(a)),
        'latest year first',
      );
      assert.ok(
        result.facets.area.every((v) => v.name.uk && v.name.en),
        'areas are named',
      );
    });

    test('each filter keeps only its practices, and its count is the one its facet promised', async () => {
      const whole = await searchPractices(app.db, all);
      const lviv = whole.facets.city.find((v) => v.value === 'lviv')!;
      const year = whole.facets.year.at(-1)!;
      const area = whole.facets.area[0]!;
      const indicator = whole.facets.indicator[0]!;
      const byCity = await searchPractices(app.db, { ...all, city: 'lviv' });
      assert.equal(byCity.total, lviv.count);
      assert.ok(byCity.items.every((p) => p.city_slug === 'lviv'));
      const byYear = await searchPractices(app.db, { ...all, year: Number(year.value) });
      assert.equal(byYear.total, year.count);
      assert.ok(byYear.items.every((p) => p.year === Number(year.value)));
      const byArea = await searchPractices(app.db, { ...all, area: area.value });
      assert.equal(byArea.total, area.count);
      assert.ok(byArea.items.every((p) => p.area_code === area.value));
      const byIndicator = await searchPractices(app.db, { ...all, indicator: indicator.value });
      assert.equal(byIndicator.total, indicator.count);
      assert.ok(byIndicator.items.every((p) => p.code === indicator.value));
      // Filters combine; a facet counts with the other filters applied, not its own.
      const combined = await searchPractices(app.db, { ...all, city: 'lviv', year: Number(year.value) });
      assert.ok(combined.total <= Math.min(lviv.count, year.count));
      assert.ok(combined.items.every((p) => p.city_slug === 'lviv' && p.year === Number(year.value)));
      assert.equal(combined.facets.city.find((v) => v.value === 'lviv')!.count, combined.total);
      assert.equal(sum(combined.facets.city), byYear.total, 'other cities stay in sight with their counts');
      // Unknown values find nothing rather than failing.
      assert.equal((await searchPractices(app.db, { ...all, city: 'atlantis' })).total, 0);
    });

    test('text search finds the words in the description, the question or the city, case-insensitively', async () => {
      const found = await searchPractices(app.db, { ...all, q: 'ЗАКУПІВЕЛЬ', limit: 500 });
      assert.ok(found.total > 0);
      for (const p of found.items)
        assert.match(
          `${p.comment} ${p.question.uk} ${p.question.en} ${p.question.bg} ${p.city.uk}`.toLowerCase(),
          /закупівель/,
        );
      // A LIKE wildcard is a literal character, not "anything".
      const whole = await searchPractices(app.db, all);
      assert.ok((await searchPractices(app.db, { ...all, q: '_' })).total < whole.total);
    });

    test('pages hold every practice exactly once, in a stable order', async () => {
      const first = await searchPractices(app.db, { ...all, city: 'lviv' });
      const seen = new Set<string>();
      for (let offset = 0; offset < first.total; offset += PRACTICES_PER_PAGE) {
        const page = await searchPractices(app.db, { ...all, city: 'lviv', offset });
        assert.equal(page.items.length, Math.min(PRACTICES_PER_PAGE, first.total - offset));
        for (const p of page.items) seen.add(`${p.campaign_id}/${p.code}`);
      }
      assert.equal(seen.size, first.total);
    });

    test('the page: count, 20 practices, nofollow filters, previous/next keeping the filters, empty state, bad input refused', async () => {
      const visitor = new Client(app);
      const whole = await searchPractices(app.db, all);
      const page = await visitor.get('/ranking/practices');
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(`Знайдено ${formatNumber('uk', whole.total)} практик`));
      assert.equal((page.body.match(/<li>\s*<h2><a href="\/ranking\/campaigns\//g) ?? []).length, PRACTICES_PER_PAGE);
      assert.match(page.body, /<a href="\/ranking\/practices\?offset=20" rel="next">/);
      assert.doesNotMatch(page.body, /rel="prev"/);
      const facetLinks = [
        ...page.body.matchAll(/<a rel="nofollow" href="\/ranking\/practices\?(city|year|area|indicator)=/g),
      ];
      assert.ok(facetLinks.length > 10, 'facet links, all nofollow');
      assert.doesNotMatch(page.body, /<a href="\/ranking\/practices\?(city|year|area|indicator)=/);

      const lviv = whole.facets.city.find((v) => v.value === 'lviv')!;
      const filtered = await visitor.get('/ranking/practices?city=lviv&q=');
      assert.ok(filtered.body.includes(`Знайдено ${formatNumber('uk', lviv.count)} практик`));
      assert.match(filtered.body, /class="badge" rel="nofollow" href="\/ranking\/practices">Львів ✕/);
      assert.match(filtered.body, /<input type="hidden" name="city" value="lviv">/, 'a new search keeps the filter');
      if (lviv.count > PRACTICES_PER_PAGE) {
        const second = await visitor.get('/ranking/practices?city=lviv&offset=20');
        assert.match(second.body, /href="\/ranking\/practices\?city=lviv" rel="prev"/);
        assert.match(second.body, new RegExp(`21–${Math.min(40, lviv.count)}`));
      }

      const empty = await visitor.get('/ranking/practices?q=zzzzzz-nothing');
      assert.match(empty.body, /class="empty-state"/);
      assert.match(empty.body, /Знайдено 0 практик/);
      for (const bad of ['year=abc', 'city=..%2Fetc', 'offset=-1', 'indicator=%3Cscript%3E'])
        assert.equal((await visitor.get(`/ranking/practices?${bad}`)).statusCode, 400, bad);
    });
  });
}
