import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';

for (const engine of ENGINES) {
  describe(`cities on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('the API lists cities with the total, sorted by name in the Ukrainian alphabet', async () => {
      const response = await app.inject('/api/v1/cities?limit=100');
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.ok(body.total >= 50);
      const names: string[] = body.items.map((c: { name: { uk: string } }) => c.name.uk);
      const collator = new Intl.Collator('uk', { ignorePunctuation: true });
      assert.deepEqual(names, [...names].sort(collator.compare));
      // і and є come between и/е and й/ж in Ukrainian, not after я as in code point order
      assert.ok(names.indexOf('Ізмаїл') < names.indexOf('Київ'));
      assert.ok(names.indexOf('Євпаторія') < names.indexOf('Житомир'));
    });

    test('search matches any language and any case; sort by population; paginate', async () => {
      const lviv = (await app.inject('/api/v1/cities?q=львів')).json();
      assert.deepEqual(
        lviv.items.map((c: { slug: string }) => c.slug),
        ['lviv'],
      );
      assert.equal((await app.inject('/api/v1/cities?q=LVIV')).json().total, 1);
      assert.equal((await app.inject('/api/v1/cities?q=Лвов')).json().total, 1);
      assert.equal(
        (await app.inject(`/api/v1/cities?q=${encodeURIComponent("кам'янець")}`)).json().items[0].slug,
        'kamianets-podilskyi',
      );
      const biggest = (await app.inject('/api/v1/cities?sort=-population&limit=3')).json();
      assert.deepEqual(
        biggest.items.map((c: { slug: string }) => c.slug),
        ['kyiv', 'kharkiv', 'odesa'],
      );
      const page2 = (await app.inject('/api/v1/cities?sort=-population&limit=3&offset=3')).json();
      assert.equal(page2.items[0].slug, 'dnipro');
      assert.equal(page2.offset, 3);
      const lvivska = (await app.inject('/api/v1/cities?oblast=lvivska')).json();
      assert.deepEqual(lvivska.items.map((c: { slug: string }) => c.slug).sort(), ['drohobych', 'lviv', 'stryi']);
    });

    test('SQL and LIKE metacharacters in search are plain text', async () => {
      for (const q of ["' OR 1=1 --", '%', '_', '\\', 'Київ"; DROP TABLE cities; --']) {
        const response = await app.inject(`/api/v1/cities?q=${encodeURIComponent(q)}`);
        assert.equal(response.statusCode, 200, q);
        assert.equal(response.json().total, 0, q);
      }
      assert.ok((await app.inject('/api/v1/cities')).json().total >= 50);
    });

    test('unknown or malformed parameters get problem+json naming the parameter', async () => {
      const cases: [string, RegExp][] = [
        ['/api/v1/cities?limit=0', /limit/],
        ['/api/v1/cities?limit=abc', /limit/],
        ['/api/v1/cities?limit=100000', /limit/],
        ['/api/v1/cities?sort=drop', /sort/],
        ['/api/v1/cities?colour=red', /colour/],
        ['/api/v1/cities?lang=xx', /lang/],
        ['/api/v1/cities?oblast=%3Cscript%3E', /oblast/],
      ];
      for (const [url, pattern] of cases) {
        const response = await app.inject(url);
        assert.equal(response.statusCode, 400, url);
        assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
        const problem = response.json();
        assert.equal(problem.status, 400);
        assert.match(problem.detail, pattern, url);
        assert.ok(problem.errors.length > 0);
      }
      const missing = await app.inject('/api/v1/cities/atlantis');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().title, 'Not Found');
      const badSlug = await app.inject('/api/v1/cities/BAD%20SLUG');
      assert.equal(badSlug.statusCode, 400);
    });

    test('one city, and the oblasts', async () => {
      const city = (await app.inject('/api/v1/cities/lviv')).json();
      assert.equal(city.name.bg, 'Лвов');
      assert.equal(city.oblast.slug, 'lvivska');
      assert.deepEqual(city.location, { latitude: 49.8397, longitude: 24.0297 });
      const oblasts = (await app.inject('/api/v1/oblasts')).json();
      assert.equal(oblasts.total, 26);
    });

    test('the list page filters, sorts and speaks the chosen language', async () => {
      const page = await app.inject('/cities?oblast=lvivska&sort=-population');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<html lang="uk">/);
      assert.match(page.body, /Знайдено 3 міста/);
      const order = ['Львів', 'Дрогобич', 'Стрий'].map((name) => page.body.indexOf(`>${name}<`));
      assert.ok(order[0]! > 0 && order[0]! < order[1]! && order[1]! < order[2]!, 'sorted by population');
      const english = await app.inject({ url: '/cities?q=lviv', cookies: { hromada_lang: 'en' } });
      assert.match(english.body, /<html lang="en">/);
      assert.match(english.body, /1 city found/);
      const bulgarian = await app.inject({ url: '/cities/lviv', cookies: { hromada_lang: 'bg' } });
      assert.match(bulgarian.body, /<h1>Лвов<\/h1>/);
      const bad = await app.inject('/cities?sort=nonsense');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /неправильні параметри/);
    });

    test('the language switcher remembers the choice and refuses unknown languages', async () => {
      const switched = await app.inject('/lang/bg?next=/cities');
      assert.equal(switched.statusCode, 303);
      assert.equal(switched.headers.location, '/cities');
      assert.match(String(switched.headers['set-cookie']), /hromada_lang=bg/);
      assert.equal((await app.inject('/lang/de?next=/')).statusCode, 400);
      const offsite = await app.inject('/lang/en?next=//evil.example/');
      assert.equal(offsite.headers.location, '/');
      const person = new Client(app);
      await person.login('citizen@hromada.demo', DEMO_PASSWORD);
      await person.get('/lang/en?next=/');
      const stored = await app.db.one<{ locale: string }>(
        `SELECT locale FROM users WHERE email = 'citizen@hromada.demo'`,
      );
      assert.equal(stored?.locale, 'en', 'e-mails follow the chosen language');
      const invalidCookie = await app.inject({ url: '/', cookies: { hromada_lang: 'xx' } });
      assert.match(invalidCookie.body, /<html lang="uk">/);
    });

    test('an admin adds a city; names with markup are shown escaped and the change is audited', async () => {
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const fields = {
        slug: 'test-town',
        name_uk: '<script>alert(1)</script>Тестове',
        name_en: 'Test <b>Town</b>',
        name_bg: 'Тестово',
        oblast_slug: 'lvivska',
        population: '12 345',
        latitude: '49,5',
        longitude: '24.1',
        website: 'https://example.org/',
        katottg: '',
        edrpou: '',
      };
      const created = await admin.submit('/admin/cities/new', '/admin/cities/new', fields);
      assert.equal(created.statusCode, 303);
      const page = await app.inject('/cities/test-town');
      assert.ok(!page.body.includes('<script>alert(1)</script>'));
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;Тестове/);
      const api = (await app.inject('/api/v1/cities/test-town')).json();
      assert.equal(api.population, 12345);
      assert.equal(api.location.latitude, 49.5);
      const audit = await app.db.one<{ action: string; after: { name_en: string } }>(
        `SELECT action, after FROM audit_events WHERE entity_type = 'city' ORDER BY id DESC LIMIT 1`,
      );
      assert.equal(audit?.action, 'city.create');
      assert.equal(audit?.after.name_en, 'Test <b>Town</b>');

      const duplicate = await admin.submit('/admin/cities/new', '/admin/cities/new', fields);
      assert.equal(duplicate.statusCode, 409);
      assert.match(duplicate.body, /Цей ідентифікатор уже зайнятий/);

      const invalid = await admin.submit('/admin/cities/new', '/admin/cities/new', {
        ...fields,
        slug: 'Bad Slug',
        population: '-5',
        latitude: '91',
        website: 'javascript:alert(1)',
      });
      assert.equal(invalid.statusCode, 422);
      for (const field of ['slug', 'population', 'latitude', 'website'])
        assert.match(invalid.body, new RegExp(`id="${field}-error"`), field);
      assert.equal((await app.inject('/api/v1/cities?q=test')).json().total, 1, 'nothing else was created');

      const edited = await admin.submit('/admin/cities/test-town/edit', '/admin/cities/test-town/edit', {
        ...fields,
        population: '20000',
      });
      assert.equal(edited.statusCode, 303);
      const update = await app.db.one<{ before: { population: number }; after: { population: number } }>(
        `SELECT before, after FROM audit_events WHERE action = 'city.update' ORDER BY id DESC LIMIT 1`,
      );
      assert.deepEqual([update?.before.population, update?.after.population], [12345, 20000]);

      const deleted = await admin.submit('/admin/cities/test-town/edit', '/admin/cities/test-town/delete', {});
      assert.equal(deleted.statusCode, 303);
      assert.equal((await app.inject('/api/v1/cities/test-town')).statusCode, 404);
    });

    test('anonymous visitors get the list from a cache that a change of any city renews at once', async () => {
      const first = await app.inject('/cities?q=lviv');
      const again = await app.inject('/cities?q=lviv');
      assert.equal(again.body, first.body);
      assert.match(first.body, />Львів</);
      const api = (await app.inject('/api/v1/cities?q=lviv&lang=en')).json();
      assert.equal(api.items[0].name.en, 'Lviv');
      await app.db.query(`UPDATE cities SET name_uk = 'Львів-оновлено', name_en = 'Lviv renamed' WHERE slug = 'lviv'`);
      try {
        // The new version arrives by NOTIFY, a moment after the change commits.
        let page = '';
        for (let i = 0; i < 50 && !page.includes('Львів-оновлено'); i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          page = (await app.inject('/cities?q=lviv')).body;
        }
        assert.match(page, />Львів-оновлено</);
        assert.equal((await app.inject('/api/v1/cities?q=lviv&lang=en')).json().items[0].name.en, 'Lviv renamed');
      } finally {
        await app.db.query(`UPDATE cities SET name_uk = 'Львів', name_en = 'Lviv' WHERE slug = 'lviv'`);
      }
      // The response keeps the schema's shape: nothing beyond the documented fields.
      assert.deepEqual(Object.keys(api).sort(), ['items', 'limit', 'offset', 'total']);
    });

    test('the map page loads the island and Leaflet from this server only', async () => {
      const page = await app.inject('/cities/map');
      assert.equal(page.statusCode, 200);
      const src = /src="(\/static\/build\/cities-map\.[0-9a-f]{12}\.js)"/.exec(page.body)?.[1];
      assert.ok(src, 'the island, by its content hash');
      assert.ok(!/https?:\/\/(?!localhost)/.test(page.body.replace(/<a [^>]*>/g, '')), 'no external URL');
      const script = await app.inject(src);
      assert.equal(script.statusCode, 200);
      assert.ok(script.body.length > 10_000, 'Leaflet is bundled');
      assert.equal((await app.inject('/static/vendor/leaflet/leaflet.css')).statusCode, 200);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /img-src 'self' data:;/, 'no tile server configured: no image origin but this one');
      assert.ok(!csp.includes('unsafe-inline'));
      assert.doesNotMatch(page.body, /data-map-tiles/);
    });

    test('the offline base map: every region of the boundary file, named in the asked language, with its ISO code', async () => {
      const regions = async (lang: string) => {
        const response = await app.inject(`/geo/oblasts.geojson?lang=${lang}`);
        assert.equal(response.statusCode, 200);
        assert.match(String(response.headers['content-type']), /^application\/geo\+json/);
        return (
          JSON.parse(response.body) as { features: { properties: { iso: string; slug: string; name: string } }[] }
        ).features;
      };
      const [uk, en, bg] = [await regions('uk'), await regions('en'), await regions('bg')];
      assert.equal(uk.length, 27, '24 oblasts, Crimea, Kyiv and Sevastopol');
      assert.equal(new Set(uk.map((f) => f.properties.iso)).size, 27);
      const lvivska = (features: typeof uk) => features.find((f) => f.properties.iso === 'UA-46')!.properties;
      assert.deepEqual(
        [lvivska(uk).slug, lvivska(uk).name, lvivska(en).name, lvivska(bg).name],
        ['lvivska', 'Львівська область', 'Lviv Oblast', 'Лвовска област'],
      );
      const oblasts = await app.db.query<{ slug: string }>('SELECT slug FROM oblasts WHERE iso_code IS NULL');
      assert.deepEqual(oblasts, [], 'every region of the table has its ISO code');
      assert.ok(
        uk.every((f) => f.properties.name && !/Oblast/.test(f.properties.name)),
        'Ukrainian names only',
      );
      assert.equal((await app.inject('/geo/oblasts.geojson?lang=fr')).statusCode, 400);
    });
  });
}
