import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES, Client, DEMO_PASSWORD } from '../../../test/helpers.ts';
import { compileReleases } from './merge.ts';
import { runImport, createImport } from './service.ts';
import { OcdsInputError, readJsonPackage } from './ocds-stream.ts';
import { INDICATORS } from './flags.ts';
import { demoProcurementReleases } from '../../demo/procurement.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procurement-test-'));
const write = (name: string, content: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
};
const ACTOR = { userId: null, label: 'test' };
/** Asks for a page until it matches: a change reaches another connection's listener a moment later. */
async function waitForPage(get: () => Promise<{ body: string }>, pattern: RegExp) {
  for (let i = 0; i < 50; i++) {
    if (pattern.test((await get()).body)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match((await get()).body, pattern);
}
const OCID = 'ocds-be6bcu-UA-2026-05-01-000001-a';
const release = (id: string, date: string, tender: Record<string, unknown>) => ({
  ocid: OCID,
  id,
  date,
  tag: ['tender'],
  initiationType: 'tender',
  buyer: { id: 'UA-EDR-04055896', name: 'Львівська міська рада' },
  tender,
});

describe('OCDS merge rules', () => {
  test('later releases win, null removes, arrays of objects merge by id, compiled metadata', () => {
    const compiled = compileReleases([
      release('2', '2026-05-02T00:00:00Z', {
        id: 't',
        title: 'B',
        description: null,
        items: [{ id: '1', quantity: 5 }],
      }),
      release('1', '2026-05-01T00:00:00Z', {
        id: 't',
        title: 'A',
        description: 'x',
        items: [
          { id: '1', quantity: 1, description: 'paper' },
          { id: '2', quantity: 2 },
        ],
      }),
    ]);
    const tender = compiled.tender as Record<string, unknown>;
    assert.equal(tender.title, 'B');
    assert.equal('description' in tender, false);
    assert.deepEqual(tender.items, [
      { id: '1', quantity: 5, description: 'paper' },
      { id: '2', quantity: 2 },
    ]);
    assert.deepEqual(compiled.tag, ['compiled']);
    assert.equal(compiled.id, `${OCID}-2026-05-02T00:00:00Z`);
  });
});

describe('streaming package reader', () => {
  test('cuts out each release of a package, skipping other top-level values, strings with escapes and brackets', async () => {
    const file = write(
      'p.json',
      JSON.stringify({
        uri: 'x"}]',
        version: '1.1',
        publisher: { name: '{[' },
        releases: [{ ocid: 'a', s: '}\\"]' }, { ocid: 'b' }],
        n: 5,
      }),
    );
    const seen = [];
    for await (const e of readJsonPackage(file)) seen.push(e.value.ocid);
    assert.deepEqual(seen, ['a', 'b']);
  });
  test('a truncated package is refused with the place', async () => {
    const text = JSON.stringify({ releases: [{ ocid: 'a' }, { ocid: 'b', tender: { title: 'x' } }] });
    const file = write('t.json', text.slice(0, text.length - 12));
    await assert.rejects(
      async () => {
        for await (const _ of readJsonPackage(file));
      },
      (e: unknown) => e instanceof OcdsInputError && /truncated/.test(e.message) && /releases\/1/.test(e.message),
    );
  });
});

for (const engine of ENGINES) {
  describe(`procurement on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(async () => {
      await app.close();
    });

    test('the demo year trips every indicator and belongs to Lviv', async () => {
      const rows = await app.db.query<{ indicator: string }>('SELECT DISTINCT indicator FROM procurement_flags');
      assert.deepEqual(new Set(rows.map((r) => r.indicator)), new Set(INDICATORS.map((i) => i.id)));
      const lviv = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM procurement_procedures p JOIN cities c ON c.id = p.city_id WHERE c.slug = 'lviv'`,
      );
      assert.equal(lviv!.n, demoProcurementReleases().length);
    });

    test('re-importing changes nothing; a newer release replaces, an older one never does', async () => {
      const first = demoProcurementReleases()[0]!;
      const file = write('one.jsonl', `${JSON.stringify(first)}\n`);
      const id = await createImport(app.db, ACTOR, 'cli', { key: null, name: 'one.jsonl' });
      const again = await runImport(app.db, app.clock, id, file);
      assert.deepEqual(again.changed, []);
      assert.equal(again.counts.unchanged, 1);
      const newer = {
        ...first,
        date: '2027-01-01T00:00:00+02:00',
        tender: { ...(first.tender as object), title: 'Новіша назва' },
      };
      const older = {
        ...first,
        date: '2020-01-01T00:00:00+02:00',
        tender: { ...(first.tender as object), title: 'Стара назва' },
      };
      const both = write('both.jsonl', `${JSON.stringify(newer)}\n${JSON.stringify(older)}\n`);
      const id2 = await createImport(app.db, ACTOR, 'cli', { key: null, name: 'both.jsonl' });
      await runImport(app.db, app.clock, id2, both);
      const row = await app.db.one<{ title: string }>('SELECT title FROM procurement_procedures WHERE ocid = $1', [
        first.ocid,
      ]);
      assert.equal(row!.title, 'Новіша назва');
    });

    test('bad input is refused whole with its place: no ocid, wrong currency, dates out of order', async () => {
      const good: Record<string, unknown> = {
        ...demoProcurementReleases()[1]!,
        date: '2030-01-01T00:00:00Z',
        tender: { ...(demoProcurementReleases()[1]!.tender as object), title: 'Не має зʼявитися' },
      };
      const cases: [string, Record<string, unknown>, RegExp][] = [
        ['no ocid', { ...good, ocid: undefined }, /line 2\/ocid.*without "ocid"/],
        [
          'currency',
          {
            ...good,
            ocid: 'ocds-be6bcu-UA-X',
            tender: { ...(good.tender as object), value: { amount: 1, currency: 'XYZ' } },
          },
          /line 2\/tender\/value\/currency/,
        ],
        [
          'dates',
          {
            ...good,
            ocid: 'ocds-be6bcu-UA-Y',
            tender: {
              ...(good.tender as object),
              tenderPeriod: { startDate: '2026-05-10T00:00:00Z', endDate: '2026-05-01T00:00:00Z' },
            },
          },
          /tenderPeriod.*out of order/,
        ],
      ];
      for (const [name, bad, where] of cases) {
        const file = write(`${name}.jsonl`, `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`);
        const id = await createImport(app.db, ACTOR, 'cli', { key: null, name: `${name}.jsonl` });
        await assert.rejects(runImport(app.db, app.clock, id, file), OcdsInputError);
        const report = await app.db.one<{ state: string; error: { where: string; message: string } }>(
          'SELECT state, error FROM procurement_imports WHERE id = $1',
          [id],
        );
        assert.equal(report!.state, 'failed');
        assert.match(`${report!.error.where} ${report!.error.message}`, where, name);
        const title = await app.db.one<{ title: string }>('SELECT title FROM procurement_procedures WHERE ocid = $1', [
          good.ocid,
        ]);
        assert.notEqual(title!.title, 'Не має зʼявитися', `${name}: nothing half-imported`);
      }
    });

    test('pages: the city year, a flagged procedure with evidence, supplier and buyer; the record package', async () => {
      const client = new Client(app);
      const city = await client.get('/cities/lviv/procurement?year=2026');
      assert.equal(city.statusCode, 200);
      assert.match(city.body, /HHI/);
      // Procedure types by their names in Prozorro's own documentation, not by code.
      assert.match(city.body, /Спрощена закупівля/);
      assert.doesNotMatch(city.body, />belowThreshold</);
      const english = await app.inject({ url: '/cities/lviv/procurement?year=2026', cookies: { hromada_lang: 'en' } });
      assert.match(english.body, /Below-threshold procedure/);
      // Anonymous visitors get the page from a cache that any change of procurement data renews.
      const first = await app.db.one<{ ocid: string; title: string }>(
        `SELECT ocid, title FROM procurement_procedures WHERE year = 2026 ORDER BY spend DESC LIMIT 1`,
      );
      await app.db.query('UPDATE procurement_procedures SET title = $2 WHERE ocid = $1', [
        first!.ocid,
        'Перейменована закупівля',
      ]);
      try {
        await waitForPage(() => client.get('/cities/lviv/procurement?year=2026'), /Перейменована закупівля/);
      } finally {
        await app.db.query('UPDATE procurement_procedures SET title = $2 WHERE ocid = $1', [first!.ocid, first!.title]);
      }
      const flagged = await app.db.one<{ ocid: string }>(`SELECT ocid FROM procurement_flags WHERE indicator = 'R036'`);
      const page = await client.get(`/procurement/procedures/${flagged!.ocid}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /R036/);
      assert.match(page.body, /lowestBid/);
      assert.match(page.body, /prozorro\.gov\.ua\/tender\/UA-2026-/);
      assert.equal((await client.get('/procurement/buyers/04055896')).statusCode, 200);
      assert.equal((await client.get('/procurement/suppliers/91000015')).statusCode, 200);
      assert.equal((await client.get('/procurement/flags')).statusCode, 200);
      const pkg = await client.get('/api/v1/procurement/cities/lviv/records?year=2026');
      assert.equal(pkg.statusCode, 200);
      assert.equal(pkg.json().records.length, demoProcurementReleases().length);
      assert.equal((await client.get('/procurement/procedures/ocds-be6bcu-UA-nope')).statusCode, 404);
      // Open data: a dataset of the portal whose resources are the exports.
      const dataset = await client.get('/api/v1/datasets/lviv-procurement');
      assert.equal(dataset.statusCode, 200);
      const csv = await client.get('/cities/lviv/procurement.csv?year=2026');
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.body.trim().split('\r\n').length, demoProcurementReleases().length + 1);
      assert.match(csv.body, /R036/);
    });

    test('watching a procedure: a change mails the watcher', async () => {
      const client = new Client(app);
      await client.login('citizen@hromada.demo', DEMO_PASSWORD);
      const target = demoProcurementReleases()[5]!;
      await client.get(`/procurement/procedures/${target.ocid}`);
      const watched = await client.post('/procurement/watch', {
        _csrf: client.csrfToken(),
        type: 'procedure',
        id: String(target.ocid),
        on: '1',
      });
      assert.equal(watched.statusCode, 303);
      const file = write('w.jsonl', `${JSON.stringify({ ...target, date: '2027-02-01T00:00:00Z' })}\n`);
      const id = await createImport(app.db, ACTOR, 'cli', { key: null, name: 'w.jsonl' });
      await runImport(app.db, app.clock, id, file);
      const mail = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE to_address = 'citizen@hromada.demo' AND body_text LIKE '%' || $1 || '%'`,
        [target.ocid],
      );
      assert.equal(mail!.n, 1);
      // The dashboard lists what the person watches.
      assert.match(
        (await client.get('/dashboard')).body,
        /id="dash-procurement"[\s\S]*Procurement you watch|id="dash-procurement"/,
      );
    });

    test('a participatory-budget project names the procedure that delivers it, and the procedure shows the project', async () => {
      const project = (await app.db.one<{ id: number; cycle_id: number; title: string }>(
        'SELECT id, cycle_id, title FROM budget_projects WHERE winner ORDER BY id LIMIT 1',
      ))!;
      const procedure = (await app.db.one<{ ocid: string; tender_id: string }>(
        `SELECT ocid, tender_id FROM procurement_procedures ORDER BY ocid LIMIT 1`,
      ))!;
      const admin = new Client(app, '203.0.113.77');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const url = `/budgets/${project.cycle_id}/projects/${project.id}`;
      const progress = async (reference: string) => {
        await admin.get(url);
        return admin.post(`${url}/progress`, {
          _csrf: admin.csrfToken(),
          implementation_status: 'procurement',
          spent: '0',
          note: 'Закупівлю оголошено',
          procurement: reference,
        });
      };
      const bad = await progress('tender 42');
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /not a Prozorro procedure number|не номер закупівлі Prozorro/);
      assert.equal(
        (await app.db.one<{ o: string | null }>('SELECT procurement_ocid AS o FROM budget_projects WHERE id = $1', [
          project.id,
        ]))!.o,
        null,
      );
      // Pasted as Prozorro's address: stored as the ocid.
      assert.equal((await progress(`https://prozorro.gov.ua/tender/${procedure.tender_id}`)).statusCode, 303);
      const page = await admin.get(url);
      assert.ok(
        page.body.includes(`href="/procurement/procedures/${procedure.ocid}"`),
        'the project links our page of it',
      );
      assert.ok(page.body.includes(`https://prozorro.gov.ua/tender/${procedure.tender_id}`));
      const procedurePage = await new Client(app).get(`/procurement/procedures/${procedure.ocid}`);
      assert.match(procedurePage.body, /id="budget-projects"/);
      assert.ok(procedurePage.body.includes(`href="${url}"`), 'the procedure names the project');
      // An empty field removes the link.
      assert.equal((await progress('')).statusCode, 303);
      assert.doesNotMatch(
        (await new Client(app).get(`/procurement/procedures/${procedure.ocid}`)).body,
        /id="budget-projects"/,
      );
    });

    test("an institution's council decides whose procurement it is; changing it moves its procedures", async () => {
      const hospital = (await app.db.one<{ edrpou: string }>(
        `SELECT edrpou FROM organizations WHERE slug = 'lviv-hospital-9-demo'`,
      ))!;
      const citiesOf = async () =>
        (
          await app.db.query<{ slug: string }>(
            `SELECT DISTINCT c.slug FROM procurement_procedures p JOIN cities c ON c.id = p.city_id WHERE p.buyer_edrpou = $1`,
            [hospital.edrpou],
          )
        ).map((r) => r.slug);
      assert.deepEqual(await citiesOf(), ['lviv']);
      const admin = new Client(app, '203.0.113.78');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const edit = async (parent: string) => {
        const url = '/admin/organizations/lviv-hospital-9-demo/edit';
        await admin.get(url);
        return admin.post(url, {
          _csrf: admin.csrfToken(),
          slug: 'lviv-hospital-9-demo',
          kind: 'budget_institution',
          name_uk: 'КНП «Міська лікарня №9» (демо)',
          name_en: 'City Hospital No. 9 (demo)',
          name_bg: 'Градска болница №9 (демо)',
          edrpou: hospital.edrpou,
          parent_slug: parent,
        });
      };
      const form = await admin.get('/admin/organizations/lviv-hospital-9-demo/edit');
      assert.match(form.body, /<option value="lviv-city-council" selected/);
      // Only a city council can be a parent, never the organisation itself.
      assert.equal((await edit('transparency-watch')).statusCode, 422);
      assert.equal((await edit('lviv-hospital-9-demo')).statusCode, 422);
      assert.deepEqual(await citiesOf(), ['lviv']);
      try {
        const moved = await edit('zhytomyr-city-council');
        assert.equal(moved.statusCode, 303, moved.body.match(/field-error[^<]*<[^<]*/g)?.join(' '));
        assert.deepEqual(await citiesOf(), ['zhytomyr'], 'its procedures are now Zhytomyr’s');
        const api = await new Client(app).get('/api/v1/organizations?kind=budget_institution');
        assert.ok(
          api
            .json()
            .items.some(
              (o: { slug: string; parent: string }) =>
                o.slug === 'lviv-hospital-9-demo' && o.parent === 'zhytomyr-city-council',
            ),
        );
      } finally {
        assert.equal((await edit('lviv-city-council')).statusCode, 303);
      }
      assert.deepEqual(await citiesOf(), ['lviv']);
    });

    test("the site's search finds procedures and suppliers; a city's profile links its procurement", async () => {
      const client = new Client(app);
      const found = await client.get(`/search?q=${encodeURIComponent('бензин')}`);
      assert.match(found.body, /id="search-procurement"/);
      assert.match(found.body, /Бензин А-95/);
      const supplier = await client.get(`/search?q=${encodeURIComponent('все для всіх')}`);
      assert.match(supplier.body, /\/procurement\/suppliers\/91000015/);
      const profile = await client.get('/cities/lviv');
      assert.match(profile.body, /href="\/cities\/lviv\/procurement\?year=2026"/);
    });
  });
}
