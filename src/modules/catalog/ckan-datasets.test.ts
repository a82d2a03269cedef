// The dataset as CKAN clients see and change it, through the calls ckanapi's RemoteCKAN sends (a
// POST of a JSON body to /api/action/<name>, the key as X-CKAN-API-Key and Authorization; with
// files=, a multipart body whose fields are strings): the stable id and renames, the fields CKAN
// keeps (extras, author, version, url), licences by CKAN's ids, package_update's resources as CKAN
// 2.10/2.11 treat them, resource_update/patch/delete (uploads included), package_revise and
// current_package_list_with_resources.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_AGENT = 'ckanapi/4.8 (+https://github.com/ckan/ckanapi)';

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON as a client reads them
type Dict = Record<string, any>;

async function tokenFor(app: FastifyInstance, email: string): Promise<string> {
  const client = new Client(app);
  await client.login(email, DEMO_PASSWORD);
  await client.get('/account');
  const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'ckanapi' });
  return /id="new-token">([^<]+)</.exec(page.body)![1]!;
}

for (const engine of ENGINES) {
  describe(`CKAN datasets through ckanapi on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: string;
    let citizen: string;

    /** RemoteCKAN.call_action(action, data_dict) with this key; files= sends multipart instead. */
    const call = async (
      action: string,
      data: Dict = {},
      key: string | null = editor,
      files?: { upload: { name: string; content: string } },
    ) => {
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        ...(key ? { 'x-ckan-api-key': key, authorization: key } : {}),
      };
      let response: Awaited<ReturnType<FastifyInstance['inject']>>;
      if (files) {
        const fields = Object.fromEntries(
          Object.entries(data)
            .filter(([, v]) => v !== null && v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        );
        const body = multipartBody(fields, { ...files.upload, field: 'upload' });
        response = await app.inject({
          method: 'POST',
          url: `/api/action/${action}`,
          headers: { ...headers, 'content-type': body.contentType },
          payload: body.payload,
        });
      } else
        response = await app.inject({
          method: 'POST',
          url: `/api/action/${action}`,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify(data),
        });
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json() as { success: boolean; result?: Dict; error?: Dict };
      return { status: response.statusCode, success: body.success, result: body.result as Dict, error: body.error! };
    };
    const ok = async (action: string, data: Dict = {}, files?: Parameters<typeof call>[3]) => {
      const answer = await call(action, data, editor, files);
      assert.equal(answer.status, 200, `${action}: ${JSON.stringify(answer.error)}`);
      assert.equal(answer.success, true);
      return answer.result;
    };
    const refused = async (action: string, data: Dict, status: number, field: string, message: RegExp) => {
      const answer = await call(action, data);
      assert.equal(answer.status, status, JSON.stringify(answer));
      assert.equal(answer.success, false);
      assert.match(String(answer.error[field]), message, JSON.stringify(answer.error));
      return answer.error;
    };
    const linkResource = (name: string, url: string) => ({ name, url, format: 'CSV' });

    before(async () => {
      app = await createTestApp(engine, {
        config: { apiRateLimitAnonymous: 100_000, apiRateLimitAuthenticated: 100_000 },
      });
      editor = await tokenFor(app, 'editor.lviv@hromada.demo');
      citizen = await tokenFor(app, 'citizen@hromada.demo');
    });
    after(() => app.close());

    test('a dataset has a stable UUID id: shown everywhere, taken for id, kept by a rename', async () => {
      const created = await ok('package_create', {
        name: 'stable-id',
        title: 'Stable',
        owner_org: 'lviv',
        resources: [linkResource('Rows', 'https://example.org/rows.csv')],
      });
      assert.match(created.id, UUID);
      assert.notEqual(created.id, created.name);
      assert.equal(created.resources[0].package_id, created.id);
      const shown = await ok('package_show', { id: created.id });
      assert.equal(shown.name, 'stable-id');
      assert.equal((await ok('package_show', { id: 'stable-id' })).id, created.id);
      assert.equal((await ok('package_show', { name_or_id: created.id.toUpperCase() })).id, created.id);
      assert.equal((await ok('resource_show', { id: created.resources[0].id })).package_id, created.id);
      const search = await ok('package_search', { fq: `id:${created.id}` });
      assert.deepEqual(
        search.results.map((p: Dict) => p.id),
        [created.id],
      );
      // Rename through package_patch: the id stays, the old name is gone (CKAN's 404).
      const renamed = await ok('package_patch', { id: created.id, name: 'stable-id-renamed' });
      assert.equal(renamed.id, created.id);
      assert.equal(renamed.name, 'stable-id-renamed');
      const old = await call('package_show', { id: 'stable-id' });
      assert.equal(old.status, 404);
      assert.equal(old.error.__type, 'Not Found Error');
      assert.equal((await ok('package_show', { id: created.id })).name, 'stable-id-renamed');
      // Resources, the data package and the web page follow the dataset.
      assert.equal((await ok('resource_show', { id: created.resources[0].id })).package_id, created.id);
      const datapackage = await app.inject({ url: '/datasets/stable-id-renamed/datapackage.json' });
      assert.equal(datapackage.statusCode, 200);
      assert.equal(datapackage.json().name, 'stable-id-renamed');
      // Updating by id, the name given renames too; package_update by name works as well.
      const updated = await ok('package_update', { ...renamed, name: 'stable-id' });
      assert.equal(updated.id, created.id);
      // Only a sysadmin may choose the id; an editor's is refused.
      await refused(
        'package_create',
        { name: 'chosen-id', owner_org: 'lviv', id: '0b0e7a52-62f0-4a55-9d41-2b5a4a0c1d11' },
        409,
        'id',
        /sysadmin/,
      );
    });

    test('extras, author, author_email, maintainer, version and url are kept as given', async () => {
      const created = await ok('package_create', {
        name: 'kept-fields',
        title: 'Kept',
        owner_org: 'lviv',
        author: 'Statistics department',
        author_email: 'stats@lviv.example',
        maintainer: 'Open data team',
        maintainer_email: 'data@lviv.example',
        version: '2.1',
        url: 'https://lviv.example/source',
        extras: [
          { key: 'harvest_source', value: 'https://data.example' },
          { key: 'frequency', value: 'ANNUAL' },
          { key: 'спосіб збору', value: 'реєстр' },
        ],
      });
      assert.equal(created.author, 'Statistics department');
      assert.equal(created.author_email, 'stats@lviv.example');
      assert.equal(created.maintainer, 'Open data team');
      assert.equal(created.maintainer_email, 'data@lviv.example');
      assert.equal(created.version, '2.1');
      assert.equal(created.url, 'https://lviv.example/source');
      const extra = (key: string) => created.extras.find((e: Dict) => e.key === key)?.value;
      assert.equal(extra('harvest_source'), 'https://data.example');
      assert.equal(extra('спосіб збору'), 'реєстр');
      assert.equal(extra('frequency'), 'ANNUAL');
      assert.equal(new Set(created.extras.map((e: Dict) => e.key)).size, created.extras.length);
      // A patch keeps what it does not name; package_show → package_update gives the same dataset back.
      const patched = await ok('package_patch', { id: created.id, version: '2.2' });
      assert.equal(patched.author, 'Statistics department');
      assert.deepEqual(patched.extras, created.extras);
      const round = await ok('package_update', patched);
      for (const key of ['author', 'author_email', 'maintainer', 'version', 'url', 'extras', 'license_id', 'groups'])
        assert.deepEqual(round[key], patched[key], key);
      // package_update resets what it is not given, as in CKAN.
      const reset = await ok('package_update', { id: created.id, name: 'kept-fields', owner_org: 'lviv' });
      assert.equal(reset.author, null);
      assert.equal(reset.version, null);
      assert.equal(reset.url, null);
      assert.equal(reset.title, 'kept-fields', 'a title not given is the name');
      assert.deepEqual(
        reset.extras.filter((e: Dict) => e.key === 'harvest_source'),
        [],
      );
      // Extras as CKAN validates them.
      await refused(
        'package_patch',
        {
          id: created.id,
          extras: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
        },
        409,
        'extras',
        /Duplicate key "a"/,
      );
      await refused('package_patch', { id: created.id, extras: [{ key: '', value: '1' }] }, 409, 'extras', /key/);
      await refused(
        'package_patch',
        { id: created.id, extras: [{ key: 'k', value: { x: 1 } }] },
        409,
        'extras',
        /string/,
      );
      await refused('package_patch', { id: created.id, extras: 'k=v' }, 409, 'extras', /list/);
      await refused(
        'package_patch',
        { id: created.id, extras: [{ key: 'big', value: 'x'.repeat(10_001) }] },
        409,
        'extras',
        /10000/,
      );
      await refused(
        'package_patch',
        {
          id: created.id,
          extras: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: '"'.repeat(800) })),
        },
        409,
        'extras',
        /150000 characters in all/,
      );
      const unchanged = await ok('package_show', { id: created.id });
      assert.ok(!unchanged.extras.some((e: Dict) => e.key === 'k0'), 'nothing changed');
      await refused('package_patch', { id: created.id, author_email: 'not an address' }, 409, 'author_email', /./);
      await refused('package_patch', { id: created.id, version: 'v'.repeat(101) }, 409, 'version', /100/);
    });

    test('an edit in the web form keeps what only CKAN clients set', async () => {
      const created = await ok('package_create', {
        name: 'web-edited',
        title: 'Web',
        owner_org: 'lviv',
        author: 'Author',
        version: '1.0',
        url: 'https://lviv.example/src',
        extras: [{ key: 'source_system', value: 'SAP' }],
      });
      const web = new Client(app);
      await web.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const saved = await web.submit('/datasets/web-edited/edit', '/datasets/web-edited/edit', {
        name: 'web-edited',
        city: 'lviv',
        title_uk: 'Змінено у формі',
        title_en: '',
        title_bg: '',
        description_uk: '',
        description_en: '',
        description_bg: '',
        license_id: 'cc-by',
        keywords: '',
        frequency: 'UNKNOWN',
        temporal_start: '',
        temporal_end: '',
        spatial: '',
        contact_name: '',
        contact_email: '',
        legal_basis: '',
        purpose: '',
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      const after = await ok('package_show', { id: created.id });
      assert.equal(after.title, 'Змінено у формі');
      assert.equal(after.license_id, 'cc-by', "the form offers CKAN's licences too");
      assert.equal(after.author, 'Author');
      assert.equal(after.version, '1.0');
      assert.equal(after.url, 'https://lviv.example/src');
      assert.deepEqual(
        after.extras.filter((e: Dict) => e.key === 'source_system'),
        [{ key: 'source_system', value: 'SAP' }],
      );
    });

    test("licences: CKAN's ids accepted, none when none is given, license_list in CKAN's shape", async () => {
      const none = await ok('package_create', { name: 'no-licence', title: 'None', owner_org: 'lviv' });
      assert.equal(none.license_id, null);
      assert.equal(none.license_title, null);
      assert.equal(Object.hasOwn(none, 'license_url'), false);
      assert.equal(none.isopen, false);
      const zero = await ok('package_patch', { id: none.id, license_id: 'cc-zero' });
      assert.equal(zero.license_id, 'CC0-1.0', 'cc-zero is CC0 1.0, the one version there is');
      assert.equal(zero.isopen, true);
      const ckanBy = await ok('package_patch', { id: none.id, license_id: 'cc-by' });
      assert.equal(ckanBy.license_id, 'cc-by', 'cc-by names no version: kept as CKAN has it');
      assert.equal(ckanBy.license_title, 'Creative Commons Attribution');
      assert.equal(ckanBy.license_url, 'http://www.opendefinition.org/licenses/cc-by');
      const generic = await ok('package_patch', { id: none.id, license_id: 'other-pd' });
      assert.equal(generic.license_title, 'Other (Public Domain)');
      assert.equal(generic.isopen, true);
      assert.equal(Object.hasOwn(generic, 'license_url'), false);
      assert.equal((await ok('package_patch', { id: none.id, license_id: 'notspecified' })).isopen, false);
      await refused('package_patch', { id: none.id, license_id: 'my-own-licence' }, 409, 'license_id', /./);
      const list = (await ok('license_list')) as unknown as Dict[];
      for (const id of [
        'notspecified',
        'odc-by',
        'cc-by',
        'cc-by-sa',
        'gfdl',
        'other-open',
        'other-pd',
        'other-at',
        'uk-ogl',
        'cc-nc',
        'other-nc',
        'other-closed',
        'CC0-1.0',
        'ODbL-1.0',
        'PDDL-1.0',
        'CC-BY-4.0',
      ])
        assert.ok(
          list.some((l) => l.id === id),
          id,
        );
      for (const l of list) {
        assert.deepEqual(Object.keys(l).sort(), [
          'domain_content',
          'domain_data',
          'domain_software',
          'family',
          'id',
          'is_generic',
          'maintainer',
          'od_conformance',
          'osd_conformance',
          'status',
          'title',
          'url',
        ]);
        assert.ok(Object.values(l).every((v) => typeof v === 'string'));
      }
      assert.equal(list.find((l) => l.id === 'cc-nc')!.od_conformance, 'not reviewed');
      assert.equal(list.find((l) => l.id === 'odc-by')!.domain_data, 'True');
    });

    test('package_update replaces the resources as CKAN 2.10/2.11 do; package_patch keeps them', async () => {
      const created = await ok('package_create', {
        name: 'resource-list',
        title: 'Resources',
        owner_org: 'lviv',
        resources: [linkResource('One', 'https://example.org/1.csv'), linkResource('Two', 'https://example.org/2.csv')],
      });
      const [one, two] = created.resources;
      // The dict back, one resource changed, a new one appended: ids kept, order the list's.
      const shown = await ok('package_show', { id: created.id });
      shown.resources[1].description = 'The second';
      shown.resources.unshift(linkResource('Zero', 'https://example.org/0.csv'));
      const updated = await ok('package_update', shown);
      assert.deepEqual(
        updated.resources.map((r: Dict) => [r.name, r.position]),
        [
          ['Zero', 0],
          ['One', 1],
          ['Two', 2],
        ],
      );
      assert.equal(updated.resources[1].id, one.id);
      assert.equal(updated.resources[2].id, two.id);
      assert.equal(updated.resources[2].description, 'The second');
      // A patch without resources keeps them.
      assert.equal((await ok('package_patch', { id: created.id, notes: 'n' })).num_resources, 3);
      // Listed in another order: reordered, nothing lost.
      const reordered = await ok('package_patch', { id: created.id, resources: [...updated.resources].reverse() });
      assert.deepEqual(
        reordered.resources.map((r: Dict) => r.name),
        ['Two', 'One', 'Zero'],
      );
      // An item that is not a resource is refused, naming it, and nothing changes.
      await refused(
        'package_patch',
        { id: created.id, resources: [...reordered.resources, { name: 'No url' }] },
        409,
        'resources',
        /Item 3: url/,
      );
      assert.equal((await ok('package_show', { id: created.id })).num_resources, 3);
      // resources: [] removes them all; so does leaving resources out of package_update.
      const { resources: _kept, ...withoutResources } = reordered;
      const omitted = await ok('package_update', withoutResources);
      assert.equal(omitted.num_resources, 0);
      assert.equal((await call('resource_show', { id: one.id })).status, 404);
      await ok('package_patch', { id: created.id, resources: [linkResource('Again', 'https://example.org/a.csv')] });
      assert.equal((await ok('package_update', { ...withoutResources, resources: [] })).num_resources, 0);
    });

    test('resource_update, resource_patch and resource_delete, with files= uploads, by editors only', async () => {
      const dataset = await ok('package_create', {
        name: 'resource-changes',
        title: 'Resource changes',
        owner_org: 'lviv',
        resources: [{ ...linkResource('Link', 'https://example.org/data.csv'), description: 'first' }],
      });
      const link = dataset.resources[0];
      const patched = await ok('resource_patch', { id: link.id, description: 'patched' });
      assert.equal(patched.description, 'patched');
      assert.equal(patched.url, 'https://example.org/data.csv');
      assert.equal(patched.name, 'Link');
      // resource_update resets what it is not given (the name stays: a resource always has one).
      const updated = await ok('resource_update', { id: link.id, url: 'https://example.org/other.json' });
      assert.equal(updated.url, 'https://example.org/other.json');
      assert.equal(updated.description, '');
      assert.equal(updated.format, 'JSON');
      assert.equal(updated.package_id, dataset.id);
      await refused('resource_update', { id: link.id, url: 'javascript:alert(1)' }, 409, 'url', /./);
      // resource_update(id=..., upload=open(...)): the link becomes the uploaded file.
      const uploaded = await ok(
        'resource_update',
        { id: link.id, name: 'From a file' },
        {
          upload: { name: 'rows.csv', content: 'a,b\n1,2\n' },
        },
      );
      assert.equal(uploaded.id, link.id);
      assert.equal(uploaded.url_type, 'upload');
      assert.equal(uploaded.name, 'From a file');
      assert.equal(uploaded.format, 'CSV');
      assert.match(uploaded.url, new RegExp(`/resources/${link.id}/download$`));
      assert.match(uploaded.hash, /^sha256:[0-9a-f]{64}$/);
      const download = await app.inject({ url: new URL(uploaded.url).pathname });
      assert.equal(download.statusCode, 200);
      assert.equal(download.body, 'a,b\n1,2\n');
      // A patch of the file's metadata keeps the file; its own url given back keeps it too.
      const renamed = await ok('resource_patch', { id: link.id, name: 'Renamed', url: uploaded.url });
      assert.equal(renamed.url_type, 'upload');
      assert.equal(renamed.hash, uploaded.hash);
      const again = await ok(
        'resource_patch',
        { id: link.id },
        {
          upload: { name: 'more.csv', content: 'a,b\n3,4\n' },
        },
      );
      assert.notEqual(again.hash, uploaded.hash);
      assert.equal(again.name, 'Renamed');
      // Who may: not a citizen, not anonymous; a resource that does not exist is CKAN's 404.
      for (const key of [citizen, null]) {
        for (const [action, data] of [
          ['resource_patch', { id: link.id, name: 'x' }],
          ['resource_update', { id: link.id, url: 'https://example.org/x.csv' }],
          ['resource_delete', { id: link.id }],
        ] as const) {
          const answer = await call(action, data, key);
          assert.equal(answer.status, 403, `${action} by ${key ? 'a citizen' : 'nobody'}`);
          assert.equal(answer.error.__type, 'Authorization Error');
        }
      }
      const upload = await call('resource_update', { id: link.id }, citizen, {
        upload: { name: 'evil.csv', content: 'x\n' },
      });
      assert.equal(upload.status, 403);
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const missing = await call('resource_patch', { id, name: 'x' });
        assert.equal(missing.status, 404);
        assert.equal(missing.error.__type, 'Not Found Error');
      }
      await refused('resource_delete', {}, 409, 'id', /Missing value/);
      // Deleted: gone from resource_show and from the dataset, its file from the file store.
      const stored = await app.db.one<{ file_key: string }>('SELECT file_key FROM resources WHERE id = $1', [link.id]);
      assert.ok(await app.files.stat(stored!.file_key));
      assert.equal(await ok('resource_delete', { id: link.id }), null);
      assert.equal(await app.files.stat(stored!.file_key), null);
      assert.equal((await call('resource_show', { id: link.id })).status, 404);
      assert.equal((await ok('package_show', { id: dataset.id })).num_resources, 0);
    });

    test('package_revise: match, filter, update and flattened keys as CKAN; a mismatch changes nothing', async () => {
      const created = await ok('package_create', {
        name: 'revised',
        title: 'Revised',
        notes: 'old notes',
        owner_org: 'lviv',
        resources: [linkResource('Big', 'https://example.org/big.csv')],
      });
      const resourceId = created.resources[0].id as string;
      // match={"notes": "old notes", "name": ...}, update={"notes": "new notes"}
      const revised = await ok('package_revise', {
        match: { name: 'revised', notes: 'old notes' },
        update: { notes: 'new notes' },
      });
      assert.equal(revised.package.notes, 'new notes');
      assert.equal(revised.package.id, created.id);
      // The same with flattened keys, as strings (a form post): a mismatch names the key.
      const mismatch = await refused(
        'package_revise',
        { match__name: 'revised', match__notes: 'old notes', update__notes: 'newer' },
        409,
        'match',
        /notes/,
      );
      assert.equal(mismatch.__type, 'Validation Error');
      assert.equal((await ok('package_show', { id: created.id })).notes, 'new notes');
      await refused('package_revise', { update: { notes: 'x' } }, 409, 'match__id', /Missing value/);
      // A resource by index and by the start of its id; __extend appends.
      await ok('package_revise', { match: { id: created.id }, update__resources__0: { description: 'by index' } });
      await ok('package_revise', {
        match__id: created.id,
        [`update__resources__${resourceId.slice(0, 6)}__name`]: 'By id',
      });
      const extended = await ok('package_revise', {
        match: JSON.stringify({ id: created.id }),
        update__resources__extend: JSON.stringify([linkResource('New', 'https://example.org/new.csv')]),
      });
      assert.deepEqual(
        extended.package.resources.map((r: Dict) => [r.name, r.description]),
        [
          ['By id', 'by index'],
          ['New', ''],
        ],
      );
      // filter: remove the second resource; include: answer only the name.
      const filtered = await ok('package_revise', {
        match: { id: created.id },
        filter: ['-resources__1'],
        include: ['+package__name', '-package__*'],
      });
      assert.deepEqual(filtered, { package: { name: 'revised' } });
      assert.equal((await ok('package_show', { id: created.id })).num_resources, 1);
      await refused(
        'package_revise',
        { match: { id: created.id }, update__resources__9__name: 'x' },
        409,
        'update',
        /Unmatched key resources__9/,
      );
      await refused('package_revise', { match: { id: created.id }, update: '[1]' }, 409, 'update', /dict/);
      const forbidden = await call('package_revise', { match: { id: created.id }, update: { notes: 'x' } }, citizen);
      assert.equal(forbidden.status, 403);
    });

    test('current_package_list_with_resources: public datasets, newest change first, limit and offset', async () => {
      const all = (await ok('current_package_list_with_resources', { limit: 1000 })) as unknown as Dict[];
      const modified = all.map((p) => p.metadata_modified as string);
      assert.deepEqual(modified, [...modified].sort().reverse());
      assert.ok(all.every((p) => p.state === 'active' && p.private === false && Array.isArray(p.resources)));
      const search = await ok('package_search', { rows: 1000 });
      assert.equal(all.length, search.count);
      assert.equal(((await ok('current_package_list_with_resources')) as unknown as Dict[]).length, 10);
      const page = (await ok('current_package_list_with_resources', { limit: 2, offset: 2 })) as unknown as Dict[];
      assert.deepEqual(
        page.map((p) => p.id),
        all.slice(2, 4).map((p) => p.id),
      );
      const byPage = (await ok('current_package_list_with_resources', { limit: 2, page: 2 })) as unknown as Dict[];
      assert.deepEqual(
        byPage.map((p) => p.id),
        all.slice(2, 4).map((p) => p.id),
      );
      await refused('current_package_list_with_resources', { limit: 'many' }, 409, 'limit', /integer/);
    });
  });
}
