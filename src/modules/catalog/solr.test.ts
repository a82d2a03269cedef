// The Solr subset of package_search (q, fq, fq_list, sort, include_drafts/include_private): the
// parser on its own, its meaning through package_search on the demo catalog, and the CKAN
// harvester's (ckanext-harvest) gather requests replayed one by one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { SolrError, compileSolr, parseSolr, parseSort, solrDate } from './solr.ts';

describe('Solr query parser', () => {
  test('fields, phrases, groups, ranges, prefixes and operators', () => {
    assert.deepEqual(parseSolr('organization:lviv'), {
      kind: 'term',
      field: 'organization',
      value: 'lviv',
      phrase: false,
      match: 'exact',
    });
    assert.deepEqual(parseSolr('*:*'), { kind: 'all' });
    assert.equal(parseSolr('organization:lviv OR organization:kyiv').kind, 'or');
    assert.equal(parseSolr('-organization:lviv').kind, 'not');
    assert.equal(parseSolr('NOT organization:lviv').kind, 'not');
    assert.equal(parseSolr('!organization:lviv').kind, 'not');
    assert.equal(parseSolr('+organization:lviv').kind, 'term');
    const grouped = parseSolr('organization:(lviv OR kyiv)');
    assert.equal(grouped.kind, 'or');
    assert.deepEqual(grouped.kind === 'or' && grouped.items.map((i) => i.kind === 'term' && i.field), [
      'organization',
      'organization',
    ]);
    assert.deepEqual(parseSolr('tags:"дитячі садки"'), {
      kind: 'term',
      field: 'tags',
      value: 'дитячі садки',
      phrase: true,
      match: 'exact',
    });
    assert.deepEqual(parseSolr('metadata_modified:[2026-01-01T00:00:00.123456Z TO *]'), {
      kind: 'range',
      field: 'metadata_modified',
      low: '2026-01-01T00:00:00.123456Z',
      high: null,
      lowInclusive: true,
      highInclusive: true,
    });
    const mixed = parseSolr('num_resources:{0 TO 2]');
    assert.ok(mixed.kind === 'range' && !mixed.lowInclusive && mixed.highInclusive);
    assert.equal((parseSolr('name:lviv-*') as { match: string }).match, 'prefix');
    assert.equal((parseSolr('res_format:*') as { match: string }).match, 'exists');
    assert.equal((parseSolr('name:a\\:b') as { value: string }).value, 'a:b');
    // Juxtaposition binds loosest: (a OR b) AND c, as the harvester means it.
    const harvester = parseSolr('organization:a OR organization:b metadata_modified:[2026-01-01T00:00:00Z TO *]');
    assert.equal(harvester.kind, 'and');
    assert.deepEqual(harvester.kind === 'and' && harvester.items.map((i) => i.kind), ['or', 'range']);
    // AND binds tighter than OR.
    const precedence = parseSolr('a OR b AND c');
    assert.ok(precedence.kind === 'or' && precedence.items[1]!.kind === 'and');
  });

  test('anything outside the subset is an error naming the part', () => {
    const refused: [string, RegExp][] = [
      ['extras_foo:bar', /Field not supported: extras_foo/],
      ['name:lviv^2', /Boosts/],
      ['title:budjet~1', /Fuzzy/],
      ['name:l*v', /trailing \*/],
      ['name:l?v', /trailing \*/],
      ['(organization:lviv', /Missing "\)"/],
      ['organization:lviv)', /Unexpected "\)"/],
      ['OR organization:lviv', /OR without a left side/],
      ['organization:lviv OR', /Expected a term/],
      ['tags:"unclosed', /Unclosed quote/],
      ['metadata_modified:[2026-01-01 TO', /Expected a range bound|Expected \] or \}/],
      ['metadata_modified:[2026-01-01 2026-02-01]', /Expected TO/],
      ['{!func}x', /Local parameters/],
      ['*', /bare \*/],
      ['', /Empty expression/],
      [`${'('.repeat(20)}a${')'.repeat(20)}`, /nested/],
      [Array.from({ length: 101 }, (_, i) => `name:n${i}`).join(' OR '), /More than 100 clauses/],
    ];
    for (const [query, message] of refused)
      assert.throws(
        () => parseSolr(query),
        (e: unknown) => e instanceof SolrError && message.test(e.message),
        query,
      );
    const compile = (q: string) => compileSolr(parseSolr(q), []);
    assert.throws(() => compile('metadata_modified:[yesterday TO *]'), /Not a date: yesterday/);
    assert.throws(() => compile('metadata_modified:[2026-02-30T00:00:00Z TO *]'), /Not a date/);
    assert.throws(() => compile('num_resources:[one TO 3]'), /num_resources takes a whole number/);
    assert.throws(() => compile('tags:[a TO b]'), /range is not supported on tags/);
    assert.throws(() => compile('private:maybe'), /private takes true or false/);
  });

  test('compiles to parameterised SQL', () => {
    const params: unknown[] = [];
    const sql = compileSolr(parseSolr(`organization:(lviv OR "kyiv'; DROP TABLE datasets; --")`), params);
    assert.equal(sql, '((c.slug = $1) OR (c.slug = $2))');
    assert.deepEqual(params, ['lviv', "kyiv'; DROP TABLE datasets; --"]);
  });

  test('dates: ISO with or without fraction and zone, NOW and date math', () => {
    const now = new Date('2026-03-15T10:20:30.456Z');
    assert.equal(solrDate('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00.000Z');
    assert.equal(solrDate('2026-01-01T00:00:00.123456Z'), '2026-01-01T00:00:00.123Z');
    assert.equal(solrDate('2026-01-01'), '2026-01-01T00:00:00.000Z');
    assert.equal(solrDate('2026-01-01T02:00:00+02:00'), '2026-01-01T00:00:00.000Z');
    assert.equal(solrDate('NOW', now), '2026-03-15T10:20:30.456Z');
    assert.equal(solrDate('NOW-1DAY', now), '2026-03-14T10:20:30.456Z');
    assert.equal(solrDate('NOW/DAY', now), '2026-03-15T00:00:00.000Z');
    assert.equal(solrDate('NOW-6MONTHS/MONTH', now), '2025-09-01T00:00:00.000Z');
    assert.throws(() => solrDate('NOW-1FORTNIGHT', now), SolrError);
  });

  test('sort: comma-separated field asc|desc', () => {
    assert.deepEqual(parseSort('id asc'), [{ key: 'id', desc: false }]);
    assert.deepEqual(parseSort('metadata_modified desc, name asc'), [
      { key: 'modified', desc: true },
      { key: 'name', desc: false },
    ]);
    assert.deepEqual(parseSort('score desc, metadata_modified desc'), [
      { key: 'score', desc: true },
      { key: 'modified', desc: true },
    ]);
    assert.throws(() => parseSort('extras_foo asc'), /Cannot sort by extras_foo/);
    assert.throws(() => parseSort('name'), /Expected "field asc"/);
    assert.throws(() => parseSort('name sideways'), /Expected "field asc"/);
  });
});

