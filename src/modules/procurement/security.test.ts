// The security review's findings on procurement: who may write which city's data, memory caps,
// paged exports, the feed reader's limits, and whose imports an editor sees.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { runImport, createImport } from './service.ts';
import { OcdsInputError, readJsonLines, readJsonPackage } from './ocds-stream.ts';
import { demoProcurementReleases } from '../../demo/procurement.ts';

type Obj = Record<string, unknown>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procurement-security-'));
let files = 0;
const jsonl = (...releases: Obj[]) => {
  const file = path.join(tmp, `${++files}.jsonl`);
  fs.writeFileSync(file, releases.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return file;
};
const KYIV_COUNCIL_EDRPOU = '26199097';
const OPERATOR = { userId: null, label: 'test' };

/** A demo release made newer (and so a replacement), with some fields changed. */
const newer = (release: Obj, date: string, title: string, extra: Obj = {}): Obj => ({
  ...release,
  id: `${String(release.ocid)}-${date}`,
  date,
  tender: { ...(release.tender as Obj), title },
  ...extra,
});
/** The same release bought by Kyiv's council instead of its Lviv buyer (the council or an institution). */
const boughtByKyiv = (release: Obj): Obj => {
  const buyer = String((release.buyer as Obj).id).replace('UA-EDR-', '');
  return JSON.parse(JSON.stringify(release).replaceAll(buyer, KYIV_COUNCIL_EDRPOU));
};

/** Reads every element of a file; the error when refused. */
const readAll = async (reader: AsyncIterable<unknown>) => {
  try {
    for await (const _ of reader);
    return null;
  } catch (error) {
    assert.ok(error instanceof OcdsInputError, String(error));
    return error.message;
  }
};

describe('finding 2: one line or element longer than the cap is refused, naming it', () => {
  const long = { ocid: 'ocds-be6bcu-long', tender: { title: 'x'.repeat(5000) } };
  const short = { ocid: 'ocds-be6bcu-short', tender: { title: 'short' } };
  test('JSON Lines: the line over the cap, also one without a newline at all', async () => {
    const file = jsonl(short, long, short);
    assert.equal(await readAll(readJsonLines(file, 10_000)), null);
    assert.match((await readAll(readJsonLines(file, 1000))) ?? '', /^line 2: longer than 1,000 characters/);
    const endless = path.join(tmp, 'endless.jsonl');
    // A single line far bigger than one read chunk, never ended: refused before it is all in memory.
    fs.writeFileSync(endless, `{"ocid": "${'y'.repeat(3 * 1024 * 1024)}`);
    assert.match((await readAll(readJsonLines(endless, 1024 * 1024))) ?? '', /^line 1: longer than/);
  });
  test('a package: the element over the cap, also one spanning read chunks', async () => {
    const file = path.join(tmp, 'package.json');
    fs.writeFileSync(file, JSON.stringify({ version: '1.1', releases: [short, long, short] }));
    assert.equal(await readAll(readJsonPackage(file, 10_000)), null);
    assert.match((await readAll(readJsonPackage(file, 1000))) ?? '', /^\/releases\/1: longer than 1,000 characters/);
    const big = path.join(tmp, 'big-package.json');
    fs.writeFileSync(
      big,
      JSON.stringify({ records: [{ ocid: 'ocds-be6bcu-a', compiledRelease: { t: 'z'.repeat(3 * 1024 * 1024) } }] }),
    );
    assert.match((await readAll(readJsonPackage(big, 1024 * 1024))) ?? '', /^\/records\/0: longer than/);
  });
});

for (const engine of ENGINES) {
  describe(`procurement security on ${engine}`, () => {
    let app: FastifyInstance;
    let lvivEditor: number;
    let kyivEditor: number;
    let admin: number;
    const titleOf = async (ocid: unknown) =>
      (await app.db.one<{ title: string }>('SELECT title FROM procurement_procedures WHERE ocid = $1', [ocid]))?.title;
    /** Uploads a file as this user and runs its import; the refusal's report when refused. */
    const upload = async (userId: number, file: string) => {
      const id = await createImport(app.db, { userId, label: 'test' }, 'upload', {
        key: null,
        name: path.basename(file),
      });
      try {
        await runImport(app.db, app.clock, id, file);
        return null;
      } catch (error) {
        assert.ok(error instanceof OcdsInputError, String(error));
        const row = await app.db.one<{ error: { where: string; message: string } }>(
          'SELECT error FROM procurement_imports WHERE id = $1',
          [id],
        );
        return `${row!.error.where}: ${row!.error.message}`;
      }
    };

    before(async () => {
      app = await createTestApp(engine);
      const id = async (sql: string, params: unknown[] = []) => (await app.db.one<{ id: number }>(sql, params))!.id;
      lvivEditor = await id(`SELECT id FROM users WHERE email = 'editor.lviv@hromada.demo'`);
      admin = await id(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`);
      // Kyiv's council with its ЄДРПОУ, and an editor of Kyiv only.
      const kyiv = await id(`SELECT id FROM cities WHERE slug = 'kyiv'`);
      const council = await id(
        `INSERT INTO organizations (slug, kind, name_uk, name_en, name_bg, city_id, edrpou)
         VALUES ('kyiv-council-test', 'city_council', 'Київська міська рада', 'Kyiv City Council', 'Киевски градски съвет', $1, $2) RETURNING id`,
        [kyiv, KYIV_COUNCIL_EDRPOU],
      );
      kyivEditor = await id(
        `INSERT INTO users (email, display_name, password_hash)
         SELECT 'editor.kyiv@test', 'Kyiv editor', password_hash FROM users WHERE email = 'editor.lviv@hromada.demo' RETURNING id`,
      );
      await app.db.query(`INSERT INTO memberships (user_id, role, organization_id) VALUES ($1, 'city_editor', $2)`, [
        kyivEditor,
        council,
      ]);
    });
    after(async () => {
      await app.close();
    });

    test("finding 1: an editor's upload about another city's buyer is refused whole, naming the release and buyer", async () => {
      const [lvivOne, lvivTwo] = demoProcurementReleases();
      const fresh = boughtByKyiv({ ...lvivTwo!, ocid: 'ocds-be6bcu-UA-KYIV-1', id: 'k1' });
      // Line 1 is Kyiv's own (fine), line 2 changes a Lviv procedure: the whole file is refused.
      const report = await upload(kyivEditor, jsonl(fresh, newer(lvivOne!, '2030-01-01T00:00:00Z', 'Захоплено')));
      assert.match(report ?? '', /line 2\/buyer/);
      assert.match(report ?? '', new RegExp(String((lvivOne!.buyer as Obj).id).replace('UA-EDR-', '')));
      assert.notEqual(await titleOf(lvivOne!.ocid), 'Захоплено');
      assert.equal(await titleOf('ocds-be6bcu-UA-KYIV-1'), undefined, 'all or nothing');
      // A buyer matched to no city at all is refused too.
      const nobody = JSON.parse(JSON.stringify(fresh).replaceAll(KYIV_COUNCIL_EDRPOU, '12345678'));
      assert.match((await upload(kyivEditor, jsonl(nobody))) ?? '', /line 1\/buyer.*12345678/);
      // Its own city's file goes in.
      assert.equal(await upload(kyivEditor, jsonl(fresh)), null);
      assert.equal(await titleOf('ocds-be6bcu-UA-KYIV-1'), (fresh.tender as Obj).title);
    });

    test("finding 1: an upload never replaces another city's procedure, even when the buyer is changed to one's own", async () => {
      const lviv = demoProcurementReleases()[2]!;
      const stolen = boughtByKyiv(newer(lviv, '2030-01-01T00:00:00Z', 'Переписано Києвом'));
      assert.match((await upload(kyivEditor, jsonl(stolen))) ?? '', /line 1.*belongs to another city/);
      assert.notEqual(await titleOf(lviv.ocid), 'Переписано Києвом');
      const cityOf = await app.db.one<{ slug: string }>(
        'SELECT c.slug FROM procurement_procedures p JOIN cities c ON c.id = p.city_id WHERE p.ocid = $1',
        [lviv.ocid],
      );
      assert.equal(cityOf!.slug, 'lviv');
      // An individual (not compiled) release merged into Lviv's procedure is refused as well.
      const part = boughtByKyiv({ ...lviv, id: 'sneaky', date: '2020-01-01T00:00:00Z', tag: ['tenderUpdate'] });
      assert.match((await upload(kyivEditor, jsonl(part))) ?? '', /belongs to another city/);
      const kept = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM procurement_releases WHERE release_id = 'sneaky'`,
      );
      assert.equal(kept!.n, 0);
      // Lviv's editor may update Lviv's procedure.
      assert.equal(await upload(lvivEditor, jsonl(newer(lviv, '2030-01-01T00:00:00Z', 'Оновлено Львовом'))), null);
      assert.equal(await titleOf(lviv.ocid), 'Оновлено Львовом');
    });

    test('finding 1: what the Prozorro feed wrote, only the feed or an admin replaces', async () => {
      const lviv = demoProcurementReleases()[3]!;
      const feedImport = await createImport(app.db, OPERATOR, 'feed', { key: null, name: 'feed.jsonl' });
      await runImport(app.db, app.clock, feedImport, jsonl(newer(lviv, '2029-01-01T00:00:00Z', 'З Prozorro')));
      assert.equal(await titleOf(lviv.ocid), 'З Prozorro');
      assert.match(
        (await upload(lvivEditor, jsonl(newer(lviv, '2030-01-01T00:00:00Z', 'Від редактора')))) ?? '',
        /Prozorro feed/,
      );
      assert.equal(await titleOf(lviv.ocid), 'З Prozorro');
      assert.equal(await upload(admin, jsonl(newer(lviv, '2030-01-01T00:00:00Z', 'Від адміна'))), null);
      assert.equal(await titleOf(lviv.ocid), 'Від адміна');
    });

    test("finding 2: an OCDS upload over the operator's upload limit is refused", async () => {
      const client = new Client(app);
      await client.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await client.get('/procurement/imports');
      const post = (content: string) => {
        const form = multipartBody({ _csrf: client.csrfToken() }, { name: 'big.jsonl', content });
        return app.inject({
          method: 'POST',
          url: '/procurement/imports',
          payload: form.payload,
          headers: { 'content-type': form.contentType, cookie: client.cookieHeader },
        });
      };
      const limit = app.config.uploadLimitBytes;
      app.config.uploadLimitBytes = 4096;
      try {
        assert.equal((await post('x'.repeat(8192))).statusCode, 413);
      } finally {
        app.config.uploadLimitBytes = limit;
      }
      assert.notEqual((await post('x'.repeat(8192))).statusCode, 413, 'the same file under the usual limit');
    });

    test("finding 3: a city's record package comes in pages with total and links; the CSV streams in batches", async () => {
      const total = demoProcurementReleases().length;
      const first = await app.inject('/api/v1/procurement/cities/lviv/records?year=2026&limit=50');
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().records.length, 50);
      assert.equal(first.json().total, total);
      assert.equal(first.json().links.prev, undefined);
      const seen = new Set<string>();
      let pages = 0;
      for (let url: string | undefined = first.json().links.next; ; pages++) {
        const page = first.json() as { records: { ocid: string }[]; links?: { next?: string } };
        if (pages === 0) for (const r of page.records) seen.add(r.ocid);
        if (!url) break;
        const next = (await app.inject(url.replace(app.config.publicUrl.replace(/\/$/, ''), ''))).json();
        for (const r of next.records as { ocid: string }[]) seen.add(r.ocid);
        url = next.links?.next;
        if (pages > 10) assert.fail('the pages never end');
      }
      assert.equal(seen.size, total, 'every record once, by following links.next');
      assert.equal((await app.inject('/api/v1/procurement/cities/lviv/records?limit=1001')).statusCode, 400);
      assert.equal(
        (await app.inject('/api/v1/procurement/cities/lviv/records?year=2026')).json().records.length,
        total,
      );

      // More procedures than one CSV batch (1,000), some with no start: all come out once, in order, streamed.
      const kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
      await app.db.query(
        `INSERT INTO procurement_procedures (ocid, title, city_id, year, release_date, compiled, started_at)
         SELECT 'ocds-be6bcu-CSV-' || i, 'Закупівля ' || i, $1, 2031, now(), '{}'::jsonb,
           CASE WHEN i % 10 = 0 THEN NULL ELSE timestamptz '2031-01-01' + (i % 97) * interval '1 hour' END
         FROM generate_series(1, 2345) AS i`,
        [kyiv],
      );
      const csv = await app.inject('/cities/kyiv/procurement.csv?year=2031');
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.headers['content-length'], undefined, 'streamed, not built whole');
      const lines = csv.body.trim().split('\r\n').slice(1);
      assert.equal(lines.length, 2345);
      assert.equal(new Set(lines.map((l) => l.split(',')[0])).size, 2345);
      const starts = lines.map((l) => l.split(',')[13]);
      const dated = starts.filter((s) => s !== '');
      assert.deepEqual(dated, [...dated].sort(), 'by start');
      assert.equal(
        starts.slice(dated.length).every((s) => s === ''),
        true,
        'those without a start last',
      );
    });

    test("finding 5: a city editor sees their cities' imports only, an admin all", async () => {
      await createImport(app.db, { userId: lvivEditor, label: 'test' }, 'upload', {
        key: null,
        name: 'lviv-only.jsonl',
      });
      await createImport(app.db, { userId: kyivEditor, label: 'test' }, 'upload', {
        key: null,
        name: 'kyiv-only.jsonl',
      });
      const pageOf = async (email: string) => {
        const client = new Client(app);
        await client.login(email, DEMO_PASSWORD);
        const page = await client.get('/procurement/imports');
        assert.equal(page.statusCode, 200);
        return page.body;
      };
      const kyiv = await pageOf('editor.kyiv@test');
      assert.match(kyiv, /kyiv-only\.jsonl/);
      assert.doesNotMatch(kyiv, /lviv-only\.jsonl/);
      const lviv = await pageOf('editor.lviv@hromada.demo');
      assert.match(lviv, /lviv-only\.jsonl/);
      assert.doesNotMatch(lviv, /kyiv-only\.jsonl/);
      const all = await pageOf('admin@hromada.demo');
      assert.match(all, /lviv-only\.jsonl/);
      assert.match(all, /kyiv-only\.jsonl/);
    });

    test('finding 1: uploads do not rename known parties (the feed does)', async () => {
      const lviv = demoProcurementReleases()[4]!;
      const supplier = (lviv.parties as Obj[]).find((p) => (p.roles as string[]).includes('supplier'))!;
      const edrpou = (supplier.identifier as Obj).id as string;
      const nameOf = async () =>
        (await app.db.one<{ name: string }>('SELECT name FROM procurement_parties WHERE edrpou = $1', [edrpou]))!.name;
      const before = await nameOf();
      const renamed = (date: string) =>
        JSON.parse(
          JSON.stringify(newer(lviv, date, String((lviv.tender as Obj).title))).replaceAll(
            String(supplier.name),
            'ТОВ «Перейменовано»',
          ),
        );
      assert.equal(await upload(lvivEditor, jsonl(renamed('2030-01-01T00:00:00Z'))), null);
      assert.equal(await nameOf(), before);
      assert.equal(await upload(admin, jsonl(renamed('2030-02-01T00:00:00Z'))), null);
      assert.equal(await nameOf(), before);
      const feedImport = await createImport(app.db, OPERATOR, 'feed', { key: null, name: 'feed.jsonl' });
      await runImport(app.db, app.clock, feedImport, jsonl(renamed('2030-03-01T00:00:00Z')));
      assert.equal(await nameOf(), 'ТОВ «Перейменовано»');
    });
  });
}
