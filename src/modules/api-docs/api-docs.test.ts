import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp } from '../../../test/helpers.ts';
import { LOCALES, messageKeys, translator } from '../../platform/i18n/locales.ts';

describe('API document and operator endpoints', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await createTestApp('pglite');
  });
  after(() => app.close());

  test('the OpenAPI 3.1 document lists the /api/v1 endpoints and nothing else', async () => {
    const response = await app.inject('/api/v1/openapi.json');
    assert.equal(response.statusCode, 200);
    const spec = response.json();
    assert.equal(spec.openapi, '3.1.0');
    const paths = Object.keys(spec.paths).sort();
    assert.deepEqual(paths, [
      '/api/v1/academy/certificates/{code}',
      '/api/v1/academy/courses',
      '/api/v1/academy/courses/{slug}',
      '/api/v1/budgets',
      '/api/v1/budgets/{id}',
      '/api/v1/budgets/{id}/ballot',
      '/api/v1/budgets/{id}/projects',
      '/api/v1/cities',
      '/api/v1/cities/{slug}',
      '/api/v1/cities/{slug}/compliance',
      '/api/v1/cities/{slug}/inventory',
      '/api/v1/cities/{slug}/petition-stats',
      '/api/v1/city-budgets',
      '/api/v1/city-budgets/compare',
      '/api/v1/city-budgets/{city}/{year}',
      '/api/v1/compliance',
      '/api/v1/data-requests',
      '/api/v1/data-requests/stats',
      '/api/v1/data-requests/{id}',
      '/api/v1/datasets',
      '/api/v1/datasets/{name}',
      '/api/v1/datathons',
      '/api/v1/datathons/{id}/challenges',
      '/api/v1/datathons/{id}/results',
      '/api/v1/datathons/{id}/submissions',
      '/api/v1/events',
      '/api/v1/events/{id}',
      '/api/v1/handbook',
      '/api/v1/mandatory-datasets',
      '/api/v1/me',
      '/api/v1/oblasts',
      '/api/v1/organizations',
      '/api/v1/organizations/{slug}',
      '/api/v1/petitions',
      '/api/v1/petitions/{id}',
      '/api/v1/petitions/{id}/signatures',
      '/api/v1/procurement/cities/{slug}/procedures',
      '/api/v1/procurement/cities/{slug}/records',
      '/api/v1/procurement/procedures/{ocid}',
      '/api/v1/ranking/campaigns',
      '/api/v1/ranking/campaigns/{id}',
      '/api/v1/ranking/campaigns/{id}/results',
      '/api/v1/ranking/campaigns/{id}/scores',
      '/api/v1/ranking/methodologies/{id}',
      '/api/v1/resources/{id}',
      '/api/v1/resources/{id}/records',
      '/api/v1/showcase',
      '/api/v1/showcase/{name}',
    ]);
    const list = spec.paths['/api/v1/cities'].get;
    assert.deepEqual(list.parameters.map((p: { name: string }) => p.name).sort(), [
      'lang',
      'limit',
      'oblast',
      'offset',
      'q',
      'sort',
    ]);
    assert.ok(list.responses['200'].content['application/json'].schema.properties.total);
    assert.equal(spec.components.securitySchemes.bearerAuth.scheme, 'bearer');
  });

  test('the browsable docs render every endpoint, escaped, in the reader language', async () => {
    const page = await app.inject({ url: '/api/docs', cookies: { hromada_lang: 'en' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /API documentation/);
    for (const path of ['/api/v1/cities', '/api/v1/cities/{slug}', '/api/v1/me'])
      assert.ok(page.body.includes(`GET ${path}`), path);
    // A table of contents leading to each operation, the CKAN Action API and the DCAT endpoints.
    const contents = page.body.slice(page.body.indexOf('<nav aria-labelledby="api-contents">'));
    const toc = contents.slice(0, contents.indexOf('</nav>'));
    for (const anchor of ['api-overview', 'api-endpoints', 'op-GET--api-v1-cities', 'api-ckan', 'api-dcat']) {
      assert.ok(toc.includes(`href="#${anchor}"`), anchor);
      assert.ok(page.body.includes(`id="${anchor}"`), anchor);
    }
    const section = (id: string) => page.body.slice(page.body.indexOf(`id="${id}"`)).split('</section>')[0]!;
    assert.match(section('op-GET--api-v1-me'), /Needs a token\./);
    assert.doesNotMatch(section('op-GET--api-v1-cities'), /Needs a token/, 'a token is optional on public reads');
    assert.equal(page.body.match(/Needs a token\./g)?.length, 3, 'only getMe, signPetition and saveBudgetBallot');
    for (const action of ['package_search', 'package_show', 'datastore_search', 'organization_list', 'help_show'])
      assert.ok(
        page.body.includes(`<a href="/api/3/action/help_show?name=${action}"><code>${action}</code></a>`),
        action,
      );
    assert.ok(page.body.includes('&lt;name&gt;'), 'CKAN text escaped');
    for (const href of ['/catalog.ttl', '/catalog.jsonld', '/catalog.rdf'])
      assert.ok(page.body.includes(`href="${href}"`));
    const help = await app.inject('/api/3/action/help_show?name=package_search');
    assert.equal(help.json().success, true, 'the linked help exists');
    const ukrainian = await app.inject('/api/docs');
    assert.match(ukrainian.body, /<h2 id="api-contents">Зміст<\/h2>/);
    assert.match(ukrainian.body, /Список міст/);
    assert.match(ukrainian.body, /Рядки ресурсу зі сховища/);
    // Every operation and every described parameter has its text in each language.
    const spec = (await app.inject('/api/v1/openapi.json')).json();
    const operations = Object.values<
      Record<string, { operationId: string; parameters?: { name: string; description?: string }[] }>
    >(spec.paths).flatMap((methods) => Object.values(methods));
    // A parameter uses the shared text only when it was written for the same English description.
    const english = translator('en');
    for (const locale of LOCALES) {
      const keys = new Set(messageKeys(locale));
      for (const op of operations) {
        assert.ok(keys.has(`api.ops.${op.operationId}.summary`), `${locale}: ${op.operationId}`);
        for (const p of op.parameters ?? []) {
          if (!p.description) continue;
          const own = keys.has(`api.ops.${op.operationId}.params.${p.name}`);
          assert.ok(
            own || (keys.has(`api.params.${p.name}`) && english(`api.params.${p.name}`) === p.description),
            `${locale}: ${op.operationId} parameter ${p.name}`,
          );
        }
      }
    }
    const records = ukrainian.body.slice(ukrainian.body.indexOf('id="op-GET--api-v1-resources--id--records"'));
    const recordsSection = records.slice(0, records.indexOf('</section>'));
    assert.match(recordsSection, /Поля через кому, кожне за бажанням з asc або desc/);
    assert.doesNotMatch(recordsSection, /population|1–500/, "the records query does not borrow the cities' texts");
    assert.match(ukrainian.body, /Скільки записів пропустити/);
  });

  test('health and readiness', async () => {
    assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' });
    const ready = (await app.inject('/readyz')).json();
    assert.equal(ready.status, 'ready');
    assert.equal(ready.database, 'pglite');
    assert.match(ready.schema, /^\d{4}$/);
  });

  test('security headers on every page: strict CSP, no sniffing, no framing', async () => {
    const page = await app.inject('/');
    const csp = String(page.headers['content-security-policy']).split(';');
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      assert.ok(csp.includes(directive), directive);
    }
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(page.headers['strict-transport-security'], undefined, 'no HSTS on plain http');
  });

  test('the home page leads to every part of the platform, with live counts', async () => {
    const page = await app.inject('/');
    for (const href of ['/datasets', '/ranking', '/petitions', '/budgets', '/cities', '/cities/map', '/api/docs'])
      assert.match(page.body, new RegExp(`<a href="${href}">`), href);
    const published = (await app.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM datasets WHERE state = 'published'`,
    ))!.n;
    // The front door's link to the whole catalog gives the number of published datasets.
    assert.match(page.body, new RegExp(`<a href="/datasets">[^<]*[^0-9<]${published}[^0-9<][^<]*</a>`));
  });

  test('unknown API paths are problem+json; unknown pages are a translated 404 page', async () => {
    const api = await app.inject('/api/v1/nothing');
    assert.equal(api.statusCode, 404);
    assert.match(api.headers['content-type'] as string, /problem\+json/);
    const page = await app.inject({ url: '/nothing', cookies: { hromada_lang: 'bg' } });
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /Страницата не е намерена/);
  });
});

describe('behind https', () => {
  test('cookies are Secure and HSTS is sent when the public address is https', async () => {
    const app = await createTestApp('pglite', { demo: false, config: { publicUrl: 'https://hromada.example.org' } });
    try {
      const page = await app.inject('/login');
      assert.match(String(page.headers['strict-transport-security']), /max-age=/);
      const csrfCookie = String(page.headers['set-cookie']);
      assert.match(csrfCookie, /Secure/);
      assert.match(csrfCookie, /HttpOnly/);
      const lang = await app.inject('/lang/en?next=/');
      assert.match(String(lang.headers['set-cookie']), /Secure/);
    } finally {
      await app.close();
    }
  });
});
