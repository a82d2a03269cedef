// The CKAN API as the stock `ckanapi` client (RemoteCKAN) and browser apps on other sites call it:
// the requests below are the ones ckanapi sends (a POST of a JSON body to /api/action/<name>, with
// its User-Agent and, given a key, both X-CKAN-API-Key and Authorization), CKAN's version probes,
// its envelope for every error, CORS, JSONP, GET refused for writes, and help_show.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';

async function tokenFor(app: FastifyInstance, email: string): Promise<string> {
  const client = new Client(app);
  await client.login(email, DEMO_PASSWORD);
  await client.get('/account');
  const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'ckanapi' });
  return /id="new-token">([^<]+)</.exec(page.body)![1]!;
}

const USER_AGENT = 'ckanapi/4.8 (+https://github.com/ckan/ckanapi)';

/** RemoteCKAN.call_action: POST api/action/<name>, the data dict as a JSON body, the key twice. */
function remoteCkan(app: FastifyInstance, apikey?: string) {
  return (action: string, dataDict: unknown = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/action/${action}`,
      headers: {
        'user-agent': USER_AGENT,
        'content-type': 'application/json',
        ...(apikey ? { 'x-ckan-api-key': apikey, authorization: apikey } : {}),
      },
      payload: JSON.stringify(dataDict),
    });
}

/** What ckanapi's reverse_apicontroller_action needs: success and result, or error with __type. */
function envelope(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = response.json() as { help: string; success: boolean; result?: unknown; error?: Record<string, unknown> };
  assert.match(body.help, /\/api\/3\/action\/help_show\?name=/);
  assert.equal(typeof body.success, 'boolean');
  if (!body.success) {
    assert.equal(typeof body.error?.__type, 'string');
    assert.equal(typeof body.error?.message, 'string');
  }
  return body;
}

for (const engine of ENGINES) {
  describe(`ckanapi and browser clients on ${engine}`, () => {
    let app: FastifyInstance;
    let editorToken: string;
    let citizenToken: string;
    before(async () => {
      app = await createTestApp(engine);
      editorToken = await tokenFor(app, 'editor.lviv@hromada.demo');
      citizenToken = await tokenFor(app, 'citizen@hromada.demo');
    });
    after(() => app.close());

    test('the version probes answer as CKAN does', async () => {
      for (const [url, version] of [
        ['/api', 1],
        ['/api/', 1],
        ['/api/1', 1],
        ['/api/2', 2],
        ['/api/3', 3],
        ['/api/3/', 3],
      ] as const) {
        const response = await app.inject({ url, headers: { 'user-agent': USER_AGENT } });
        assert.equal(response.statusCode, 200, url);
        assert.match(response.headers['content-type'] as string, /^application\/json/);
        assert.deepEqual(response.json(), { version }, url);
      }
      assert.equal((await app.inject({ url: '/api/4' })).statusCode, 404);
    });

    test('RemoteCKAN reads through /api/action/<name> with a JSON body, anonymously and with a key', async () => {
      const anonymous = remoteCkan(app);
      const status = envelope(await anonymous('status_show'));
      assert.equal(status.success, true);
      assert.equal((status.result as { api_version: number }).api_version, 3);
      const show = envelope(await anonymous('package_show', { id: 'lviv-budget-2024' }));
      assert.equal((show.result as { name: string }).name, 'lviv-budget-2024');
      const search = envelope(await anonymous('package_search', { q: 'transport', rows: 5 }));
      assert.ok((search.result as { count: number }).count >= 1);
      const list = envelope(await anonymous('package_list', {}));
      assert.ok((list.result as string[]).includes('lviv-budget-2024'));
      // DataStore actions are served at both paths too (the demo has no DataStore table).
      const rows = await anonymous('datastore_search', { resource_id: '00000000-0000-4000-8000-000000000000' });
      assert.equal(rows.statusCode, 404);
      assert.equal(envelope(rows).error!.__type, 'Not Found Error');
      // A draft is seen with the editor's key, sent as ckanapi sends it.
      const draft = await remoteCkan(app, editorToken)('package_show', { id: 'lviv-council-decisions-draft' });
      assert.equal(draft.statusCode, 200);
      assert.equal(envelope(draft).success, true);
    });

    test('RemoteCKAN writes: create, patch and delete with the editor key', async () => {
      const call = remoteCkan(app, editorToken);
      const created = await call('package_create', {
        name: 'ckanapi-created',
        title: 'Created by ckanapi',
        notes: 'A dataset created as ckanapi creates one.',
        owner_org: 'lviv',
        license_id: 'CC-BY-4.0',
        tags: [{ name: 'ckanapi' }],
      });
      assert.equal(created.statusCode, 200, created.body);
      assert.equal((envelope(created).result as { name: string }).name, 'ckanapi-created');
      const patched = await call('package_patch', { id: 'ckanapi-created', title: 'Patched by ckanapi' });
      assert.equal((envelope(patched).result as { title: string }).title, 'Patched by ckanapi');
      // resource_create(package_id=..., upload=open(...)): multipart, the other fields as strings.
      const upload = multipartBody(
        { package_id: 'ckanapi-created', name: 'Rows' },
        { name: 'rows.csv', content: 'a,b\n1,2\n', field: 'upload' },
      );
      const uploaded = await app.inject({
        method: 'POST',
        url: '/api/action/resource_create',
        headers: {
          'user-agent': USER_AGENT,
          'content-type': upload.contentType,
          'x-ckan-api-key': editorToken,
          authorization: editorToken,
        },
        payload: upload.payload,
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      assert.equal((envelope(uploaded).result as { url_type: string }).url_type, 'upload');
      const deleted = await call('package_delete', { id: 'ckanapi-created' });
      assert.equal(deleted.statusCode, 200);
      assert.equal(envelope(deleted).result, null);
    });

    test('a citizen creating a dataset gets 403 Authorization Error, an editor elsewhere too', async () => {
      const byCitizen = await remoteCkan(app, citizenToken)('package_create', {
        name: 'citizen-dataset',
        title: 'Mine',
        owner_org: 'lviv',
        license_id: 'CC-BY-4.0',
      });
      assert.equal(byCitizen.statusCode, 403);
      assert.equal(envelope(byCitizen).error!.__type, 'Authorization Error');
      assert.match(envelope(byCitizen).error!.message as string, /^Access denied/);
      const elsewhere = await remoteCkan(app, editorToken)('package_create', {
        name: 'editor-elsewhere',
        title: 'Elsewhere',
        owner_org: 'kyiv',
        license_id: 'CC-BY-4.0',
      });
      assert.equal(elsewhere.statusCode, 403);
      assert.equal(envelope(elsewhere).error!.__type, 'Authorization Error');
      const anonymous = await remoteCkan(app)('package_create', { name: 'anon', owner_org: 'lviv' });
      assert.equal(anonymous.statusCode, 403);
      assert.equal(envelope(anonymous).error!.__type, 'Authorization Error');
    });

    test('an unknown token is no token, as in CKAN 2.10+: reads work, writes get 403', async () => {
      const call = remoteCkan(app, 'not-a-real-token');
      const read = await call('package_show', { id: 'lviv-budget-2024' });
      assert.equal(read.statusCode, 200);
      assert.equal(envelope(read).success, true);
      const draft = await call('package_show', { id: 'lviv-council-decisions-draft' });
      assert.equal(draft.statusCode, 404);
      const write = await call('package_create', { name: 'x-x', owner_org: 'lviv' });
      assert.equal(write.statusCode, 403);
      assert.equal(envelope(write).error!.__type, 'Authorization Error');
      const probe = await app.inject({ url: '/api/3', headers: { authorization: 'not-a-real-token' } });
      assert.deepEqual(probe.json(), { version: 3 });
      // The rest of the API still says the token is wrong.
      const v1 = await app.inject({ url: '/api/v1/cities', headers: { authorization: 'Bearer not-a-real-token' } });
      assert.equal(v1.statusCode, 401);
    });

    test('errors come in the CKAN envelope: bad JSON, a body that is not a dictionary, unknown actions', async () => {
      for (const url of [
        '/api/action/package_search',
        '/api/3/action/package_search',
        '/api/action/datastore_search',
      ]) {
        const badJson = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: '{"q": ',
        });
        assert.equal(badJson.statusCode, 400, url);
        const body = envelope(badJson);
        assert.equal(body.success, false);
        assert.match(body.error!.message as string, /^Bad request - JSON Error/);
      }
      const unknown = await remoteCkan(app)('package_frobnicate');
      assert.equal(unknown.statusCode, 400);
      assert.match(envelope(unknown).error!.message as string, /Action name not known: package_frobnicate/);
      const badName = await app.inject({ url: '/api/action/Not-An-Action' });
      assert.equal(badName.statusCode, 400);
      assert.equal(envelope(badName).success, false);
    });

    test('write actions refuse GET with CKAN 400 "Please use POST method"', async () => {
      for (const action of ['package_create', 'package_update', 'package_patch', 'package_delete', 'resource_create']) {
        for (const prefix of ['/api/action', '/api/3/action']) {
          const response = await app.inject({
            url: `${prefix}/${action}?id=lviv-budget-2024`,
            headers: { authorization: editorToken },
          });
          assert.equal(response.statusCode, 400, action);
          const body = envelope(response);
          assert.equal(body.success, false);
          assert.equal(
            body.error!.message,
            'Bad request - JSON Error: Invalid request. Please use POST method for your request',
          );
        }
      }
      // Nothing was changed.
      const show = await app.inject({ url: '/api/3/action/package_show?id=lviv-budget-2024' });
      assert.equal(show.json().result.state, 'active');
    });

    test('help_show gives each action its help text', async () => {
      for (const name of ['package_search', 'package_create', 'status_show', 'datastore_search', 'help_show']) {
        const response = await app.inject({ url: `/api/3/action/help_show?name=${name}` });
        assert.equal(response.statusCode, 200, name);
        const help = envelope(response).result;
        assert.equal(typeof help, 'string');
        assert.ok((help as string).length > 20, name);
      }
      // Every help link of a response leads to an answer.
      const link = new URL((await remoteCkan(app)('package_list')).json().help);
      const followed = await app.inject({ url: `${link.pathname}${link.search}` });
      assert.equal(followed.statusCode, 200);
      const unknown = await app.inject({ url: '/api/3/action/help_show?name=package_frobnicate' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.__type, 'Not Found Error');
      assert.equal((await app.inject({ url: '/api/3/action/help_show' })).statusCode, 409);
    });

    test('CORS: the read API answers other sites, preflights included; pages and forms do not', async () => {
      const origin = 'https://apps.example.org';
      for (const url of ['/api/3/action/package_list', '/api/action/package_list', '/api/v1/cities', '/api/3']) {
        const response = await app.inject({ url, headers: { origin } });
        assert.equal(response.statusCode, 200, url);
        assert.equal(response.headers['access-control-allow-origin'], '*', url);
        assert.equal(response.headers['access-control-allow-credentials'], undefined);
        assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin');
      }
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/3/action/package_search',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      assert.match(preflight.headers['access-control-allow-methods'] as string, /GET/);
      assert.match(preflight.headers['access-control-allow-headers'] as string, /Authorization/);
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
      const v1Preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/v1/cities',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      assert.equal(v1Preflight.statusCode, 204);
      assert.doesNotMatch(v1Preflight.headers['access-control-allow-methods'] as string, /POST/);
      // A page, a form and their preflights: no CORS.
      const page = await app.inject({ url: '/datasets', headers: { origin } });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['access-control-allow-origin'], undefined);
      assert.equal(page.headers['cross-origin-resource-policy'], 'same-origin');
      const formPreflight = await app.inject({
        method: 'OPTIONS',
        url: '/login',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      assert.notEqual(formPreflight.statusCode, 204);
      assert.equal(formPreflight.headers['access-control-allow-origin'], undefined);
      // An authenticated cross-site call works with the token and nothing else.
      const withToken = await app.inject({
        url: '/api/3/action/package_show?id=lviv-council-decisions-draft',
        headers: { origin, authorization: `Bearer ${editorToken}` },
      });
      assert.equal(withToken.statusCode, 200);
      assert.equal(withToken.headers['access-control-allow-origin'], '*');
    });

    test('JSONP: callback wraps a GET answer as JavaScript, as an anonymous call; bad names are refused', async () => {
      const response = await app.inject({
        url: '/api/3/action/package_show?id=lviv-budget-2024&callback=jQuery360_17',
      });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^application\/javascript/);
      const match = /^jQuery360_17\(([\s\S]*)\);$/.exec(response.body);
      assert.ok(match, response.body.slice(0, 100));
      const body = JSON.parse(match[1]!);
      assert.equal(body.success, true);
      assert.equal(body.result.name, 'lviv-budget-2024');
      assert.ok(!('callback' in body.result));
      const dotted = await app.inject({ url: '/api/action/status_show?callback=app.ckan.done' });
      assert.match(dotted.body, /^app\.ckan\.done\(\{/);
      const probe = await app.inject({ url: '/api/3?callback=v' });
      assert.equal(probe.body, 'v({"version":3});');
      // A JSONP call is anonymous, whatever token it carries (CKAN drops the user).
      const draft = await app.inject({
        url: '/api/3/action/package_show?id=lviv-council-decisions-draft&callback=f',
        headers: { authorization: editorToken },
      });
      assert.equal(draft.statusCode, 404);
      assert.match(draft.headers['content-type'] as string, /^application\/json/, 'errors are not wrapped');
      for (const callback of ['alert(1)//', 'a b', '<script>', 'x;y', '1abc', 'a..b', 'a'.repeat(200), '']) {
        const refused = await app.inject({
          url: `/api/3/action/status_show?callback=${encodeURIComponent(callback)}`,
        });
        assert.equal(refused.statusCode, 400, callback);
        assert.match(refused.headers['content-type'] as string, /^application\/json/);
        assert.equal(refused.json().success, false);
      }
      // POST answers are never wrapped.
      const post = await remoteCkan(app)('status_show', { callback: 'f' });
      assert.match(post.headers['content-type'] as string, /^application\/json/);
      assert.equal(post.json().success, true);
    });
  });

  describe(`CKAN rate limit on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine, { demo: false, config: { apiRateLimitAnonymous: 2 } });
    });
    after(() => app.close());

    test('past the limit: 429 in the CKAN envelope', async () => {
      const call = remoteCkan(app);
      assert.equal((await call('status_show')).statusCode, 200);
      assert.equal((await call('status_show')).statusCode, 200);
      const limited = await call('status_show');
      assert.equal(limited.statusCode, 429);
      const body = envelope(limited);
      assert.equal(body.success, false);
      assert.match(body.error!.message as string, /Rate limit/);
    });
  });
}
