import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';

for (const engine of ENGINES) {
  describe(`procurement front page on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => {
      await app.close();
    });

    test("lists each city's latest year with the figures of its own page, and links to it", async () => {
      const figures = await app.db.one<{ year: number; procedures: number }>(
        `SELECT max(p.year) AS year, count(*) FILTER (WHERE p.year = (SELECT max(year) FROM procurement_procedures WHERE city_id = c.id))::int AS procedures
         FROM procurement_procedures p JOIN cities c ON c.id = p.city_id WHERE c.slug = 'lviv' GROUP BY c.id`,
      );
      assert.ok(figures && figures.procedures > 0, 'the demo has Lviv procedures');
      const page = await app.inject({ url: '/procurement', headers: { cookie: 'hromada_lang=en' } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`href="/cities/lviv/procurement\\?year=${figures.year}">Lviv</a>`));
      assert.match(
        page.body,
        new RegExp(`data-label="Procedures" class="num">${figures.procedures.toLocaleString('en')}<`),
      );
      assert.match(page.body, /<a href="\/procurement" aria-current="page">Procurement<\/a>/);
    });

    test('with no procedures the page says so', async () => {
      await app.db.query('DELETE FROM procurement_procedures');
      const page = await app.inject({ url: '/procurement', headers: { cookie: 'hromada_lang=uk' } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /class="empty-state"><p>Закупівель міст ще не завантажено\./);
    });
  });
}