interface Package {
  id: string;
  name: string;
  title: string;
  state: string;
  private: boolean;
  organization: { name: string };
  groups: { name: string }[];
  tags: { name: string }[];
  resources: { format: string }[];
  num_resources: number;
  num_tags: number;
  license_id: string;
  metadata_modified: string;
  metadata_created: string;
}

async function tokenFor(app: FastifyInstance, email: string): Promise<string> {
  const client = new Client(app);
  await client.login(email, DEMO_PASSWORD);
  await client.get('/account');
  const page = await client.post('/account/tokens', { _csrf: client.csrfToken(), name: 'harvester' });
  return /id="new-token">([^<]+)</.exec(page.body)![1]!;
}

for (const engine of ENGINES) {
  describe(`package_search with Solr syntax on ${engine}`, () => {
    let app: FastifyInstance;
    let editorToken: string;
    let all: Package[];
    // A list (fq_list) goes as a JSON body, as CKAN clients post it; the rest as a GET query.
    const search = (params: Record<string, string | string[]>, token?: string) => {
      const headers = token ? { authorization: token } : {};
      if (Object.values(params).some(Array.isArray))
        return app.inject({ method: 'POST', url: '/api/3/action/package_search', headers, payload: params });
      return app.inject({
        method: 'GET',
        url: `/api/3/action/package_search?${new URLSearchParams(params as Record<string, string>)}`,
        headers,
      });
    };
    const names = async (params: Record<string, string | string[]>, token?: string) => {
      const response = await search({ rows: '1000', ...params }, token);
      assert.equal(response.statusCode, 200, `${JSON.stringify(params)}: ${response.body}`);
      const result = response.json().result;
      assert.equal(result.count, result.results.length);
      return (result.results as Package[]).map((p) => p.name).sort();
    };
    const where = (predicate: (p: Package) => boolean) =>
      all
        .filter(predicate)
        .map((p) => p.name)
        .sort();
    const refused = async (params: Record<string, string | string[]>, field: string, part: RegExp) => {
      const response = await search(params);
      assert.equal(response.statusCode, 409, response.body);
      const error = response.json().error;
      assert.equal(error.__type, 'Validation Error');
      assert.match(String(error[field]), part);
    };

    before(async () => {
      app = await createTestApp(engine, {
        config: { apiRateLimitAnonymous: 100_000, apiRateLimitAuthenticated: 100_000 },
      });
      editorToken = await tokenFor(app, 'editor.lviv@hromada.demo');
      all = (await search({ rows: '1000' })).json().result.results;
      assert.ok(all.length >= 7);
    });
    after(() => app.close());

    test('field terms mean what CKAN means', async () => {
      const org = (p: Package) => p.organization.name;
      assert.deepEqual(
        await names({ fq: 'organization:lviv' }),
        where((p) => org(p) === 'lviv'),
      );
      assert.deepEqual(
        await names({ fq: 'owner_org:kyiv' }),
        where((p) => org(p) === 'kyiv'),
      );
      assert.deepEqual(await names({ fq: 'name:lviv-budget-2024' }), ['lviv-budget-2024']);
      // id is the dataset's stable id (a UUID), as in CKAN; a name is no id.
      const budgetId = all.find((p) => p.name === 'lviv-budget-2024')!.id;
      assert.match(budgetId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(await names({ fq: `id:${budgetId}` }), ['lviv-budget-2024']);
      assert.deepEqual(await names({ fq: `id:"${budgetId}"` }), ['lviv-budget-2024']);
      assert.deepEqual(await names({ fq: 'id:lviv-budget-2024' }), []);
      assert.deepEqual(
        await names({ fq: 'name:lviv-*' }),
        where((p) => p.name.startsWith('lviv-')),
      );
      assert.deepEqual(
        await names({ fq: 'groups:econ' }),
        where((p) => p.groups.some((g) => g.name === 'econ')),
      );
      assert.deepEqual(await names({ fq: 'tags:"дитячі садки"' }), ['vinnytsia-kindergartens']);
      assert.deepEqual(
        await names({ fq: 'res_format:CSV' }),
        where((p) => p.resources.some((r) => r.format === 'CSV')),
      );
      assert.deepEqual(
        await names({ fq: 'license_id:CC-BY-4.0' }),
        where((p) => p.license_id === 'CC-BY-4.0'),
      );
      assert.deepEqual(
        await names({ fq: 'state:active' }),
        where(() => true),
      );
      assert.deepEqual(await names({ fq: 'state:draft' }), []);
      assert.deepEqual(
        await names({ fq: 'dataset_type:dataset' }),
        where(() => true),
      );
      assert.deepEqual(await names({ fq: 'dataset_type:harvest' }), []);
      assert.deepEqual(
        await names({ fq: 'num_resources:2' }),
        where((p) => p.num_resources === 2),
      );
      assert.deepEqual(
        await names({ fq: 'num_resources:[2 TO *]' }),
        where((p) => p.num_resources >= 2),
      );
      assert.deepEqual(
        await names({ fq: 'num_tags:{3 TO *]' }),
        where((p) => p.num_tags > 3),
      );
      assert.deepEqual(
        await names({ fq: 'title:бюджет' }),
        where((p) => p.title.toLowerCase().includes('бюджет')),
      );
      // Titles in any language, whatever the letter case.
      assert.deepEqual(await names({ fq: 'title:ЗАКЛАДИ' }), ['vinnytsia-kindergartens']);
      assert.deepEqual(await names({ fq: 'title:"air quality"' }), ['mykolaiv-air-quality']);
      assert.deepEqual(
        await names({ q: '*:*' }),
        where(() => true),
      );
      assert.deepEqual(await names({ q: 'name:hromada-cities' }), ['hromada-cities']);
      assert.deepEqual(
        await names({ fq: 'private:false' }),
        where(() => true),
      );
    });

    test('boolean operators, groups and negation', async () => {
      const org = (p: Package) => p.organization.name;
      const lvivOrKyiv = where((p) => org(p) === 'lviv' || org(p) === 'kyiv');
      assert.ok(lvivOrKyiv.some((n) => n.startsWith('lviv')) && lvivOrKyiv.some((n) => n.startsWith('kyiv')));
      assert.deepEqual(await names({ fq: 'organization:lviv OR organization:kyiv' }), lvivOrKyiv);
      assert.deepEqual(await names({ fq: 'organization:(lviv OR kyiv)' }), lvivOrKyiv);
      assert.deepEqual(await names({ fq: 'organization:lviv || organization:kyiv' }), lvivOrKyiv);
      assert.deepEqual(
        await names({ fq: '-organization:lviv' }),
        where((p) => org(p) !== 'lviv'),
      );
      assert.deepEqual(
        await names({ fq: 'NOT organization:lviv' }),
        where((p) => org(p) !== 'lviv'),
      );
      assert.deepEqual(
        await names({ fq: '-organization:(lviv OR kyiv)' }),
        where((p) => org(p) !== 'lviv' && org(p) !== 'kyiv'),
      );
      assert.deepEqual(
        await names({ fq: 'organization:lviv AND res_format:CSV' }),
        where((p) => org(p) === 'lviv' && p.resources.some((r) => r.format === 'CSV')),
      );
      assert.deepEqual(
        await names({ fq: '+groups:gove -organization:kyiv' }),
        where((p) => p.groups.some((g) => g.name === 'gove') && org(p) !== 'kyiv'),
      );
      assert.deepEqual(
        await names({ fq: '(groups:econ OR groups:educ) AND NOT organization:zhytomyr' }),
        where((p) => p.groups.some((g) => g.name === 'econ' || g.name === 'educ') && org(p) !== 'zhytomyr'),
      );
      // fq_list: each element ANDed with fq and q.
      assert.deepEqual(
        await names({ fq: 'groups:gove', fq_list: ['-organization:kyiv', 'res_format:CSV'] }),
        where(
          (p) =>
            p.groups.some((g) => g.name === 'gove') && org(p) !== 'kyiv' && p.resources.some((r) => r.format === 'CSV'),
        ),
      );
      assert.deepEqual(await names({ fq_list: JSON.stringify(['organization:lviv', 'groups:tran']) }), [
        'lviv-public-transport-stops',
      ]);
      // A bare word searches the text, also next to fields.
      assert.deepEqual(
        await names({ q: 'organization:lviv бюджет' }),
        await names({ q: 'бюджет', fq: 'organization:lviv' }),
      );
    });

    test('anything outside the subset is a 409 naming the part, never another result', async () => {
      await refused({ fq: 'extras_harvest_source_id:abc' }, 'fq', /Field not supported: extras_harvest_source_id/);
      await refused({ q: 'name:lviv^3' }, 'q', /Boosts/);
      await refused({ fq_list: ['organization:lviv', 'organization:(lviv'] }, 'fq_list', /Missing "\)"/);
      await refused({ fq: 'metadata_modified:[last week TO *]' }, 'fq', /Expected TO|Not a date/);
      await refused({ sort: 'extras_foo asc' }, 'sort', /Cannot sort by extras_foo/);
      await refused({ sort: 'name up' }, 'sort', /Expected "field asc"/);
    });

    test('random fragments of Solr syntax answer 200 or 409, never a server error', async () => {
      const pieces = [
        'organization:',
        'name:',
        'tags:',
        'groups:',
        'res_format:',
        'num_resources:',
        'metadata_modified:',
        'title:',
        'state:',
        'private:',
        'lviv',
        'kyiv',
        '"a b"',
        '"',
        '(',
        ')',
        '[',
        ']',
        '{',
        '}',
        ' TO ',
        '*',
        '?',
        ' AND ',
        ' OR ',
        ' NOT ',
        '-',
        '+',
        '!',
        '\\',
        ':',
        '^2',
        '~',
        '2026-01-01T00:00:00Z',
        'NOW-1DAY',
        '99999999999',
        '-5',
        "'",
        ';',
        '%',
        '_',
        'бюджет',
        ' ',
        '&&',
        '||',
        '{!',
        '\u0000',
      ];
      let seed = 42;
      const random = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % n;
      };
      for (let i = 0; i < 200; i++) {
        const fq = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('');
        const response = await search({ fq, sort: random(2) ? 'id asc' : 'num_resources desc, name asc' });
        assert.ok([200, 409].includes(response.statusCode), `${JSON.stringify(fq)}: ${response.body}`);
      }
    });

    test('sort: any field asc|desc, several keys', async () => {
      const order = async (sort: string) =>
        ((await search({ rows: '1000', sort })).json().result.results as Package[]).map((p) => p.name);
      const byName = all.map((p) => p.name).sort();
      const byId = [...all].sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => p.name);
      assert.deepEqual(await order('id asc'), byId);
      assert.deepEqual(await order('id desc'), [...byId].reverse());
      assert.deepEqual(await order('name desc'), [...byName].reverse());
      const twoKeys = await order('num_resources desc, name asc');
      const expected = [...all]
        .sort((a, b) => b.num_resources - a.num_resources || (a.name < b.name ? -1 : 1))
        .map((p) => p.name);
      assert.deepEqual(twoKeys, expected);
      const byModified = await order('metadata_modified asc, id asc');
      assert.equal(byModified.length, all.length);
      assert.equal((await search({ sort: 'title_string asc' })).statusCode, 200);
      assert.equal((await search({ sort: 'metadata_created desc' })).statusCode, 200);
    });

    test('drafts only with include_drafts, private only with include_private, and only the caller’s', async () => {
      const draft = 'lviv-council-decisions-draft';
      assert.ok(!(await names({}, editorToken)).includes(draft), 'no drafts by default, as CKAN');
      assert.ok((await names({ include_drafts: 'true' }, editorToken)).includes(draft));
      assert.ok(!(await names({ include_drafts: 'true' })).includes(draft), 'not for anonymous callers');
      // ckanapi posts JSON booleans.
      const posted = async (body: Record<string, unknown>) => {
        const response = await app.inject({
          method: 'POST',
          url: '/api/action/package_search',
          headers: { authorization: editorToken },
          payload: { rows: 1000, ...body },
        });
        assert.equal(response.statusCode, 200, response.body);
        return (response.json().result.results as Package[]).map((p) => p.name);
      };
      assert.ok((await posted({ include_drafts: true })).includes(draft));
      assert.ok(!(await posted({ include_drafts: false, include_private: false })).includes(draft));
      await app.db.query(
        `UPDATE datasets SET state = 'private' WHERE name IN ('lviv-public-transport-stops', 'hromada-cities')`,
      );
      try {
        const mine = 'lviv-public-transport-stops';
        const theirs = 'hromada-cities';
        assert.ok(!(await names({}, editorToken)).includes(mine), 'no private datasets by default');
        const withPrivate = await names({ include_private: 'true' }, editorToken);
        assert.ok(withPrivate.includes(mine), 'the caller’s city’s private dataset');
        assert.ok(!withPrivate.includes(theirs), 'not another city’s');
        assert.ok(!withPrivate.includes(draft), 'private without drafts');
        assert.ok(!(await names({ include_private: 'true' })).includes(mine), 'not for anonymous callers');
        const both = await names(
          { include_private: 'true', include_drafts: 'true', fq: 'organization:lviv' },
          editorToken,
        );
        assert.ok(both.includes(mine) && both.includes(draft));
      } finally {
        await app.db.query(
          `UPDATE datasets SET state = 'published' WHERE name IN ('lviv-public-transport-stops', 'hromada-cities')`,
        );
      }
    });

    describe('the CKAN harvester’s gather stage, request by request', () => {
      /** ckanharvester._search_for_datasets: sort=id asc, rows=100, start+=rows until an empty page. */
      const gather = async (fqTerms: string[], rows = 100) => {
        const params: Record<string, string> = { rows: String(rows), start: '0', sort: 'id asc' };
        if (fqTerms.length) params.fq = fqTerms.join(' ');
        const collected: string[] = [];
        let previous = '';
        for (let requests = 0; requests < 500; requests++) {
          const response = await search(params);
          assert.equal(response.statusCode, 200, response.body);
          assert.notEqual(response.body, previous, 'the paging works');
          previous = response.body;
          const page = response.json().result.results as Package[];
          for (const p of page) if (!collected.includes(p.id)) collected.push(p.id);
          if (page.length === 0) {
            // In id order, each once; compared by name.
            assert.deepEqual(collected, [...collected].sort());
            const nameOf = new Map(all.map((p) => [p.id, p.name]));
            return collected.map((id) => nameOf.get(id) ?? id).sort();
          }
          params.start = String(Number(params.start) + Number(params.rows));
        }
        assert.fail('paging did not end');
      };
      /** gather_stage's fq terms for its organizations_filter_* and groups_filter_* options. */
      const fqTerms = (config: {
        organizations_filter_include?: string[];
        organizations_filter_exclude?: string[];
        groups_filter_include?: string[];
        groups_filter_exclude?: string[];
      }) => {
        const terms: string[] = [];
        if (config.organizations_filter_include?.length)
          terms.push(config.organizations_filter_include.map((o) => `organization:${o}`).join(' OR '));
        else if (config.organizations_filter_exclude?.length)
          terms.push(...config.organizations_filter_exclude.map((o) => `-organization:${o}`));
        if (config.groups_filter_include?.length)
          terms.push(config.groups_filter_include.map((g) => `groups:${g}`).join(' OR '));
        else if (config.groups_filter_exclude?.length)
          terms.push(...config.groups_filter_exclude.map((g) => `-groups:${g}`));
        return terms;
      };
      const org = (p: Package) => p.organization.name;
      const inGroup = (p: Package, g: string) => p.groups.some((x) => x.name === g);

      test('a first run collects every public dataset once, in id order, whatever the page size', async () => {
        const everything = where(() => true);
        assert.deepEqual(await gather([]), everything);
        assert.deepEqual(await gather([], 2), everything);
        assert.deepEqual(await gather([], 3), everything);
      });

      test('organization and group filters as the harvester builds them', async () => {
        assert.deepEqual(
          await gather(fqTerms({ organizations_filter_include: ['lviv', 'kyiv'] })),
          where((p) => ['lviv', 'kyiv'].includes(org(p))),
        );
        assert.deepEqual(
          await gather(fqTerms({ organizations_filter_exclude: ['lviv', 'kyiv'] }), 2),
          where((p) => !['lviv', 'kyiv'].includes(org(p))),
        );
        assert.deepEqual(
          await gather(fqTerms({ groups_filter_include: ['econ', 'tran'] })),
          where((p) => inGroup(p, 'econ') || inGroup(p, 'tran')),
        );
        assert.deepEqual(
          await gather(fqTerms({ groups_filter_exclude: ['gove'] })),
          where((p) => !inGroup(p, 'gove')),
        );
        assert.deepEqual(
          await gather(fqTerms({ organizations_filter_include: ['lviv', 'kyiv'], groups_filter_exclude: ['gove'] })),
          where((p) => ['lviv', 'kyiv'].includes(org(p)) && !inGroup(p, 'gove')),
        );
        assert.deepEqual(
          await gather(fqTerms({ organizations_filter_include: ['lviv'], groups_filter_include: ['econ', 'tran'] })),
          where((p) => org(p) === 'lviv' && (inGroup(p, 'econ') || inGroup(p, 'tran'))),
        );
      });

      test('an incremental run asks for what changed since the last gather, less an hour', async () => {
        const changed = ['hromada-cities', 'lviv-budget-2024'];
        await app.db.query(
          `UPDATE datasets SET modified_at = CASE WHEN name = $1 THEN timestamptz '2026-01-10 11:30:00.5+00' WHEN name = $2 THEN timestamptz '2026-01-10 11:45:00.25+00' ELSE timestamptz '2025-12-01 08:00:00+00' END`,
          changed,
        );
        // Python's isoformat() of gather_started (2026-01-10 12:00:00.123456) minus an hour, then "Z".
        const since = 'metadata_modified:[2026-01-10T11:00:00.123456Z TO *]';
        assert.deepEqual(await gather([since]), changed);
        assert.deepEqual(await gather(['metadata_modified:[2026-01-10T11:00:00Z TO *]']), changed);
        assert.deepEqual(await gather(['metadata_modified:[2026-01-10T12:00:00Z TO *]']), []);
        assert.deepEqual(await gather([...fqTerms({ organizations_filter_include: ['lviv', 'zhytomyr'] }), since]), [
          'lviv-budget-2024',
        ]);
        assert.deepEqual(await gather([...fqTerms({ organizations_filter_exclude: ['lviv'] }), since]), [
          'hromada-cities',
        ]);
        assert.deepEqual(
          await names({ fq: 'metadata_modified:[* TO 2026-01-01T00:00:00Z}' }),
          where((p) => !changed.includes(p.name)),
        );
        // The value a client saw in metadata_modified finds that dataset again.
        const seen = (await search({ fq: 'name:hromada-cities' })).json().result.results[0].metadata_modified;
        assert.deepEqual(await names({ fq: `metadata_modified:"${seen}Z"` }), ['hromada-cities']);
        assert.deepEqual(await names({ fq: 'metadata_modified:[NOW-1DAY TO NOW]' }), []);
      });
    });
  });
}
