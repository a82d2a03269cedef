// ckanext-harvest's CKAN harvester (ckanext/harvest/harvesters/ckanharvester.py) run against
// Hromada as its remote, request by request: the gather stage's package_search paging (rows=100,
// start, sort=id asc) on a first run and an incremental one (fq=metadata_modified:[X TO *]), the fq
// strings its organizations_filter_* and groups_filter_* options build, the import stage's
// remote_groups=create and remote_orgs=create look-ups (group_show and organization_show on the
// remote, by the id in the dataset dict), and what it takes from each package dict: the id as the
// object's guid, extras, resources and groups. Each answer is checked against what CKAN 2.10/2.11
// gives: the same keys and the same kinds of values.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Python's urlencode (quote_plus): only letters, digits and _.-~ stay; a space is +. */
const quotePlus = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
const urlencode = (params: [string, string][]) => params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');

// biome-ignore lint/suspicious/noExplicitAny: package dicts are JSON as the harvester reads them
type Dict = Record<string, any>;

/** The harvester's configuration keys that change its requests. */
interface HarvestConfig {
  organizations_filter_include?: string[];
  organizations_filter_exclude?: string[];
  groups_filter_include?: string[];
  groups_filter_exclude?: string[];
  api_key?: string;
}

/** gather_stage's fq_terms, built as ckanharvester.py builds them. */
function fqTerms(config: HarvestConfig): string[] {
  const terms: string[] = [];
  if (config.organizations_filter_include?.length)
    terms.push(config.organizations_filter_include.map((o) => `organization:${o}`).join(' OR '));
  else if (config.organizations_filter_exclude?.length)
    terms.push(...config.organizations_filter_exclude.map((o) => `-organization:${o}`));
  if (config.groups_filter_include?.length)
    terms.push(config.groups_filter_include.map((g) => `groups:${g}`).join(' OR '));
  else if (config.groups_filter_exclude?.length) terms.push(...config.groups_filter_exclude.map((g) => `-groups:${g}`));
  return terms;
}

/** Python's datetime.isoformat() of a UTC time with microseconds (no offset), as gather_stage formats it. */
const isoformat = (at: Date, micros = 0) =>
  `${at.toISOString().slice(0, 19)}${at.getUTCMilliseconds() || micros ? `.${String(at.getUTCMilliseconds() * 1000 + micros).padStart(6, '0')}` : ''}`;

