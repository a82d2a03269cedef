// The front door and the site-wide search, composed from what each module contributes
// (platform/sections.ts), as a visitor sees them on the demo data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { Sections } from '../../platform/sections.ts';

for (const engine of ENGINES) {
  describe(`home and search on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => app?.close());

    test('the home page: search, then data, petitions, budgets and the ranking, each from its module, then deadlines', async () => {
      const page = await app.inject('/');
      assert.equal(page.statusCode, 200);
      const body = page.body;
      const at = (id: string) => body.indexOf(`id="${id}"`);
      assert.ok(at('site-q') > 0, 'the search box');
      const order = ['home-datasets', 'home-petitions', 'home-budgets', 'home-ranking', 'home-deadlines'].map(at);
      assert.ok(
        order.every((position, i) => position > 0 && (i === 0 || position > order[i - 1]!)),
        `sections in order: ${order}`,
      );
      // The per-city ranking datasets are one series, not 40 entries.
      assert.match(body, /серія: 40 міст/);
      assert.equal(body.match(/Рейтинг прозорості: /g)?.length ?? 0, 1);
      // Open petitions, the closest to the threshold first, with their progress.
      const open = await app.db.query<{ id: number }>(
        `SELECT id FROM petitions WHERE state = 'open' ORDER BY signature_count DESC, id DESC`,
      );
      const section = body.slice(at('home-petitions'), at('home-budgets'));
      assert.deepEqual(
        [...section.matchAll(/href="\/petitions\/(\d+)"/g)].map((m) => Number(m[1])),
        open.map((p) => p.id).slice(0, 3),
      );
      assert.match(section, /<progress /);
      // Lviv's budget is voting: a button to the ballot, and its end among the deadlines.
      assert.match(body.slice(at('home-budgets'), at('home-ranking')), /href="\/budgets\/1\/ballot"/);
      assert.match(body.slice(at('home-deadlines')), /завершується голосування/);
      // The latest published ranking's leaders, places 1 to 5.
      const ranking = body.slice(at('home-ranking'), at('home-deadlines'));
      assert.deepEqual(
        [...ranking.matchAll(/<tr><td class="number">(\d+)<\/td>/g)].map((m) => Number(m[1])),
        [1, 2, 3, 4, 5],
      );
      assert.match(ranking, /Прозорі міста 2021/);
    });

    test('search finds across modules, escapes what it echoes, and says when nothing matched', async () => {
      const found = await app.inject(`/search?q=${encodeURIComponent('Львів')}`);
      assert.equal(found.statusCode, 200);
      assert.match(found.body, /id="search-datasets"/);
      assert.match(found.body, /id="search-cities"[\s\S]*href="\/cities\/lviv"/);
      const petitions = await app.inject(`/search?q=${encodeURIComponent('велодоріжк')}`);
      assert.match(petitions.body, /id="search-petitions"/);
      const hostile = await app.inject(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
      assert.equal(hostile.statusCode, 200);
      assert.doesNotMatch(hostile.body, /<script>alert/);
      assert.match(hostile.body, /role="status"/);
      assert.equal((await app.inject(`/search?q=${'x'.repeat(201)}`)).statusCode, 400);
      const empty = await app.inject('/search');
      assert.equal(empty.statusCode, 200);
      assert.doesNotMatch(empty.body, /role="status"/);
    });
  });
}

test('a section id is unique within its place', () => {
  const sections = new Sections();
  const section = { id: 'x', order: 1, render: async () => null };
  sections.add('home', section);
  sections.add('city', section);
  assert.throws(() => sections.add('home', section), /home\/x registered twice/);
});
