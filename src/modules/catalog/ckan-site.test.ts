// The CKAN API's site, user, tag and lookup actions as clients and publishing scripts call them
// (ckanapi's RemoteCKAN: a POST of JSON with the token; browser widgets: a GET), for an anonymous
// caller, a citizen, a city's editor, another city's editor and an admin.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { assertCkanError, ckanCallers, type Callers } from '../../../test/ckan-callers.ts';

for (const engine of ENGINES) {
  describe(`CKAN site, user, tag and lookup actions on ${engine}`, () => {
    let app: FastifyInstance;
    let as: Callers;
    before(async () => {
      app = await createTestApp(engine);
      as = await ckanCallers(app);
    });
    after(() => app.close());

    test('user_show: the own account in full, anyone else public fields only', async () => {
      // A publishing script's "who am I": user_show without an id.
      const me = await as.editor('user_show');
      assert.equal(me.status, 200, me.body);
      assert.equal(me.result.id, String(as.ids.editor));
      assert.equal(me.result.name, `user-${as.ids.editor}`);
      assert.equal(me.result.email, 'editor.lviv@hromada.demo');
      assert.equal(me.result.sysadmin, false);
      assert.equal(me.result.state, 'active');
      for (const caller of [as.anonymous, as.citizen, as.otherEditor, as.admin]) {
        for (const id of [String(as.ids.editor), `user-${as.ids.editor}`]) {
          const other = await caller('user_show', { id });
          assert.equal(other.status, 200, other.body);
          assert.equal(other.result.display_name, me.result.display_name);
          assert.ok(!other.body.includes('@'), `no e-mail address: ${other.body}`);
          for (const secret of ['email', 'apikey', 'token', 'api_token', 'password_hash'])
            assert.ok(!Object.hasOwn(other.result, secret), secret);
        }
      }
      assert.ok(!me.body.includes('hmd_'), 'no token, not even to its owner');
      assert.equal((await as.anonymous('user_show', { id: String(as.ids.admin) })).result.sysadmin, true);
      assertCkanError(await as.anonymous('user_show'), 404, 'Not Found Error');
      assertCkanError(await as.anonymous('user_show', { id: 'editor.lviv@hromada.demo' }), 404, 'Not Found Error');
      assertCkanError(await as.anonymous('user_show', { id: '999999' }), 404, 'Not Found Error');
      // The datasets a user created: public ones to others, drafts too to themselves.
      await as.editor('package_create', { name: 'site-test-public', title: 'Public', owner_org: 'lviv' });
      await as.editor('package_create', {
        name: 'site-test-private',
        title: 'Private',
        owner_org: 'lviv',
        private: true,
      });
      const theirs = await as.anonymous('user_show', { id: String(as.ids.editor), include_datasets: true });
      assert.deepEqual(
        theirs.result.datasets.map((d: { name: string }) => d.name),
        ['site-test-public'],
      );
      assert.equal(theirs.result.number_created_packages, 1);
      const own = await as.editor('user_show', { include_datasets: 'true' });
      assert.deepEqual(own.result.datasets.map((d: { name: string }) => d.name).sort(), [
        'site-test-private',
        'site-test-public',
      ]);
      assert.equal(own.result.number_created_packages, 2);
      assertCkanError(await as.editor('user_show', { include_datasets: 'perhaps' }), 409, 'Validation Error');
    });

    test('package_autocomplete and format_autocomplete', async () => {
      const byName = await as.anonymous('package_autocomplete', { q: 'budget-2024' }, 'GET');
      assert.deepEqual(byName.result, [
        {
          name: 'lviv-budget-2024',
          title: byName.result[0].title,
          match_field: 'name',
          match_displayed: 'lviv-budget-2024',
        },
      ]);
      const byTitle = (await as.anonymous('package_autocomplete', { q: 'зупинки' })).result;
      assert.equal(byTitle[0].name, 'lviv-public-transport-stops');
      assert.equal(byTitle[0].match_field, 'title');
      assert.equal(byTitle[0].match_displayed, `${byTitle[0].title} (lviv-public-transport-stops)`);
      // A draft is found only by those who may see it.
      assert.deepEqual((await as.anonymous('package_autocomplete', { q: 'decisions-draft' })).result, []);
      assert.deepEqual((await as.otherEditor('package_autocomplete', { q: 'decisions-draft' })).result, []);
      assert.equal((await as.editor('package_autocomplete', { q: 'decisions-draft' })).result.length, 1);
      assert.equal((await as.anonymous('package_autocomplete', { q: 'lviv', limit: 1 })).result.length, 1);
      assertCkanError(await as.anonymous('package_autocomplete', {}), 409, 'Validation Error', 'q');
      assertCkanError(await as.anonymous('package_autocomplete', { q: 'a', limit: -1 }), 409, 'Validation Error');
      assert.deepEqual((await as.anonymous('format_autocomplete', { q: 'cs' }, 'GET')).result, ['csv', 'ics']);
      const formats = (await as.anonymous('format_autocomplete', { q: 's' })).result;
      assert.ok(formats.includes('csv') && formats.includes('json'));
      assert.equal(formats[0], 'csv', 'the most used first');
      assert.deepEqual((await as.anonymous('format_autocomplete', { q: '%' })).result, [], 'no LIKE wildcards');
      assertCkanError(await as.anonymous('format_autocomplete', {}), 409, 'Validation Error', 'q');
    });

    test('tag_show, tag_search, tag_list and vocabulary_list', async () => {
      const tag = await as.anonymous('tag_show', { id: 'бюджет' });
      assert.deepEqual(tag.result, { id: 'бюджет', name: 'бюджет', vocabulary_id: null, display_name: 'бюджет' });
      const withDatasets = await as.anonymous('tag_show', { id: 'бюджет', include_datasets: true });
      assert.ok(withDatasets.result.packages.some((p: { name: string }) => p.name === 'lviv-budget-2024'));
      // The draft's keyword is no public tag.
      assertCkanError(await as.anonymous('tag_show', { id: 'рішення' }), 404, 'Not Found Error');
      assertCkanError(await as.anonymous('tag_show', { id: 'бюджет', vocabulary_id: 'x' }), 404, 'Not Found Error');
      assertCkanError(await as.anonymous('tag_show', {}), 409, 'Validation Error', 'id');
      const found = (await as.anonymous('tag_search', { query: 'бюдж' })).result;
      assert.ok(found.results.some((t: Record<string, unknown>) => t.id === 'бюджет' && t.vocabulary_id === null));
      assert.equal(found.count, found.results.length);
      assert.ok(found.results.every((t: { name: string }) => t.name.includes('бюдж')));
      assert.equal((await as.anonymous('tag_search', { q: 'БЮДЖ' }, 'GET')).result.count, found.count, 'any case');
      assert.equal((await as.anonymous('tag_search', { query: ['ви', 'тки'] })).result.results[0].name, 'видатки');
      const all = (await as.anonymous('tag_search', { query: 'а' })).result;
      const page = (await as.anonymous('tag_search', { query: 'а', limit: 2, offset: 1 })).result;
      assert.equal(page.count, all.count);
      assert.deepEqual(page.results, all.results.slice(1, 3));
      assert.deepEqual((await as.anonymous('tag_search', { query: 'рішен' })).result, { count: 0, results: [] });
      assert.deepEqual((await as.anonymous('tag_search', { query: 'бюдж', vocabulary_id: 'v' })).result.count, 0);
      assert.deepEqual((await as.anonymous('tag_search', {})).result, { count: 0, results: [] });
      assertCkanError(await as.anonymous('tag_search', { query: [{ a: 1 }] }), 409, 'Validation Error', 'query');
      assert.ok((await as.anonymous('tag_list')).result.includes('бюджет'));
      assert.deepEqual((await as.anonymous('vocabulary_list')).result, []);
    });

    test('site_read and config_option_show (admins only, the runtime-editable options only)', async () => {
      assert.equal((await as.anonymous('site_read', {}, 'GET')).result, true);
      for (const caller of [as.anonymous, as.citizen, as.editor, as.otherEditor]) {
        const refused = await caller('config_option_show', { key: 'ckan.site_title' });
        assertCkanError(refused, 403, 'Authorization Error');
      }
      assert.equal((await as.admin('config_option_show', { key: 'ckan.site_title' })).result, 'Hromada');
      assert.equal(
        (await as.admin('config_option_show', { key: 'ckan.site_url' }, 'GET')).result,
        app.config.publicUrl,
      );
      for (const key of ['sqlalchemy.url', 'beaker.session.secret', 'ckan.datastore.write_url', 'toString']) {
        const refused = await as.admin('config_option_show', { key });
        assertCkanError(refused, 409, 'Validation Error');
        assert.equal(refused.error.message, `Configuration option '${key}' can not be shown`);
      }
      assertCkanError(await as.admin('config_option_show', {}), 409, 'Validation Error', 'key');
    });

    test('resource_search: field:term queries over the resources the caller may see', async () => {
      const csv = await as.anonymous('resource_search', { query: 'format:csv' });
      assert.equal(csv.status, 200, csv.body);
      assert.ok(csv.result.count >= 3);
      assert.equal(csv.result.results.length, csv.result.count);
      assert.ok(csv.result.results.every((r: { format: string }) => r.format === 'CSV'));
      // Several criteria are all required; a list and GET's single string both work.
      const both = await as.anonymous('resource_search', { query: ['format:csv', 'name:видатки'] });
      assert.equal(both.result.count, 1);
      const [spending] = both.result.results;
      // ckanapi's resource_create(upload=open(...)): a multipart upload, which has a hash.
      const upload = multipartBody(
        { package_id: 'lviv-budget-2024', name: 'Hashed rows' },
        { name: 'rows.csv', content: 'a,b\n1,2\n', field: 'upload' },
      );
      const uploaded = await app.inject({
        method: 'POST',
        url: '/api/action/resource_create',
        headers: { authorization: as.tokens.editor, 'content-type': upload.contentType },
        payload: upload.payload,
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      const hashed = uploaded.json().result;
      assert.equal((await as.anonymous('resource_search', { query: 'name:ВИДАТКИ' }, 'GET')).result.count, 1);
      assert.equal((await as.anonymous('resource_search', { query: `id:${spending.id}` })).result.count, 1);
      const hash = hashed.hash as string;
      assert.match(hash, /^sha256:[0-9a-f]{64}$/);
      const byHash = await as.anonymous('resource_search', { query: `hash:${hash.slice(0, 20)}` });
      assert.deepEqual(
        byHash.result.results.map((r: { id: string }) => r.id),
        [hashed.id],
      );
      assert.equal((await as.anonymous('resource_search', { query: `hash:${hash.slice(10, 30)}` })).result.count, 0);
      // Paging and order.
      const ordered = (await as.anonymous('resource_search', { query: 'format:csv', order_by: 'name' })).result;
      const names = ordered.results.map((r: { name: string }) => r.name);
      assert.deepEqual(
        names,
        [...names].sort((a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)),
      );
      const paged = await as.anonymous('resource_search', {
        query: 'format:csv',
        order_by: 'name',
        offset: 1,
        limit: 1,
      });
      assert.equal(paged.result.count, ordered.count);
      assert.deepEqual(paged.result.results, ordered.results.slice(1, 2));
      // A draft's resource is found only by those who may see the draft.
      const link = await as.editor('resource_create', {
        package_id: 'lviv-council-decisions-draft',
        name: 'Рішення (чернетка)',
        url: 'https://example.org/decisions-draft.csv',
      });
      assert.equal(link.status, 200, link.body);
      const query = { query: 'url:decisions-draft' };
      assert.equal((await as.anonymous('resource_search', query)).result.count, 0);
      assert.equal((await as.citizen('resource_search', query)).result.count, 0);
      assert.equal((await as.otherEditor('resource_search', query)).result.count, 0);
      assert.equal((await as.editor('resource_search', query)).result.count, 1);
      assert.equal((await as.admin('resource_search', query)).result.count, 1);
      // CKAN's errors: a query without a field, a field it does not know, no query.
      assertCkanError(await as.anonymous('resource_search', { query: 'csv' }), 409, 'Validation Error', 'query');
      const unknown = await as.anonymous('resource_search', { query: 'owner:x' });
      assertCkanError(unknown, 409, 'Validation Error', 'query');
      assert.equal(unknown.error.message, 'Field "owner" not recognised in resource_search.');
      assertCkanError(await as.anonymous('resource_search', {}), 409, 'Validation Error', 'query');
      assertCkanError(
        await as.anonymous('resource_search', { query: 'format:csv', order_by: 'rank; DROP TABLE x' }),
        409,
        'Validation Error',
        'order_by',
      );
      assertCkanError(await as.anonymous('resource_search', { query: 'position:x' }), 409, 'Validation Error');
      assert.equal((await as.anonymous('resource_search', { query: 'name:%' })).result.count, 0, 'no LIKE wildcards');
    });
  });
}
