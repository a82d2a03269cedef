// The CKAN Action API as a CKAN client (ckanapi, a harvester, a datathon script) uses it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';

async function tokenFor(app: FastifyInstance, email: string): Promise<string> {
  const client = new Client(app);
  await client.login(email, DEMO_PASSWORD);
  await client.get('/account');
  const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'ckan' });
  return /id="new-token">([^<]+)</.exec(page.body)![1]!;
}

for (const engine of ENGINES) {
  describe(`CKAN action API on ${engine}`, () => {
    let app: FastifyInstance;
    let editorToken: string;
    const call = (action: string, options: { query?: string; body?: unknown; token?: string } = {}) =>
      app.inject({
        method: options.body === undefined ? 'GET' : 'POST',
        url: `/api/3/action/${action}${options.query ? `?${options.query}` : ''}`,
        headers: options.token ? { authorization: options.token } : {},
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });
    before(async () => {
      app = await createTestApp(engine);
      editorToken = await tokenFor(app, 'editor.lviv@hromada.demo');
    });
    after(() => app.close());

    test('status_show, license_list, package_list, organization_list, tag_list', async () => {
      const status = (await call('status_show')).json();
      assert.equal(status.success, true);
      assert.match(status.help, /help_show\?name=status_show/);
      assert.equal(status.result.api_version, 3);
      assert.ok((await call('license_list')).json().result.some((l: { id: string }) => l.id === 'CC-BY-4.0'));
      const packages = (await call('package_list')).json().result;
      assert.ok(packages.includes('lviv-budget-2024'));
      assert.ok(!packages.includes('lviv-council-decisions-draft'));
      assert.deepEqual([...packages].sort(), packages);
      assert.ok((await call('organization_list')).json().result.includes('lviv'));
      assert.equal((await call('organization_show', { query: 'id=lviv' })).json().result.title, 'Львів');
      assert.ok((await call('tag_list')).json().result.includes('бюджет'));
    });

    test('package_search with q, fq, rows, start, sort and facets', async () => {
      const response = await call('package_search', {
        query: `q=${encodeURIComponent('бюджет')}&fq=${encodeURIComponent('organization:lviv res_format:"CSV"')}&facet.field=${encodeURIComponent('["organization","res_format","tags","groups"]')}&rows=5`,
      });
      assert.equal(response.statusCode, 200);
      const result = response.json().result;
      assert.equal(result.count, 3, 'the city budget, the participatory budget and procurement ("бюджетних установ")');
      const budget = result.results.find((r: { name: string }) => r.name === 'lviv-budget-2024');
      assert.equal(budget.organization.name, 'lviv');
      assert.equal(budget.num_resources, 2);
      assert.ok(result.search_facets.res_format.items.some((i: { name: string }) => i.name === 'CSV'));
      assert.ok(result.search_facets.groups.items.some((i: { name: string }) => i.name === 'econ'));
      const paged = (await call('package_search', { query: 'rows=2&start=2&sort=name%20asc' })).json().result;
      const all = (await call('package_search', { query: 'rows=1000&sort=name%20asc' })).json().result;
      assert.deepEqual(
        paged.results.map((p: { name: string }) => p.name),
        all.results.slice(2, 4).map((p: { name: string }) => p.name),
      );
      const post = (await call('package_search', { body: { q: 'transport', rows: 10 } })).json();
      assert.equal(post.result.results[0].name, 'lviv-public-transport-stops');
    });

    test('errors come in CKAN shape with CKAN status codes', async () => {
      const unknown = await call('package_frobnicate');
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().success, false);
      const notFound = await call('package_show', { query: 'id=nope' });
      assert.equal(notFound.statusCode, 404);
      assert.equal(notFound.json().error.__type, 'Not Found Error');
      const draft = await call('package_show', { query: 'id=lviv-council-decisions-draft' });
      assert.equal(draft.statusCode, 404, 'drafts are hidden from anonymous clients');
      assert.equal(
        (await call('package_show', { query: 'id=lviv-council-decisions-draft', token: editorToken })).statusCode,
        200,
        'but not from their editors',
      );
      const missing = await call('package_show');
      assert.equal(missing.statusCode, 409);
      assert.deepEqual(missing.json().error.id, ['Missing value']);
      const rows = await call('package_search', { query: 'rows=1001' });
      assert.equal(rows.statusCode, 409);
      assert.ok(rows.json().error.rows);
      const fq = await call('package_search', { query: `fq=${encodeURIComponent('evil_field:1')}` });
      assert.equal(fq.statusCode, 409);
      const sql = await call('package_search', {
        query: `q=${encodeURIComponent("') OR 1=1 --")}&fq=${encodeURIComponent("tags:\"x' OR '1'='1\"")}`,
      });
      assert.equal(sql.statusCode, 200);
      assert.equal(sql.json().result.count, 0);
      const anonymousCreate = await call('package_create', { body: { name: 'x-y' } });
      assert.equal(anonymousCreate.statusCode, 403);
      assert.equal(anonymousCreate.json().error.__type, 'Authorization Error');
    });

    test('an editor creates, patches and deletes a dataset with a token (CKAN Authorization header)', async () => {
      const created = await call('package_create', {
        token: editorToken,
        body: {
          name: 'lviv-parking',
          title: 'Паркування у Львові',
          notes: 'Паркувальні майданчики міста, кількість місць і тарифи.',
          owner_org: 'lviv',
          license_id: 'CC-BY-4.0',
          tags: [{ name: 'паркування' }],
          groups: [{ name: 'tran' }],
          extras: [{ key: 'frequency', value: 'MONTHLY' }],
          resources: [{ name: 'Майданчики', url: 'https://data.lviv.example/parking.csv' }],
        },
      });
      assert.equal(created.statusCode, 200, created.body);
      const dataset = created.json().result;
      assert.equal(dataset.state, 'active');
      assert.deepEqual(
        dataset.groups.map((g: { name: string }) => g.name),
        ['tran'],
      );
      assert.equal(dataset.resources[0].format, 'CSV');
      const duplicate = await call('package_create', {
        token: editorToken,
        body: { name: 'lviv-parking', title: 'x', owner_org: 'lviv' },
      });
      assert.equal(duplicate.statusCode, 409);
      assert.equal(duplicate.json().error.__type, 'Validation Error');
      assert.ok(duplicate.json().error.name);
      const foreign = await call('package_create', {
        token: editorToken,
        body: { name: 'kyiv-by-lviv', title: 'x', owner_org: 'kyiv' },
      });
      assert.equal(foreign.statusCode, 403, 'as CKAN: not allowed to add a dataset to that organization');
      assert.equal(foreign.json().error.__type, 'Authorization Error');

      const patched = await call('package_patch', {
        token: editorToken,
        body: { id: 'lviv-parking', title: 'Паркування (оновлено)' },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().result.title, 'Паркування (оновлено)');
      assert.equal(
        patched.json().result.notes,
        'Паркувальні майданчики міста, кількість місць і тарифи.',
        'patch keeps other fields',
      );
      const resource = await call('resource_create', {
        token: editorToken,
        body: { package_id: 'lviv-parking', name: 'Тарифи', url: 'https://data.lviv.example/tariffs.json' },
      });
      assert.equal(resource.statusCode, 200);
      assert.equal(
        (await call('resource_show', { query: `id=${resource.json().result.id}` })).json().result.name,
        'Тарифи',
      );

      const upload = multipartBody(
        { package_id: 'lviv-parking', name: 'Місця (CSV)' },
        { name: 'places.csv', content: 'place,spaces\nРинок,40\n', field: 'upload' },
      );
      const uploaded = await app.inject({
        method: 'POST',
        url: '/api/3/action/resource_create',
        payload: upload.payload,
        headers: { 'content-type': upload.contentType, authorization: editorToken },
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      assert.equal(uploaded.json().result.format, 'CSV');
      const queued = await app.db.one<{ state: string }>('SELECT state FROM jobs WHERE resource_id = $1', [
        uploaded.json().result.id,
      ]);
      assert.equal(queued?.state, 'queued', 'the upload is queued for the DataStore');
      const foreignUpload = multipartBody(
        { package_id: 'kyiv-petitions-2024', name: 'x' },
        { name: 'x.csv', content: 'a\n1\n', field: 'upload' },
      );
      const refused = await app.inject({
        method: 'POST',
        url: '/api/3/action/resource_create',
        payload: foreignUpload.payload,
        headers: { 'content-type': foreignUpload.contentType, authorization: editorToken },
      });
      assert.equal(refused.statusCode, 403);

      const foreignDelete = await call('package_delete', { token: editorToken, body: { id: 'kyiv-petitions-2024' } });
      assert.equal(foreignDelete.statusCode, 403);
      const deleted = await call('package_delete', { token: editorToken, body: { id: 'lviv-parking' } });
      assert.equal(deleted.statusCode, 200);
      assert.equal((await call('package_show', { query: 'id=lviv-parking' })).statusCode, 404);
    });
  });
}
