// The front door and the site-wide search, composed from what each module contributes
// (platform/sections.ts), as a visitor sees them on the demo data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
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
        [...ranking.matchAll(/<tr><td class="number"[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1])),
        [1, 2, 3, 4, 5],
      );
      assert.match(ranking, /Прозорі міста 2021/);
    });

    test('each role starts from a dashboard of what is theirs to do', async () => {
      const as = async (who: string) => {
        const client = new Client(app);
        const login = await client.login(`${who}@hromada.demo`, DEMO_PASSWORD);
        assert.equal(login.headers.location, '/dashboard', 'signing in leads to the dashboard');
        const page = await client.get('/dashboard');
        assert.equal(page.statusCode, 200);
        return page.body;
      };
      const assessor = await as('assessor');
      const ranking = assessor.slice(assessor.indexOf('id="dash-ranking"'));
      assert.match(ranking, /href="\/ranking\/campaigns\/3\/cities\/lviv\/assess"/);
      assert.match(ranking, /href="\/ranking\/campaigns\/3\/cities\/zhytomyr\/assess"/);
      assert.match(ranking, /<progress max="88"/);
      assert.doesNotMatch(assessor, /id="dash-datasets"/, 'an assessor edits no data');
      const editor = await as('editor.lviv');
      const data = editor.slice(editor.indexOf('id="dash-datasets"'), editor.indexOf('id="dash-petitions"'));
      const drafts = await app.db.query<{ name: string }>(
        `SELECT d.name FROM datasets d JOIN cities c ON c.id = d.city_id WHERE c.slug = 'lviv' AND d.state = 'draft'`,
      );
      assert.ok(drafts.length > 0);
      for (const d of drafts) assert.match(data, new RegExp(`href="/datasets/${d.name}"`));
      assert.match(editor, /id="dash-budgets"[\s\S]*href="\/budgets\/1"/, 'the Lviv budget the editor runs');
      assert.doesNotMatch(editor, /id="dash-ranking"/);
      // A citizen: their own petitions and signatures; nothing of editors' or assessors' work.
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      await app.db.query(
        `UPDATE users SET home_city_id = (SELECT id FROM cities WHERE slug = 'zhytomyr') WHERE email = 'citizen@hromada.demo'`,
      );
      const draft = await citizen.submit('/petitions/new', '/petitions/new', {
        city: 'lviv',
        title: 'Посадити липи вздовж вулиці Зеленої',
        topic: 'other',
        body: 'Прошу висадити липи вздовж вулиці Зеленої від площі до парку, щоб улітку була тінь для пішоходів.',
      });
      assert.equal(draft.statusCode, 303, draft.body.slice(0, 300));
      await citizen.get('/petitions/1');
      assert.equal((await citizen.post('/petitions/1/sign', { _csrf: citizen.csrfToken() })).statusCode, 303);
      const board = (await citizen.get('/dashboard')).body;
      assert.doesNotMatch(board, /id="dash-datasets"|id="dash-ranking"/);
      assert.match(board, /Ваше місто: <a href="\/cities\/zhytomyr">Житомир<\/a>/);
      assert.match(board, new RegExp(`href="${draft.headers.location}"[^<]*Посадити липи`));
      assert.match(board.slice(board.indexOf('id="dash-petitions"')), /Я підписав[\s\S]*href="\/petitions\/1"/);
      const anonymous = await new Client(app).get('/dashboard');
      assert.equal(anonymous.statusCode, 302);
      assert.equal(anonymous.headers.location, '/login?next=%2Fdashboard');
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
