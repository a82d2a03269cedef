import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { localPath } from './redirects.ts';

/** What an attacker puts in `next`, as it appears in the query string (already percent-encoded). */
const OFFSITE = [
  '/%09/evil.example/landing', // a tab, which browsers drop: "//evil.example/landing"
  '//evil.example',
  '/%5Cevil.example', // "/\evil.example"
  '/%5C%5Cevil.example',
  'https://evil.example',
  'https:%2F%2Fevil.example',
  '/%0d/x',
  '/%0a/x',
  '/%0d%0aSet-Cookie:%20x=1',
  '/%00/x',
  '/%20/evil.example',
  '/%E2%80%8B/evil.example', // a zero-width space
  'javascript:alert(1)',
  'javascript%3Aalert(1)',
  '/..//evil.example', // resolves to "//evil.example"
  '/.//evil.example',
  '%2F%2Fevil.example',
  'evil.example',
  '',
];

/** A NUL byte never reaches a route: the platform refuses it with a 400 (platform/http/input.ts). */
const reachesRoutes = (next: string) => !next.includes('%00');

describe('localPath', () => {
  test('keeps a path on this site, with its query and fragment', () => {
    assert.equal(localPath('/datasets?q=x'), '/datasets?q=x');
    assert.equal(localPath('/cities/lviv#map', '/x'), '/cities/lviv#map');
    assert.equal(localPath('/'), '/');
    assert.equal(localPath('/cities?q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2'), '/cities?q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2');
  });

  test('percent-encodes what a Location header cannot carry', () => {
    assert.equal(localPath('/。/x'), '/%E3%80%82/x');
    assert.equal(localPath('/cities?q=львів'), '/cities?q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2');
  });

  test('anything that is not a path on this site gives the fallback', () => {
    for (const target of OFFSITE.map(decodeURIComponent))
      assert.equal(localPath(target, '/home'), '/home', JSON.stringify(target));
    for (const target of ['/\t/evil.example', '/\\evil.example', '\\\\evil.example', '/a\\b', '/\u2028/x', '/\u0085/x'])
      assert.equal(localPath(target, '/home'), '/home', JSON.stringify(target));
    for (const target of [undefined, null, 42, ['/a'], { toString: () => '/a' }])
      assert.equal(localPath(target, '/home'), '/home');
  });
});

for (const engine of ENGINES) {
  describe(`redirect targets on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('the language switch goes back only to a page of this site', async () => {
      for (const next of OFFSITE.filter(reachesRoutes)) {
        const response = await app.inject(`/lang/en?next=${next}`);
        assert.equal(response.statusCode, 303, `${next}: ${response.body}`);
        assert.equal(response.headers.location, '/', next);
      }
      for (const [next, location] of [
        ['/%E3%80%82/x', '/%E3%80%82/x'],
        ['%2Fdatasets%3Fq%3Dx', '/datasets?q=x'],
        ['/datasets?q=x', '/datasets?q=x'],
      ]) {
        const response = await app.inject(`/lang/en?next=${next}`);
        assert.equal(response.statusCode, 303, next);
        assert.equal(response.headers.location, location, next);
      }
    });

    test('after login, only a page of this site; otherwise the account page', async () => {
      for (const [i, next] of OFFSITE.filter(reachesRoutes).entries()) {
        // One address each: logging in to one account is rate limited per address.
        const client = new Client(app, `198.51.100.${i + 1}`);
        const form = await client.get(`/login?next=${next}`);
        assert.equal(form.statusCode, 200, next);
        assert.match(form.body, /name="next" value=""/, `${next} is not carried to the form`);
        // Posted straight, as a forged form would.
        const response = await client.post('/login', {
          _csrf: client.csrfToken(),
          email: 'citizen@hromada.demo',
          password: DEMO_PASSWORD,
          next: decodeURIComponent(next),
        });
        assert.equal(response.statusCode, 303, next);
        assert.equal(response.headers.location, '/dashboard', next);
      }
      const client = new Client(app, '203.0.113.78');
      const form = await client.get(`/login?next=${encodeURIComponent('/datasets?q=x')}`);
      assert.match(form.body, /name="next" value="\/datasets\?q=x"/);
      const response = await client.post('/login', {
        _csrf: client.csrfToken(),
        email: 'citizen@hromada.demo',
        password: DEMO_PASSWORD,
        next: '/datasets?q=x',
      });
      assert.equal(response.headers.location, '/datasets?q=x');
    });

    test('a next with a NUL byte is refused before any route runs, naming next', async () => {
      const visit = await app.inject({ url: '/lang/en?next=/%00/x', headers: { cookie: 'hromada_lang=en' } });
      assert.equal(visit.statusCode, 400);
      assert.equal(visit.headers.location, undefined);
      assert.match(visit.body, /<li>next \(query\): /);
      const client = new Client(app, '203.0.113.79');
      await client.get('/login');
      const login = await client.post('/login', {
        _csrf: client.csrfToken(),
        email: 'citizen@hromada.demo',
        password: DEMO_PASSWORD,
        next: '/\0/x',
      });
      assert.equal(login.statusCode, 400);
      assert.equal(login.headers.location, undefined);
    });

    test('a page that needs a login sends there with a path of this site', async () => {
      const response = await app.inject('/account?tab=tokens');
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, `/login?next=${encodeURIComponent('/account?tab=tokens')}`);
    });
  });
}
