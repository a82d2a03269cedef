import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { isOverdue, qualityScore, type Dataset } from './service.ts';

const datasetFields = (name: string, city = 'lviv') => ({
  name,
  city,
  title_uk: `Реєстр <script>alert(1)</script> ${name}`,
  title_en: 'Register',
  title_bg: '',
  description_uk: 'Перелік об’єктів комунальної власності міста з адресами, площею та балансоутримувачем.',
  description_en: '',
  description_bg: '',
  license_id: 'CC-BY-4.0',
  keywords: 'майно, оренда',
  frequency: 'QUARTERLY',
  temporal_start: '2024-01-01',
  temporal_end: '2024-12-31',
  spatial: 'Львів',
  contact_name: '',
  contact_email: 'data@lviv.example',
  legal_basis: '',
  purpose: '',
});

for (const engine of ENGINES) {
  describe(`catalog on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: Client;
    before(async () => {
      app = await createTestApp(engine);
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    });
    after(() => app.close());

    test('the list page: facets show their eight most frequent values, fold the rest, keep an active one in sight, and are nofollow', async () => {
      const page = (await app.inject('/datasets')).body;
      const cityFacet = page.slice(
        page.indexOf('class="facets"'),
        page.indexOf('</ul>', page.indexOf('class="facets"')),
      );
      assert.equal(cityFacet.match(/<li>/g)?.length, 8);
      assert.match(page, /<details class="more-values"><summary>Ще \d+/);
      assert.ok(
        [...page.matchAll(/<a [^>]*href="\/datasets\?(city|theme|format|license|keyword)=/g)].every((m) =>
          m[0].includes('rel="nofollow"'),
        ),
      );
      // A rare city, chosen: shown among the first, marked current.
      const rare = (await app.inject('/api/v1/datasets?limit=1')).json().facets.city.at(-1).value;
      const filtered = (await app.inject(`/datasets?city=${rare}`)).body;
      const visible = filtered.slice(
        filtered.indexOf('class="facets"'),
        filtered.indexOf('</ul>', filtered.indexOf('class="facets"')),
      );
      assert.match(visible, /href="\/datasets"[^>]*aria-current="true"/);
      assert.match(filtered, /<summary class="button">Фільтри \(1\)<\/summary>/);
    });

    test('the list page folds each per-city series into one entry, and a series, a city or a search shows each', async () => {
      const entries = (body: string) => body.match(/<li>\s*<h2><a href="\/datasets\//g)?.length ?? 0;
      const ranking = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM datasets WHERE name LIKE '%-transparency-ranking' AND state = 'published'`,
      );
      assert.ok(ranking!.n > 20);
      const all = (await app.inject('/datasets')).body;
      assert.equal((all.match(/>Рейтинг прозорості: /g) ?? []).length, 1, 'the ranking series is one entry');
      assert.match(all, new RegExp(`Одна з серії: ${ranking!.n} наб`));
      assert.match(all, /href="\/datasets\?series=transparency-ranking"/);
      const published = (await app.inject('/api/v1/datasets?limit=1')).json().total;
      assert.match(all, new RegExp(`Знайдено ${published} `), 'the status still counts datasets');
      const series = (await app.inject('/datasets?series=transparency-ranking')).body;
      assert.match(series, new RegExp(`Знайдено ${ranking!.n} `));
      assert.equal(entries(series), 20, 'a page of the series, each city’s dataset');
      assert.match(series, /серія «transparency-ranking» ✕/);
      const lviv = (await app.inject('/datasets?city=lviv')).body;
      assert.match(lviv, /Рейтинг прозорості: Львів/);
      assert.doesNotMatch(lviv, /Одна з серії/);
      assert.equal((await app.inject('/datasets?series=..%2Fx')).statusCode, 400);
    });

    test('search: words in any language, typos tolerated, facets counted, drafts hidden', async () => {
      const budget = (await app.inject('/api/v1/datasets?q=бюджет')).json();
      assert.deepEqual(
        budget.items
          .slice(0, 2)
          .map((d: { name: string }) => d.name)
          .sort(),
        ['lviv-budget-2024', 'lviv-participatory-budget-1'],
        'the city budget and the participatory budget',
      );
      const typo = (await app.inject(`/api/v1/datasets?q=${encodeURIComponent('бюджт')}`)).json();
      assert.ok(
        typo.items.some((d: { name: string }) => d.name === 'lviv-budget-2024'),
        'a typo still finds it',
      );
      const englishTypo = (await app.inject('/api/v1/datasets?q=budjet')).json();
      assert.ok(
        englishTypo.items.some((d: { name: string }) => d.name === 'lviv-budget-2024'),
        'one wrong letter in English too',
      );
      const english = (await app.inject('/api/v1/datasets?q=transport%20stops')).json();
      assert.deepEqual(
        english.items.map((d: { name: string }) => d.name),
        ['lviv-public-transport-stops'],
      );
      const all = (await app.inject('/api/v1/datasets?limit=100')).json();
      assert.ok(
        !all.items.some((d: { name: string }) => d.name === 'lviv-council-decisions-draft'),
        'drafts are not public',
      );
      assert.equal(all.total, all.items.length);
      const lvivFacet = all.facets.city.find((f: { value: string }) => f.value === 'lviv');
      assert.equal(
        lvivFacet.count,
        10,
        'budget, stops, the petitions export, the participatory budget, the transparency ranking, procurement, community events, the showcase, data requests and the datathon',
      );
      const csv = (await app.inject('/api/v1/datasets?format=csv')).json();
      assert.equal(csv.total, all.facets.format.find((f: { value: string }) => f.value === 'CSV').count);
      const econ = (await app.inject('/api/v1/datasets?theme=ECON&city=zhytomyr')).json();
      assert.deepEqual(
        econ.items.map((d: { name: string }) => d.name),
        ['zhytomyr-procurement-2023'],
      );
      for (const q of ["'; DROP TABLE datasets; --", '%_%', '\\']) {
        const response = await app.inject(`/api/v1/datasets?q=${encodeURIComponent(q)}`);
        assert.equal(response.statusCode, 200, q);
      }
      assert.equal((await app.inject('/api/v1/datasets?theme=NOPE')).statusCode, 400);
      assert.equal((await app.inject('/api/v1/datasets?sort=price')).statusCode, 400);
    });

    test('a city editor creates a draft, adds a resource, publishes it; others see it only then', async () => {
      const created = await editor.submit('/datasets/new', '/datasets/new', datasetFields('lviv-property'));
      assert.equal(created.statusCode, 303);
      assert.equal(created.headers.location, '/datasets/lviv-property');
      const page = await editor.get('/datasets/lviv-property');
      assert.match(page.body, /Чернетка/);
      assert.ok(!page.body.includes('<script>alert(1)</script>'));
      assert.equal(
        (await app.inject('/datasets/lviv-property')).statusCode,
        404,
        'anonymous visitors do not see drafts',
      );
      assert.equal((await app.inject('/api/v1/datasets/lviv-property')).statusCode, 404);
      const otherEditor = new Client(app);
      await otherEditor.login('assessor@hromada.demo', DEMO_PASSWORD);
      assert.equal((await otherEditor.get('/datasets/lviv-property')).statusCode, 404);

      const resource = await editor.submit(
        '/datasets/lviv-property/resources/new',
        '/datasets/lviv-property/resources/new',
        { name: 'Реєстр (CSV)', url: 'https://data.lviv.example/property.csv', format: '', description: '' },
      );
      assert.equal(resource.statusCode, 303);
      const badLink = await editor.submit(
        '/datasets/lviv-property/resources/new',
        '/datasets/lviv-property/resources/new',
        { name: 'x', url: 'javascript:alert(1)', format: '', description: '' },
      );
      assert.equal(badLink.statusCode, 422);

      const published = await editor.submit('/datasets/lviv-property/edit', '/datasets/lviv-property/state', {
        state: 'published',
      });
      assert.equal(published.statusCode, 303);
      const api = (await app.inject('/api/v1/datasets/lviv-property')).json();
      assert.equal(api.state, 'published');
      assert.equal(api.resources[0].format, 'CSV', 'format taken from the link');
      assert.equal(api.quality, 86, 'all checks but themes pass');
      const history = await editor.get('/datasets/lviv-property/history');
      assert.match(history.body, /state: draft → published/);
      assert.match(history.body, /created/);
    });

    test('editors change only their own city; citizens cannot publish', async () => {
      const foreign = await editor.submit(
        '/datasets/new',
        '/datasets/new',
        datasetFields('zhytomyr-by-lviv', 'zhytomyr'),
      );
      assert.equal(foreign.statusCode, 422);
      assert.match(foreign.body, /лише свого міста/);
      assert.equal((await editor.get('/datasets/zhytomyr-procurement-2023/edit')).statusCode, 403);
      await editor.get('/datasets/lviv-budget-2024');
      const forged = await editor.post('/datasets/zhytomyr-procurement-2023/state', {
        _csrf: editor.csrfToken(),
        state: 'deleted',
      });
      assert.equal(forged.statusCode, 403);
      assert.equal((await app.inject('/api/v1/datasets/zhytomyr-procurement-2023')).statusCode, 200, 'unchanged');
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/datasets/new')).statusCode, 403);
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      assert.equal(
        (await admin.get('/datasets/zhytomyr-procurement-2023/edit')).statusCode,
        200,
        'admins edit any city',
      );
    });

    test('bad metadata is explained field by field and saves nothing', async () => {
      const bad = await editor.submit('/datasets/new', '/datasets/new', {
        ...datasetFields('X'),
        title_uk: '',
        license_id: 'WTFPL',
        temporal_start: '2024-13-40',
        temporal_end: '2023-01-01',
        contact_email: 'nope',
      });
      assert.equal(bad.statusCode, 422);
      for (const field of ['name', 'title_uk', 'license_id', 'temporal_start', 'contact_email'])
        assert.match(bad.body, new RegExp(`id="${field}-error"`), field);
      const duplicate = await editor.submit('/datasets/new', '/datasets/new', datasetFields('lviv-budget-2024'));
      assert.equal(duplicate.statusCode, 409);
      const count = await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM datasets WHERE name IN ('x', 'X')`);
      assert.equal(count!.n, 0);
    });

    test('the city page shows its open-data dashboard', async () => {
      const page = await app.inject('/cities/vinnytsia');
      assert.match(page.body, /href="\/datasets\?city=vinnytsia"/);
      assert.match(page.body, /Прострочені оновлення<\/h3><span class="stat">1</);
    });
  });
}

describe('quality score and overdue mark', () => {
  const base = {
    state: 'published',
    frequency: 'MONTHLY',
    data_updated_at: new Date('2026-01-01T00:00:00Z'),
    published_at: new Date('2025-01-01T00:00:00Z'),
  } as const;
  test('a monthly dataset is overdue after 35 days without new data; irregular ones never are', () => {
    assert.equal(isOverdue(base, new Date('2026-02-01T00:00:00Z')), false);
    assert.equal(isOverdue(base, new Date('2026-02-10T00:00:00Z')), true);
    assert.equal(isOverdue({ ...base, frequency: 'IRREG' }, new Date('2030-01-01T00:00:00Z')), false);
    assert.equal(isOverdue({ ...base, state: 'draft' }, new Date('2030-01-01T00:00:00Z')), false);
  });
  test('each missing piece of metadata costs points', () => {
    const dataset = {
      ...base,
      description_uk: 'short',
      license_id: 'other-closed',
      temporal_start: null,
      temporal_end: null,
      spatial: null,
      contact_email: null,
      keywords: [],
      themes: [],
      data_updated_at: new Date(),
    } as unknown as Dataset;
    assert.equal(qualityScore(dataset, []).score, 14, 'only the kept frequency');
    const good = {
      ...dataset,
      description_uk: 'x'.repeat(60),
      license_id: 'CC0-1.0',
      temporal_start: '2024-01-01',
      spatial: 'Львів',
      contact_email: 'a@b.c',
      keywords: ['a'],
      themes: ['GOVE'],
    } as unknown as Dataset;
    assert.equal(qualityScore(good, [{ format: 'csv' } as never]).score, 100);
  });
});

describe('feeds and machine-readable views', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await createTestApp('pglite');
  });
  after(() => app.close());

  test('datapackage.json, schema.org JSON-LD, sitemap and Atom list published datasets only', async () => {
    const pkg = (await app.inject('/datasets/lviv-budget-2024/datapackage.json')).json();
    assert.equal(pkg.name, 'lviv-budget-2024');
    assert.equal(pkg.licenses[0].name, 'CC-BY-4.0');
    assert.equal(pkg.resources.length, 2);
    assert.equal((await app.inject('/datasets/lviv-council-decisions-draft/datapackage.json')).statusCode, 404);

    const page = await app.inject('/datasets/lviv-budget-2024');
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page.body)![1]!);
    assert.equal(jsonLd['@type'], 'Dataset');
    assert.equal(jsonLd.distribution.length, 2);
    assert.match(
      page.body,
      /<link rel="alternate" type="application\/json" href="\/datasets\/lviv-budget-2024\/datapackage.json"/,
    );

    const sitemap = await app.inject('/sitemap.xml');
    assert.match(sitemap.headers['content-type'] as string, /xml/);
    assert.match(sitemap.body, /\/datasets\/lviv-budget-2024<\/loc>/);
    assert.match(sitemap.body, /\/cities\/lviv<\/loc>/);
    assert.ok(!sitemap.body.includes('lviv-council-decisions-draft'));

    const atom = await app.inject('/datasets/feed.atom');
    assert.match(atom.headers['content-type'] as string, /atom\+xml/);
    assert.match(atom.body, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    assert.ok(!atom.body.includes('lviv-council-decisions-draft'));
    const published = (await app.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets WHERE state = 'published'`,
    ))!.n;
    assert.equal(
      (atom.body.match(/<entry>/g) ?? []).length,
      Math.min(50, published),
      'the newest 50 published datasets',
    );
  });
});