for (const engine of ENGINES) {
  describe(`the CKAN harvester (ckanext-harvest) against Hromada on ${engine}`, () => {
    let app: FastifyInstance;
    let editorToken: string;
    /** Every request the harvester sent, as a path and query. */
    let sent: string[] = [];

    /** CKANHarvester._get_content: a GET with the configured User-Agent and api_key; the body's text. */
    const getContent = async (url: string, config: HarvestConfig = {}) => {
      sent.push(url);
      const response = await app.inject({
        method: 'GET',
        url,
        headers: {
          'user-agent': 'python-requests/2.32.3',
          ...(config.api_key ? { authorization: config.api_key } : {}),
        },
      });
      assert.match(String(response.headers['content-type']), /^application\/json/, url);
      return { status: response.statusCode, text: response.body };
    };

    /** _search_for_datasets: the pages of package_search until an empty one, duplicates dropped. */
    const searchForDatasets = async (terms: string[], config: HarvestConfig = {}) => {
      const params: [string, string][] = [
        ['rows', '100'],
        ['start', '0'],
        ['sort', 'id asc'],
      ];
      if (terms.length) params.push(['fq', terms.join(' ')]);
      const dicts: Dict[] = [];
      const ids = new Set<string>();
      let previous: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const { status, text } = await getContent(`/api/3/action/package_search?${urlencode(params)}`, config);
        assert.equal(status, 200, text);
        assert.notEqual(text, previous, "The paging doesn't seem to work");
        previous = text;
        const page = (JSON.parse(text).result?.results ?? []) as Dict[];
        const fresh = page.filter((p) => !ids.has(p.id));
        for (const p of page) ids.add(p.id);
        dicts.push(...fresh);
        if (page.length === 0) return dicts;
        params[1] = ['start', String(Number(params[1]![1]) + 100)];
      }
      assert.fail('paging did not end');
    };

    /** Every public dataset as package_show gives it, by id. */
    const everything = async () => {
      const list = JSON.parse((await getContent('/api/3/action/package_list')).text).result as string[];
      const dicts: Dict[] = [];
      for (const name of list)
        dicts.push(JSON.parse((await getContent(`/api/3/action/package_show?id=${name}`)).text).result);
      return dicts;
    };
    const idsOf = (dicts: Dict[]) => dicts.map((d) => d.id as string);
    const sorted = (ids: string[]) => [...ids].sort();

    before(async () => {
      app = await createTestApp(engine, {
        config: { apiRateLimitAnonymous: 100_000, apiRateLimitAuthenticated: 100_000 },
      });
      const client = new Client(app);
      await client.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await client.get('/account');
      const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'harvest' });
      editorToken = /id="new-token">([^<]+)</.exec(page.body)![1]!;
    });
    after(() => app.close());

    test('a first run: package_search pages of 100 by id until an empty page, each public dataset once', async () => {
      const all = await everything();
      assert.ok(all.length >= 7);
      sent = [];
      const gathered = await searchForDatasets([]);
      // The requests, exactly as Python's urlencode writes them.
      assert.deepEqual(sent, [
        '/api/3/action/package_search?rows=100&start=0&sort=id+asc',
        '/api/3/action/package_search?rows=100&start=100&sort=id+asc',
      ]);
      // HarvestObject(guid=pkg_dict['id']): stable UUIDs, in id order, each dataset once.
      assert.ok(gathered.every((p) => UUID.test(p.id)));
      assert.deepEqual(idsOf(gathered), sorted(idsOf(gathered)));
      assert.deepEqual(sorted(idsOf(gathered)), sorted(idsOf(all)));
      // The search gives the same dict as package_show, so the fetch stage has all it needs.
      for (const p of gathered) {
        const shown = all.find((d) => d.id === p.id)!;
        assert.deepEqual(p, shown, p.name);
      }
    });

    test('the package dicts as the import stage reads them (CKAN 2.10/2.11 shape)', async () => {
      const gathered = await searchForDatasets([]);
      for (const p of gathered) {
        for (const key of [
          'id',
          'name',
          'title',
          'notes',
          'type',
          'state',
          'private',
          'owner_org',
          'organization',
          'license_id',
          'license_title',
          'isopen',
          'author',
          'author_email',
          'maintainer',
          'maintainer_email',
          'version',
          'url',
          'metadata_created',
          'metadata_modified',
          'tags',
          'num_tags',
          'groups',
          'resources',
          'num_resources',
          'extras',
        ])
          assert.ok(Object.hasOwn(p, key), `${p.name} has ${key}`);
        assert.equal(p.type, 'dataset'); // not a harvest source, so it is imported
        assert.equal(p.state, 'active');
        assert.equal(p.private, false);
        assert.match(p.metadata_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+$/);
        // get_extra(key, package_dict) reads extra['key']; keys are unique, values text.
        assert.ok(Array.isArray(p.extras));
        for (const extra of p.extras) {
          assert.deepEqual(Object.keys(extra).sort(), ['key', 'value']);
          assert.equal(typeof extra.key, 'string');
          assert.equal(typeof extra.value, 'string');
        }
        assert.equal(new Set(p.extras.map((e: Dict) => e.key)).size, p.extras.length);
        // Resources: url_type and revision_id are popped, the rest saved as links.
        assert.equal(p.num_resources, p.resources.length);
        for (const r of p.resources) {
          assert.ok(UUID.test(r.id));
          assert.equal(r.package_id, p.id);
          assert.equal(typeof r.url, 'string');
          assert.ok(r.url.startsWith('http'), r.url);
          assert.ok(r.url_type === null || r.url_type === 'upload');
        }
        // Groups as package_dictize gives them.
        for (const g of p.groups)
          assert.deepEqual(Object.keys(g).sort(), [
            'description',
            'display_name',
            'id',
            'image_display_url',
            'name',
            'title',
          ]);
        assert.equal(p.owner_org, p.organization.name);
      }
    });

    test('organization and group filters: the fq strings the options build, and what they select', async () => {
      const all = await everything();
      const org = (p: Dict) => p.organization.name as string;
      const inGroup = (p: Dict, g: string) => p.groups.some((x: Dict) => x.name === g);
      const expect = (predicate: (p: Dict) => boolean) => sorted(idsOf(all.filter(predicate)));
      const cases: [HarvestConfig, string, (p: Dict) => boolean][] = [
        [
          { organizations_filter_include: ['lviv', 'kyiv'] },
          'fq=organization%3Alviv+OR+organization%3Akyiv',
          (p) => ['lviv', 'kyiv'].includes(org(p)),
        ],
        [
          { organizations_filter_exclude: ['lviv', 'kyiv'] },
          'fq=-organization%3Alviv+-organization%3Akyiv',
          (p) => !['lviv', 'kyiv'].includes(org(p)),
        ],
        [
          { groups_filter_include: ['econ', 'tran'] },
          'fq=groups%3Aecon+OR+groups%3Atran',
          (p) => inGroup(p, 'econ') || inGroup(p, 'tran'),
        ],
        [{ groups_filter_exclude: ['gove'] }, 'fq=-groups%3Agove', (p) => !inGroup(p, 'gove')],
        [
          { organizations_filter_include: ['lviv'], groups_filter_exclude: ['econ', 'gove'] },
          'fq=organization%3Alviv+-groups%3Aecon+-groups%3Agove',
          (p) => org(p) === 'lviv' && !inGroup(p, 'econ') && !inGroup(p, 'gove'),
        ],
      ];
      for (const [config, fq, predicate] of cases) {
        sent = [];
        const gathered = await searchForDatasets(fqTerms(config), config);
        assert.equal(sent[0], `/api/3/action/package_search?rows=100&start=0&sort=id+asc&${fq}`);
        assert.deepEqual(sorted(idsOf(gathered)), expect(predicate), JSON.stringify(config));
      }
      // At least one filter selects something and one leaves something out, so the cases mean something.
      assert.ok(expect((p) => inGroup(p, 'econ') || inGroup(p, 'tran')).length > 0);
      assert.ok(expect((p) => !['lviv', 'kyiv'].includes(org(p))).length > 0);
    });

    test('an incremental run: what changed since the last error-free gather, less an hour; a rename keeps the guid', async () => {
      const all = await everything();
      const budget = all.find((p) => p.name === 'lviv-budget-2024')!;
      const cities = all.find((p) => p.name === 'hromada-cities')!;
      await app.db.query(
        `UPDATE datasets SET modified_at = CASE WHEN name = 'hromada-cities' THEN timestamptz '2026-01-10 11:30:00.5+00'
           ELSE timestamptz '2025-12-01 08:00:00+00' END`,
      );
      // gather_started 2026-01-10 12:00:00.123456 UTC; since = (that - 1 hour).isoformat() + "Z".
      const since = `metadata_modified:[${isoformat(new Date(Date.UTC(2026, 0, 10, 11)), 123456)}Z TO *]`;
      assert.equal(since, 'metadata_modified:[2026-01-10T11:00:00.123456Z TO *]');
      sent = [];
      assert.deepEqual(idsOf(await searchForDatasets([since])), [cities.id]);
      assert.equal(
        sent[0],
        '/api/3/action/package_search?rows=100&start=0&sort=id+asc&fq=metadata_modified%3A%5B2026-01-10T11%3A00%3A00.123456Z+TO+%2A%5D',
      );
      // Nothing changed since: one request, no results ("No datasets have been updated").
      sent = [];
      const later = 'metadata_modified:[2026-01-10T12:00:00.123456Z TO *]';
      assert.deepEqual(await searchForDatasets([later]), []);
      assert.equal(sent.length, 1);
      // With the organization filter in front, as gather_stage sends fq_terms + [since].
      assert.deepEqual(
        idsOf(await searchForDatasets([...fqTerms({ organizations_filter_include: ['lviv'] }), since])),
        [],
      );
      // The remote renames a dataset (package_patch): the next run finds it by the same id, so the
      // harvester updates its copy (guid = id) instead of making a second one.
      const patched = await app.inject({
        method: 'POST',
        url: '/api/3/action/package_patch',
        headers: { authorization: editorToken, 'content-type': 'application/json' },
        payload: { id: budget.id, name: 'lviv-budget-2024-renamed' },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const renamed = await searchForDatasets([...fqTerms({ organizations_filter_include: ['lviv'] }), since]);
      assert.deepEqual(
        renamed.map((p) => [p.id, p.name]),
        [[budget.id, 'lviv-budget-2024-renamed']],
      );
      assert.deepEqual(
        renamed[0]!.resources.map((r: Dict) => [r.id, r.package_id]),
        budget.resources.map((r: Dict) => [r.id, budget.id]),
      );
      // As CKAN: the old name is gone, the id still finds the dataset.
      assert.equal((await getContent('/api/3/action/package_show?id=lviv-budget-2024')).status, 404);
      const byId = JSON.parse((await getContent(`/api/3/action/package_show?id=${budget.id}`)).text);
      assert.equal(byId.result.name, 'lviv-budget-2024-renamed');
      const back = await app.inject({
        method: 'POST',
        url: '/api/3/action/package_patch',
        headers: { authorization: editorToken, 'content-type': 'application/json' },
        payload: { id: budget.id, name: 'lviv-budget-2024' },
      });
      assert.equal(back.statusCode, 200, back.body);
    });

    test('remote_groups=create: group_show on the remote by the group id in each dataset dict', async () => {
      const gathered = await searchForDatasets([]);
      const groups = gathered.flatMap((p) => p.groups as Dict[]);
      assert.ok(groups.length > 0);
      for (const group of groups) {
        // _get_group: base_url + '/api/3/action/group_show?id=' + group['id'], then data.pop('result').
        const { status, text } = await getContent(`/api/3/action/group_show?id=${group.id}`);
        assert.equal(status, 200, text);
        const data = JSON.parse(text);
        assert.equal(data.success, true);
        const remote = data.result as Dict;
        // The keys group_create is then given (after packages, created, users, groups, tags, extras and display_name are popped).
        for (const key of ['id', 'name', 'title', 'description', 'image_url', 'type', 'state', 'is_organization'])
          assert.ok(Object.hasOwn(remote, key), key);
        assert.equal(remote.id, group.id);
        assert.equal(remote.name, group.name);
        assert.equal(remote.title, group.title);
        assert.equal(remote.type, 'group');
        assert.equal(remote.is_organization, false);
        assert.equal(remote.packages, undefined, 'include_datasets is false by default (CKAN 2.10+)');
        assert.equal(
          remote.package_count,
          gathered.filter((p) => p.groups.some((g: Dict) => g.id === group.id)).length,
        );
        // Looked up by name it is the same group.
        const byName = JSON.parse((await getContent(`/api/3/action/group_show?id=${group.name}`)).text);
        assert.deepEqual(byName.result, remote);
      }
      // A group the remote lacks: CKAN's 404 in its envelope (the harvester logs and skips it).
      const missing = await getContent('/api/3/action/group_show?id=no-such-group');
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.text).error.__type, 'Not Found Error');
      // include_datasets lists the group's public datasets.
      const econ = JSON.parse((await getContent('/api/3/action/group_show?id=econ&include_datasets=true')).text)
        .result as Dict;
      assert.deepEqual(
        sorted(econ.packages.map((p: Dict) => p.id)),
        sorted(idsOf(gathered.filter((p) => p.groups.some((g: Dict) => g.name === 'econ')))),
      );
    });

    test('remote_orgs=create: organization_show on the remote by the owner_org of each dataset dict', async () => {
      const gathered = await searchForDatasets([]);
      for (const owner of new Set(gathered.map((p) => p.owner_org as string))) {
        // _get_organization: base_url + '/api/3/action/organization_show?id=' + org_name, content_dict['result'].
        const { status, text } = await getContent(`/api/3/action/organization_show?id=${owner}`);
        assert.equal(status, 200, text);
        const org = JSON.parse(text).result as Dict;
        assert.ok(org.id && org.name && org.title, owner);
        assert.equal(org.is_organization, true);
        const example = gathered.find((p) => p.owner_org === owner)!;
        assert.equal(org.id, example.organization.id);
      }
    });

    test('group_list as CKAN answers it: names by title, all_fields, sort, limit and offset', async () => {
      const call = async (query: string) => {
        const { status, text } = await getContent(`/api/3/action/group_list${query}`);
        assert.equal(status, 200, text);
        return JSON.parse(text).result;
      };
      const names = (await call('')) as string[];
      assert.equal(names.length, 13);
      const full = (await call('?all_fields=true&limit=100')) as Dict[];
      assert.deepEqual(
        full.map((g) => g.name),
        names,
      );
      const collator = new Intl.Collator('uk');
      assert.deepEqual(
        full.map((g) => g.title),
        [...full.map((g) => g.title)].sort(collator.compare),
      );
      assert.equal((await call('?all_fields=true')).length, 13, 'all_fields: at most 25 by default');
      assert.deepEqual(await call('?sort=name%20asc'), [...names].sort());
      assert.deepEqual(await call('?sort=name%20desc&limit=3&offset=1'), [...names].sort().reverse().slice(1, 4));
      const byCount = (await call('?all_fields=true&sort=package_count&limit=100')) as Dict[];
      const counts = byCount.map((g) => g.package_count as number);
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => b - a),
      );
      const search = JSON.parse((await getContent('/api/3/action/package_search?fq=groups:econ&rows=0')).text).result;
      assert.equal(byCount.find((g) => g.name === 'econ')!.package_count, search.count);
      assert.deepEqual(await call('?groups=%5B%22econ%22%2C%22tran%22%5D&sort=name'), ['econ', 'tran']);
      const bad = await getContent('/api/3/action/group_list?sort=created%20desc');
      assert.equal(bad.status, 409);
      assert.match(JSON.parse(bad.text).error.sort[0], /name, title or package_count/);
    });
  });
}
