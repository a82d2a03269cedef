// The ranking over HTTP, as its people use it: the methodologist imports, edits and publishes a
// methodology; the admin runs a campaign; the assessor scores with evidence; the coordinator
// verifies; a citizen appeals; the admin publishes and corrects; the public reads and downloads.
// Every role is tried against every action, and bad input changes nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { sample } from '../../../test/ranking-fixtures.ts';
import { loadBoard } from './board.ts';
import { getCampaign } from './campaigns.ts';
import { readXlsxRows, writeXlsxRows } from '../../../test/spreadsheets.ts';

const PDF = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';

for (const engine of ENGINES) {
  describe(`ranking over HTTP on ${engine}`, () => {
    let app: FastifyInstance;
    const clients: Record<string, Client> = {};
    let methodologyId = 0;
    let campaignId = 0;
    let lviv = 0;
    let kyiv = 0;
    const count = async (sql: string, params: unknown[] = []) =>
      (await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))!.n;
    const scoresOf = () =>
      app.db.query(
        `SELECT city_id, indicator_id, level_value::float8 AS v, not_applicable, verification, verified_value::float8 AS vv, comment
      FROM ranking_scores WHERE campaign_id = $1 ORDER BY 1, 2`,
        [campaignId],
      );

    async function upload(
      client: Client,
      pagePath: string,
      action: string,
      fields: Record<string, string>,
      file?: { name: string; content: Uint8Array | string },
    ) {
      await client.get(pagePath);
      const body = multipartBody({ _csrf: client.csrfToken(), ...fields }, file);
      return app.inject({
        method: 'POST',
        url: action,
        payload: body.payload,
        headers: { cookie: client.cookieHeader, 'content-type': body.contentType },
      });
    }

    before(async () => {
      app = await createTestApp(engine);
      for (const who of ['admin', 'assessor', 'coordinator.lviv', 'editor.lviv', 'citizen']) {
        clients[who] = new Client(app);
        await clients[who]!.login(`${who}@hromada.demo`, DEMO_PASSWORD);
      }
      clients.anonymous = new Client(app);
      lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
    });
    after(() => app.close());

    test('the demo ranking is public: table, filters, sorting, map data, city profile, compare, indicator, practices, recommendations, methodology', async () => {
      const visitor = clients.anonymous!;
      const board = await visitor.get('/ranking');
      assert.equal(board.statusCode, 200);
      assert.match(board.body, /Прозорі міста 2021/);
      assert.match(board.body, /id="ranking-map"[^>]*data-points="\[/);
      const places = [...board.body.matchAll(/<tr>\s*<td class="number place">(\d+)<\/td>/g)].map((m) => Number(m[1]));
      assert.equal(places.length, 40);
      assert.deepEqual(
        places,
        [...places].sort((a, b) => a - b),
        'sorted by place',
      );
      // Averages: regions from the highest mean down, population bands smallest first.
      const averages = (title: string) => {
        const table = board.body.slice(board.body.indexOf(title)).split('</table>')[0]!;
        return [...table.matchAll(/<tr><td>([^<]*)<\/td><td class="number">([\d,]+)<\/td>/g)].map((m) => ({
          name: m[1]!,
          mean: Number(m[2]!.replace(',', '.')),
        }));
      };
      const byOblast = averages('За областями');
      assert.ok(byOblast.length > 5);
      assert.deepEqual(
        byOblast.map((r) => r.mean),
        byOblast.map((r) => r.mean).sort((a, b) => b - a),
      );
      const bands = averages('За населенням').map((r) => Number(r.name.split(/[–+]/)[0]!.replace(/\D/g, '')));
      assert.ok(bands.length > 2);
      assert.deepEqual(
        bands,
        [...bands].sort((a, b) => a - b),
        'bands in their own order',
      );
      const filtered = await visitor.get('/ranking/campaigns/2?oblast=lvivska');
      assert.match(filtered.body, /Львів/);
      assert.doesNotMatch(filtered.body, />Київ<\/a><\/th>/);
      const byName = await visitor.get('/ranking/campaigns/2?sort=name');
      assert.match(byName.body, /aria-sort="ascending"/);
      const city = await visitor.get('/ranking/campaigns/2/cities/lviv');
      assert.equal(city.statusCode, 200);
      assert.match(city.body, /areas\.svg/);
      assert.match(city.body, /dynamics\.svg/, 'two published years: the dynamics chart');
      assert.match(city.body, /Протоколи всіх комісій оприлюднено/, 'the decided appeal is public after publication');
      assert.equal(
        (await visitor.get('/ranking/campaigns/2/cities/lviv/areas.svg')).headers['content-type'],
        'image/svg+xml; charset=utf-8',
      );
      const compare = await visitor.get('/ranking/campaigns/2/compare?cities=lviv&cities=kyiv&cities=odesa');
      assert.equal(
        (compare.body.match(/<th scope="col" class="number"><a href="\/ranking\/campaigns\/2\/cities\//g) ?? []).length,
        6,
        'three cities, two tables',
      );
      const indicator = await visitor.get('/ranking/campaigns/2/indicators/K01');
      assert.match(indicator.body, /Кращі практики/);
      const practices = await visitor.get(`/ranking/practices?q=${encodeURIComponent('закупівель')}`);
      assert.match(practices.body, /Знайдено \d+ практик/);
      const report = await visitor.get('/ranking/campaigns/2/cities/lviv/recommendations');
      const gains = [...report.body.matchAll(/<strong>\+([\d,]+) бал\.<\/strong>/g)].map((m) =>
        Number(m[1]!.replace(',', '.')),
      );
      assert.ok(gains.length > 0);
      assert.deepEqual(
        gains,
        [...gains].sort((a, b) => b - a),
        'ordered by points to gain',
      );
      assert.match((await visitor.get('/ranking/methodologies/1')).body, /K88/);
      const versions = await visitor.get('/ranking/methodologies');
      assert.match(versions.body, /href="\/ranking\/methodologies\/1">Прозорі міста 2020 — демо-методологія/);
      assert.equal(
        (await visitor.get('/ranking/campaigns/3')).statusCode,
        404,
        'a campaign under assessment has no public results',
      );
      const cityOwnPage = await visitor.get('/cities/lviv');
      assert.match(
        cityOwnPage.body,
        /href="\/ranking\/campaigns\/2\/cities\/lviv">Прозорі міста 2021/,
        'the city’s own page lists its published rankings',
      );
      assert.doesNotMatch(cityOwnPage.body, /\/ranking\/campaigns\/3\/cities\/lviv/);
      assert.equal(
        (await visitor.get('/ranking/campaigns/3/cities/lviv/assess')).statusCode,
        302,
        'the work pages ask to log in',
      );
    });

    test('the demo correction: its note, its diff, the scores and both revisions’ totals agree', async () => {
      const campaign = await getCampaign(app.db, 2);
      const [first, second] = [await loadBoard(app.db, campaign, 1), await loadBoard(app.db, campaign, 2)];
      const [change] = second.corrections;
      assert.equal(second.corrections.length, 1);
      assert.deepEqual([change!.previous, change!.value], [0.5, 1], 'the note says “from 0.5 to 1”');
      const lvivTotal = (board: typeof first) => board.rows.find((r) => r.city.slug === 'lviv')!.total!;
      assert.ok(lvivTotal(second) > lvivTotal(first), `${lvivTotal(first)} → ${lvivTotal(second)}`);
      const others = (board: typeof first) => board.rows.filter((r) => r.city.slug !== 'lviv').map((r) => r.total);
      assert.deepEqual(others(second), others(first), 'no other city moved');
      const page = await clients.anonymous!.get('/ranking/campaigns/2');
      assert.match(page.body, new RegExp(`Львів, ${change!.code}: 0,5 → 1<`));
      // A correction that changes nothing is refused: it would publish a revision contradicting its note.
      const indicator = await app.db.one<{ code: string }>(
        'SELECT i.code FROM ranking_indicators i JOIN ranking_corrections k ON k.indicator_id = i.id LIMIT 1',
      );
      const admin = clients.admin!;
      const manage = '/ranking/campaigns/2/manage';
      const again = await admin.submit(manage, '/ranking/campaigns/2/corrections', {
        city: String(second.rows.find((r) => r.city.slug === 'lviv')!.city.id),
        indicator: indicator!.code,
        level: '1',
        change_note: 'The same score once more, by mistake.',
      });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /changes nothing|нічого не змінює/);
      assert.equal((await loadBoard(app.db, campaign)).revisions.length, 2);
    });

    test('open results: CSV, XLSX and JSON agree with the API and the page; numbers stay numbers', async () => {
      const visitor = clients.anonymous!;
      const api = JSON.parse((await visitor.get('/api/v1/ranking/campaigns/2/results')).body) as {
        revision: number;
        items: { city: string; total: number; place: number; change_points: number | null }[];
      };
      assert.equal(api.revision, 2, 'the demo 2021 campaign was corrected once');
      const json = JSON.parse((await visitor.get('/ranking/campaigns/2/results.json')).body) as typeof api.items;
      assert.deepEqual(json, api.items);
      const csv = (await visitor.get('/ranking/campaigns/2/results.csv')).body.trim().split('\r\n');
      assert.equal(csv.length, 41);
      assert.ok(
        csv.slice(1).some((line) => /,-\d/.test(line)),
        'a negative change is written as a number, not neutralised text',
      );
      const xlsx = await app.inject({ method: 'GET', url: '/ranking/campaigns/2/scores.xlsx' });
      const rows = await readXlsxRows(xlsx.rawPayload);
      assert.equal(rows.length, 1 + 40 * 88);
      const scores = JSON.parse((await visitor.get('/api/v1/ranking/campaigns/2/scores?city=lviv')).body) as {
        items: unknown[];
      };
      assert.equal(scores.items.length, 88);
      const openapi = JSON.parse((await visitor.get('/api/v1/openapi.json')).body) as {
        paths: Record<string, unknown>;
      };
      for (const path of [
        '/api/v1/ranking/campaigns',
        '/api/v1/ranking/campaigns/{id}/results',
        '/api/v1/ranking/campaigns/{id}/scores',
        '/api/v1/ranking/methodologies/{id}',
      ]) {
        assert.ok(openapi.paths[path], path);
      }
    });

    test('methodology: JSON import with pointers to problems, XLSX round trip, editing a draft, publishing freezes it', async () => {
      const admin = clients.admin!;
      const broken = {
        ...sample('bad'),
        areas: [
          {
            ...sample().areas[0]!,
            indicators: [
              {
                ...sample().areas[0]!.indicators[0]!,
                levels: [{ value: 2, description: { uk: 'a', en: 'a', bg: 'a' } }],
              },
            ],
          },
        ],
      };
      const refused = await upload(
        admin,
        '/ranking/manage',
        '/ranking/methodologies/import',
        {},
        { name: 'm.json', content: JSON.stringify(broken) },
      );
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /\/areas\/0\/indicators\/0\/levels\/0\/value/);
      const imported = await upload(
        admin,
        '/ranking/manage',
        '/ranking/methodologies/import',
        {},
        { name: 'm.json', content: JSON.stringify(sample('test-2021')) },
      );
      assert.equal(imported.statusCode, 303);
      methodologyId = Number(/\/ranking\/methodologies\/(\d+)/.exec(imported.headers.location as string)![1]);
      // XLSX out and back in, as another version: the same document.
      const xlsx = await app.inject({
        method: 'GET',
        url: `/ranking/methodologies/${methodologyId}.xlsx`,
        headers: { cookie: admin.cookieHeader },
      });
      assert.equal(xlsx.statusCode, 200);
      const rows = await readXlsxRows(xlsx.rawPayload);
      const version = rows[0]!.indexOf('version');
      for (const row of rows.slice(1)) row[version] = 'test-2021-xlsx';
      const again = await upload(
        admin,
        '/ranking/manage',
        '/ranking/methodologies/import',
        {},
        { name: 'm.xlsx', content: await writeXlsxRows(rows) },
      );
      assert.equal(again.statusCode, 303, again.body.slice(0, 300));
      const copyId = Number(/\/ranking\/methodologies\/(\d+)/.exec(again.headers.location as string)![1]);
      const original = JSON.parse((await admin.get(`/ranking/methodologies/${methodologyId}.json`)).body);
      const roundTripped = JSON.parse((await admin.get(`/ranking/methodologies/${copyId}.json`)).body);
      assert.deepEqual({ ...roundTripped, version: 'x' }, { ...original, version: 'x' });
      // Editing the draft: a change is checked as a whole; a wrong level is named and nothing changes.
      const editPage = `/ranking/methodologies/${methodologyId}/edit`;
      const fields = {
        question_uk: 'Чи оприлюднено рішення?',
        question_en: 'Are decisions published?',
        question_bg: 'Публикувани ли са решенията?',
        guidance_uk: '',
        guidance_en: '',
        guidance_bg: '',
        points: '2',
        type: 'legal',
        evidence: 'website',
        levels: '1 | Так | Yes | Да\n0 | Ні | No | Не',
      };
      const bad = await admin.submit(editPage, `/ranking/methodologies/${methodologyId}/indicators/K01`, {
        ...fields,
        levels: '0.5 | Частково | Partly | Частично',
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /One level must have the value 1|Один рівень має бути|ranking\.error\.full_level|value 1/);
      const good = await admin.submit(editPage, `/ranking/methodologies/${methodologyId}/indicators/K01`, fields);
      assert.equal(good.statusCode, 303);
      const edited = JSON.parse((await admin.get(`/ranking/methodologies/${methodologyId}.json`)).body);
      assert.equal(edited.areas[0].indicators[0].question.en, 'Are decisions published?');
      assert.equal(edited.areas[0].indicators[0].levels.length, 2);
      assert.equal(
        (await admin.submit('/ranking/manage', `/ranking/methodologies/${methodologyId}/publish`, {})).statusCode,
        303,
      );
      assert.equal(
        (
          await admin.submit(
            `/ranking/methodologies/${methodologyId}`,
            `/ranking/methodologies/${methodologyId}/indicators/K01`,
            fields,
          )
        ).statusCode,
        409,
        'published: frozen',
      );
      await assert.rejects(
        app.db.query(`UPDATE ranking_indicators SET points = 1 WHERE methodology_id = $1`, [methodologyId]),
        /published/,
      );
    });

    test('the campaign from start to publication, with every refusal on the way changing nothing', async () => {
      const { admin, assessor, 'coordinator.lviv': coordinator, citizen } = clients as Record<string, Client>;
      const created = await admin!.submit('/ranking/manage', '/ranking/campaigns', {
        year: '2031',
        methodology_id: String(methodologyId),
        title_uk: 'Тест 2031',
        title_en: 'Test 2031',
        title_bg: 'Тест 2031',
        bands: 'transparent 80, partly 50, not 0',
      });
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      campaignId = Number(/\/ranking\/campaigns\/(\d+)/.exec(created.headers.location as string)![1]);
      const manage = `/ranking/campaigns/${campaignId}/manage`;
      assert.equal(
        (await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode,
        422,
        'no cities yet',
      );
      assert.equal(
        (
          await admin!.post(`/ranking/campaigns/${campaignId}/cities`, {
            _csrf: admin!.csrfToken(),
            cities: String(lviv),
          })
        ).statusCode,
        303,
      );
      await admin!.get(manage);
      const body = new URLSearchParams([
        ['_csrf', admin!.csrfToken()],
        ['cities', String(lviv)],
        ['cities', String(kyiv)],
      ]);
      await app.inject({
        method: 'POST',
        url: `/ranking/campaigns/${campaignId}/cities`,
        payload: body.toString(),
        headers: { cookie: admin!.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      });
      const assessorId = (await app.db.one<{ id: number }>(
        `SELECT id FROM users WHERE email = 'assessor@hromada.demo'`,
      ))!.id;
      // The assessor's organisation is based in Kyiv: a conflict of interest without a reason.
      const conflict = await admin!.submit(manage, `/ranking/campaigns/${campaignId}/assignments`, {
        assessor: String(assessorId),
        city: String(kyiv),
        override_reason: '',
      });
      assert.equal(conflict.statusCode, 409);
      assert.equal(await count('ranking_assignments WHERE campaign_id = $1', [campaignId]), 0);
      assert.equal(
        (
          await admin!.submit(manage, `/ranking/campaigns/${campaignId}/assignments`, {
            assessor: String(assessorId),
            city: String(lviv),
          })
        ).statusCode,
        303,
      );
      assert.equal(
        (
          await admin!.submit(manage, `/ranking/campaigns/${campaignId}/assignments`, {
            assessor: String(assessorId),
            city: String(kyiv),
            override_reason: 'No other assessor speaks to Kyiv’s council this year',
          })
        ).statusCode,
        303,
      );
      assert.match((await admin!.get(manage)).body, /конфлікт дозволено/);
      const coordinatorId = (await app.db.one<{ id: number }>(
        `SELECT id FROM users WHERE email = 'coordinator.lviv@hromada.demo'`,
      ))!.id;
      assert.equal(
        (
          await admin!.submit(manage, `/ranking/campaigns/${campaignId}/coordinators`, {
            coordinator: `${coordinatorId}:lvivska`,
          })
        ).statusCode,
        303,
      );
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode, 303);

      const assess = `/ranking/campaigns/${campaignId}/cities/lviv/assess`;
      const score = (code: string) => `/ranking/campaigns/${campaignId}/cities/lviv/scores/${code}`;
      assert.equal((await assessor!.get(assess)).statusCode, 200);
      // Bad input: a level outside the rubric, a link that is not one, N/A where not allowed.
      assert.equal((await assessor!.submit(assess, score('K01'), { level: '0.7' })).statusCode, 422);
      assert.equal((await assessor!.submit(assess, score('K01'), { level: 'na' })).statusCode, 422);
      assert.equal(
        (await assessor!.submit(assess, score('K01'), { level: '1', evidence_links: 'javascript:alert(1)' }))
          .statusCode,
        422,
      );
      assert.equal((await scoresOf()).length, 0);
      // A draft saved by the autosave island (JSON) and by the form; script in a comment stays text.
      await assessor!.get(assess);
      const autosave = await app.inject({
        method: 'POST',
        url: score('K01'),
        headers: {
          cookie: assessor!.cookieHeader,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({
          _csrf: assessor!.csrfToken(),
          level: '0',
          comment: '<script>alert(1)</script> half',
          evidence_links: 'https://lviv.example/rishennia',
        }).toString(),
      });
      assert.equal(autosave.statusCode, 200);
      assert.deepEqual(JSON.parse(autosave.body), { saved: true, scored: 1 });
      assert.equal(
        (await assessor!.submit(assess, score('K02'), { level: 'na', comment: 'No roll-call system' })).statusCode,
        303,
      );
      const page = await assessor!.get(assess);
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; half/);
      assert.doesNotMatch(page.body, /<script>alert/);
      // Evidence: a real PDF is kept; a disguised one and an oversized one are refused and leave nothing.
      assert.equal(
        (await upload(assessor!, assess, `${score('K01')}/files`, {}, { name: 'decisions.pdf', content: PDF }))
          .statusCode,
        303,
      );
      assert.equal(
        (
          await upload(
            assessor!,
            assess,
            `${score('K01')}/files`,
            {},
            { name: 'evil.pdf', content: '<html><script>alert(1)</script>' },
          )
        ).statusCode,
        422,
      );
      assert.equal(
        (
          await upload(
            assessor!,
            assess,
            `${score('K01')}/files`,
            {},
            { name: 'big.pdf', content: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(11 * 1024 * 1024)]) },
          )
        ).statusCode,
        413,
      );
      assert.equal(await count('ranking_evidence_files WHERE campaign_id = $1', [campaignId]), 1);
      // Before publication the evidence is seen by those who work on the city only; the results by admins only.
      const evidenceId = (await app.db.one<{ id: number }>(
        'SELECT id FROM ranking_evidence_files WHERE campaign_id = $1',
        [campaignId],
      ))!.id;
      const evidenceUrl = `/ranking/campaigns/${campaignId}/files/${evidenceId}`;
      assert.equal((await coordinator!.get(evidenceUrl)).statusCode, 200);
      assert.equal((await citizen!.get(evidenceUrl)).statusCode, 404);
      assert.equal((await clients.anonymous!.get(evidenceUrl)).statusCode, 404);
      assert.equal((await assessor!.get(`/ranking/campaigns/${campaignId}`)).statusCode, 404);
      assert.equal((await assessor!.get(`/api/v1/ranking/campaigns/${campaignId}/scores`)).statusCode, 404);
      assert.equal((await admin!.get(`/ranking/campaigns/${campaignId}`)).statusCode, 200);
      // Kyiv is assigned too; Odesa is not in the campaign at all.
      assert.equal(
        (
          await assessor!.submit(
            `/ranking/campaigns/${campaignId}/cities/kyiv/assess`,
            `/ranking/campaigns/${campaignId}/cities/kyiv/scores/K01`,
            { level: '1' },
          )
        ).statusCode,
        303,
      );
      assert.equal(
        (await assessor!.submit(assess, `/ranking/campaigns/${campaignId}/cities/odesa/scores/K01`, { level: '1' }))
          .statusCode,
        404,
      );

      // Verification: the Lviv coordinator returns K02 and accepts K01 at a lower level; Kyiv is not theirs.
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode, 303);
      assert.equal(
        (await coordinator!.submit(assess, `${score('K02')}/verify`, { decision: 'return', verifier_comment: '' }))
          .statusCode,
        422,
        'a return needs a comment',
      );
      assert.equal(
        (
          await coordinator!.submit(assess, `${score('K02')}/verify`, {
            decision: 'return',
            verifier_comment: 'There is a roll-call system since 2020',
          })
        ).statusCode,
        303,
      );
      assert.equal(
        (await coordinator!.submit(assess, `${score('K01')}/verify`, { decision: 'accept' })).statusCode,
        303,
      );
      assert.equal((await coordinator!.get(`/ranking/campaigns/${campaignId}/cities/kyiv/assess`)).statusCode, 403);
      // The assessor reworks the returned score only.
      assert.equal((await assessor!.submit(assess, score('K01'), { level: '1' })).statusCode, 409);
      assert.equal(
        (await assessor!.submit(assess, score('K02'), { level: '1', comment: 'Roll-call votes found as open data' }))
          .statusCode,
        303,
      );
      assert.equal(
        (await coordinator!.submit(assess, `${score('K02')}/verify`, { decision: 'accept' })).statusCode,
        303,
      );

      // Provisional results, then the appeal window: a citizen disputes K01 with a PDF.
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode, 303);
      const provisional = await citizen!.get(`/ranking/campaigns/${campaignId}`);
      assert.match(provisional.body, /Попередні результати/);
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode, 303);
      const cityPage = `/ranking/campaigns/${campaignId}/cities/lviv`;
      const tooShort = await upload(citizen!, cityPage, `${cityPage}/appeals`, {
        indicator: 'K01',
        explanation: 'wrong',
      });
      assert.equal(tooShort.statusCode, 422);
      const appeal = await upload(
        citizen!,
        cityPage,
        `${cityPage}/appeals`,
        {
          indicator: 'K01',
          explanation: 'Both years of draft decisions are on the council website, archive section.',
          evidence_links: 'https://lviv.example/archive',
        },
        { name: 'archive.pdf', content: PDF },
      );
      assert.equal(appeal.statusCode, 303, appeal.body.slice(0, 400));
      const appealId = (await app.db.one<{ id: number }>('SELECT id FROM ranking_appeals WHERE campaign_id = $1', [
        campaignId,
      ]))!.id;
      assert.equal(
        (
          await citizen!.submit(`/ranking/campaigns/${campaignId}/appeals`, `/ranking/appeals/${appealId}/decide`, {
            decision: 'accept',
            level: '1',
            decision_reason: 'x',
          })
        ).statusCode,
        403,
      );
      assert.equal(
        (
          await coordinator!.submit(`/ranking/campaigns/${campaignId}/appeals`, `/ranking/appeals/${appealId}/decide`, {
            decision: 'accept',
            level: '1',
            decision_reason: '',
          })
        ).statusCode,
        422,
      );
      assert.equal(
        (
          await coordinator!.submit(`/ranking/campaigns/${campaignId}/appeals`, `/ranking/appeals/${appealId}/decide`, {
            decision: 'accept',
            level: '1',
            decision_reason: 'The archive has both years',
          })
        ).statusCode,
        303,
      );

      // Final, then published: revision 1, the open datasets, and no more edits.
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/phase`, {})).statusCode, 303);
      assert.equal((await admin!.submit(manage, `/ranking/campaigns/${campaignId}/publish`, {})).statusCode, 303);
      const results = JSON.parse((await citizen!.get(`/api/v1/ranking/campaigns/${campaignId}/results`)).body) as {
        revision: number;
        items: { city: string; total: number; place: number }[];
      };
      assert.equal(results.revision, 1);
      const lvivResult = results.items.find((r) => r.city === 'lviv')!;
      // Lviv: K01 1 × 2 points (after the appeal) and K02 1 × 1 point in an area capped at 3 → 3 / 3.
      assert.deepEqual([lvivResult.total, lvivResult.place], [100, 1]);
      const dataset = await app.db.one<{ state: string; resources: number }>(
        `SELECT d.state, (SELECT count(*)::int FROM resources r WHERE r.dataset_id = d.id AND r.file_name LIKE $1) AS resources FROM datasets d WHERE d.name = 'lviv-transparency-ranking'`,
        [`%campaign-${campaignId}.csv`],
      );
      assert.deepEqual({ ...dataset }, { state: 'published', resources: 1 });
      const before = await scoresOf();
      assert.equal((await assessor!.submit(assess, score('K01'), { level: '0' })).statusCode, 409);
      await assert.rejects(
        app.db.query('UPDATE ranking_scores SET level_value = 0 WHERE campaign_id = $1', [campaignId]),
        /published/,
      );
      assert.deepEqual(await scoresOf(), before);
      // A correction: a new revision with its public note; the first stays readable. An anonymous
      // visitor's page of revision 1 is cached, and must not outlive the correction.
      assert.doesNotMatch((await clients.anonymous!.get(`/ranking/campaigns/${campaignId}`)).body, /редакція 2/);
      const correction = await admin!.submit(manage, `/ranking/campaigns/${campaignId}/corrections`, {
        city: String(kyiv),
        indicator: 'K02',
        level: '0',
        change_note: 'Kyiv has no roll-call data after all.',
      });
      assert.equal(correction.statusCode, 303, correction.body.slice(0, 400));
      const board = await citizen!.get(`/ranking/campaigns/${campaignId}`);
      assert.match(board.body, /Kyiv has no roll-call data after all\./);
      assert.match(board.body, /редакція 2/);
      assert.match(
        (await clients.anonymous!.get(`/ranking/campaigns/${campaignId}`)).body,
        /Kyiv has no roll-call data after all\./,
      );
      assert.match((await citizen!.get(`/ranking/campaigns/${campaignId}?revision=1`)).body, /Опубліковано/);
      assert.equal(
        await count(`audit_events WHERE action = 'ranking.correction'`),
        2,
        'the demo correction and this one',
      );
      assert.equal(await count('ranking_revisions WHERE campaign_id = $1', [campaignId]), 2);
      // The evidence and the appeal are public now.
      const lvivPage = await clients.anonymous!.get(cityPage);
      assert.match(lvivPage.body, /Both years of draft decisions/);
      const fileId = /\/files\/(\d+)">decisions\.pdf/.exec(lvivPage.body)?.[1];
      assert.ok(fileId);
      const file = await clients.anonymous!.get(`/ranking/campaigns/${campaignId}/files/${fileId}`);
      assert.equal(file.headers['content-type'], 'application/pdf');
    });

    test('every role against every workflow action: only the allowed ones succeed, the rest change nothing', async () => {
      // A fresh campaign in the assessment phase, with the demo assignments of campaign 3 (assessor: Lviv; coordinator: lvivska).
      const campaign = 3;
      const assessorId = (await app.db.one<{ id: number }>(
        `SELECT id FROM users WHERE email = 'assessor@hromada.demo'`,
      ))!.id;
      const actions: { name: string; path: string; fields: Record<string, string>; page: string; allowed: string[] }[] =
        [
          {
            name: 'create a campaign',
            page: '/ranking/manage',
            path: '/ranking/campaigns',
            fields: { year: '2040', methodology_id: '1', title_uk: 'x', title_en: 'x', title_bg: 'x' },
            allowed: ['admin'],
          },
          {
            name: 'assign an assessor',
            page: '/ranking',
            path: `/ranking/campaigns/${campaign}/assignments`,
            fields: { assessor: String(assessorId), city: String(lviv) },
            allowed: ['admin'],
          },
          {
            name: 'score a city',
            page: '/ranking',
            path: `/ranking/campaigns/${campaign}/cities/lviv/scores/K03`,
            fields: { level: '1' },
            allowed: ['admin', 'assessor'],
          },
          {
            name: 'verify a score',
            page: '/ranking',
            path: `/ranking/campaigns/${campaign}/cities/lviv/scores/K03/verify`,
            fields: { decision: 'accept' },
            allowed: [],
          },
          {
            name: 'edit a published methodology',
            page: '/ranking',
            path: '/ranking/methodologies/1/indicators/K01',
            fields: { points: '1' },
            allowed: [],
          },
          {
            name: 'publish the campaign',
            page: '/ranking',
            path: `/ranking/campaigns/${campaign}/publish`,
            fields: {},
            allowed: [],
          },
        ];
      // A participating city the assessor is not assigned to: refused, nothing stored.
      const kharkivScores = await count(
        `ranking_scores s JOIN cities c ON c.id = s.city_id WHERE s.campaign_id = 3 AND c.slug = 'kharkiv'`,
      );
      assert.equal(
        (
          await clients.assessor!.submit('/ranking', `/ranking/campaigns/${campaign}/cities/kharkiv/scores/K01`, {
            level: '1',
          })
        ).statusCode,
        403,
      );
      assert.equal(
        (await clients.assessor!.get(`/ranking/campaigns/${campaign}/cities/kharkiv/assess`)).statusCode,
        403,
      );
      assert.equal(
        await count(
          `ranking_scores s JOIN cities c ON c.id = s.city_id WHERE s.campaign_id = 3 AND c.slug = 'kharkiv'`,
        ),
        kharkivScores,
      );
      for (const action of actions) {
        for (const role of ['anonymous', 'citizen', 'editor.lviv', 'coordinator.lviv', 'assessor', 'admin']) {
          const client = clients[role]!;
          const audit = await count('audit_events');
          await client.get(action.page);
          const token = /name="_csrf" value="([^"]+)"/.exec(client.lastBody)?.[1] ?? '';
          const response = await client.post(action.path, { _csrf: token, ...action.fields });
          const succeeded = response.statusCode === 303;
          assert.equal(succeeded, action.allowed.includes(role), `${role} → ${action.name}: ${response.statusCode}`);
          if (!succeeded) {
            assert.ok(
              [401, 403, 404, 409, 422].includes(response.statusCode),
              `${role} → ${action.name}: ${response.statusCode}`,
            );
            assert.equal(await count('audit_events'), audit, `${role} → ${action.name} changed nothing`);
          }
        }
      }
    });
  });
}
