// The income-tax parameters of "where do my taxes go": the sourced values a fresh database has,
// lookups by year (null where nothing is recorded), and the admins' form, audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { readMigrations } from '../../platform/db/migrate.ts';
import { incomeTaxRate, incomeTaxShare, parseTaxParameterInput } from './tax-shares.ts';

test('the form input: percent to a fraction, year and parameter checked, errors per field', () => {
  const row = parseTaxParameterInput({
    year: '2025',
    parameter: 'pit_city_share',
    percent: '64',
    source: 'БКУ ст. 64',
  });
  assert.deepEqual(row, {
    year: 2025,
    parameter: 'pit_city_share',
    share: 0.64,
    source: 'БКУ ст. 64',
    sourceUrl: null,
  });
  assert.equal(
    parseTaxParameterInput({ year: '2025', parameter: 'pit_rate', percent: '19,5', source: 'x' }).share,
    0.195,
  );
  assert.throws(
    () => parseTaxParameterInput({ year: '1800', parameter: 'vat', percent: '120', source: '', source_url: 'ftp://x' }),
    (error: { problems: { field: string }[] }) => {
      assert.deepEqual(error.problems.map((p) => p.field).sort(), [
        'parameter',
        'percent',
        'source',
        'source_url',
        'year',
      ]);
      return true;
    },
  );
  assert.throws(() => parseTaxParameterInput({ year: '2025', parameter: 'pit_rate', percent: '18.0001', source: 'x' }));
});

for (const engine of ENGINES) {
  describe(`income-tax parameters on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine, { demo: true });
    });
    after(() => app.close());

    test('a fresh database has the sourced rate and shares; unknown years are null', async () => {
      assert.equal((await incomeTaxRate(app.db, 2024))?.share, 0.18);
      assert.match((await incomeTaxRate(app.db, 2024))!.source, /ст\. 167/);
      assert.equal(await incomeTaxRate(app.db, 2015), null, '2015 had another rate; not recorded');
      assert.equal((await incomeTaxShare(app.db, 2021))?.share, 0.6);
      assert.match((await incomeTaxShare(app.db, 2021))!.source, /ст\. 64/);
      assert.equal((await incomeTaxShare(app.db, 2022))?.share, 0.64);
      assert.equal((await incomeTaxShare(app.db, 2024))?.share, 0.64);
      assert.ok((await incomeTaxShare(app.db, 2024))?.sourceUrl?.startsWith('https://'));
      assert.equal(await incomeTaxShare(app.db, 2023), null);
      assert.equal(await incomeTaxShare(app.db, 1999), null);
    });

    test('2025: 64 % to the community by art. 49 of the State Budget Law for 2025, and the 18 % rate', async () => {
      const share = await incomeTaxShare(app.db, 2025);
      assert.equal(share?.share, 0.64);
      assert.match(share!.source, /«Про Державний бюджет України на 2025 рік» № 4059-IX/);
      assert.match(share!.source, /стаття 49/);
      assert.match(share!.source, /крім ПДФО з грошового забезпечення військовослужбовців/);
      assert.equal(share?.sourceUrl, 'https://zakon.rada.gov.ua/laws/show/4059-20');
      assert.equal((await incomeTaxRate(app.db, 2025))?.share, 0.18);
      assert.match((await incomeTaxRate(app.db, 2025))!.source, /ст\. 167\.1/);
    });

    test('2026: 64 % by the State Budget Law for 2026 as reported, its article not confirmed and said so', async () => {
      const share = await incomeTaxShare(app.db, 2026);
      assert.equal(share?.share, 0.64);
      assert.match(share!.source, /«Про Державний бюджет України на 2026 рік»/);
      assert.match(share!.source, /не перевірено/);
      assert.ok(share!.sourceUrl?.startsWith('https://www.auc.org.ua/'));
      assert.equal((await incomeTaxRate(app.db, 2026))?.share, 0.18);
      // Migration 0043 adds them to an installation that already has the table (a new database
      // gets them from 0048, since 0043 runs before the table exists).
      const migration = readMigrations().find((m) => m.version === '0043');
      await app.db.query('DELETE FROM budget_tax_parameters WHERE year = 2026');
      await app.db.execScript(migration!.sql);
      assert.equal((await incomeTaxShare(app.db, 2026))?.share, 0.64);
      assert.equal((await incomeTaxRate(app.db, 2026))?.share, 0.18);
    });

    test('migration 0048 leaves a 2025 value an admin recorded before it alone', async () => {
      const migration = readMigrations().find((m) => m.version === '0048');
      assert.ok(migration, 'migration 0048 exists');
      const share = await incomeTaxShare(app.db, 2025);
      await app.db.query(
        "UPDATE budget_tax_parameters SET value = 0.6, source = 'admin' WHERE parameter = 'pit_city_share' AND year = 2025",
      );
      await app.db.query("DELETE FROM budget_tax_parameters WHERE parameter = 'pit_rate' AND year = 2025");
      try {
        await app.db.execScript(migration.sql);
        assert.deepEqual(
          { ...(await incomeTaxShare(app.db, 2025)) },
          { share: 0.6, source: 'admin', sourceUrl: share!.sourceUrl },
        );
        assert.equal((await incomeTaxRate(app.db, 2025))?.share, 0.18, 'a missing rate is added');
      } finally {
        await app.db.query(
          "UPDATE budget_tax_parameters SET value = $1, source = $2 WHERE parameter = 'pit_city_share' AND year = 2025",
          [share!.share, share!.source],
        );
      }
    });

    test('an admin records a year with its source, audited; a second save replaces it', async () => {
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const page = await admin.get('/admin/budget-tax-parameters');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Бюджетний кодекс України, ст\. 64/);
      const saved = await admin.post('/admin/budget-tax-parameters', {
        _csrf: admin.csrfToken(),
        year: '2023',
        parameter: 'pit_city_share',
        percent: '64',
        source: 'Бюджетний кодекс України, ст. 64 (перевірено адміністратором)',
        source_url: 'https://zakon.rada.gov.ua/laws/show/2456-17',
      });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.deepEqual(await incomeTaxShare(app.db, 2023), {
        share: 0.64,
        source: 'Бюджетний кодекс України, ст. 64 (перевірено адміністратором)',
        sourceUrl: 'https://zakon.rada.gov.ua/laws/show/2456-17',
      });
      await admin.get('/admin/budget-tax-parameters');
      await admin.post('/admin/budget-tax-parameters', {
        _csrf: admin.csrfToken(),
        year: '2023',
        parameter: 'pit_city_share',
        percent: '60',
        source: 'correction',
      });
      assert.equal((await incomeTaxShare(app.db, 2023))?.share, 0.6);
      const audit = await app.db.query<{
        entity_id: string;
        before: { share: number } | null;
        after: { share: number };
      }>("SELECT entity_id, before, after FROM audit_events WHERE action = 'budget.tax_parameter' ORDER BY id");
      assert.deepEqual(
        audit.map((a) => [a.entity_id, a.before?.share ?? null, a.after.share]),
        [
          ['pit_city_share:2023', null, 0.64],
          ['pit_city_share:2023', 0.64, 0.6],
        ],
      );
    });

    test('bad input is shown next to its field; non-admins are refused and nothing changes', async () => {
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      await admin.get('/admin/budget-tax-parameters');
      const bad = await admin.post('/admin/budget-tax-parameters', {
        _csrf: admin.csrfToken(),
        year: 'twenty',
        parameter: 'pit_rate',
        percent: '180',
        source: '',
      });
      assert.equal(bad.statusCode, 422);
      for (const field of ['year', 'percent', 'source'])
        assert.match(bad.body, new RegExp(`id="${field}-error"`), field);
      const count = async () => (await app.db.query('SELECT 1 FROM budget_tax_parameters')).length;
      const rows = await count();
      for (const email of ['editor.lviv@hromada.demo', 'citizen@hromada.demo']) {
        const client = new Client(app);
        await client.login(email, DEMO_PASSWORD);
        assert.equal((await client.get('/admin/budget-tax-parameters')).statusCode, 403, email);
        await client.get('/account');
        const post = await client.post('/admin/budget-tax-parameters', {
          _csrf: client.csrfToken(),
          year: '2030',
          parameter: 'pit_rate',
          percent: '99',
          source: 'x',
        });
        assert.equal(post.statusCode, 403, email);
      }
      assert.equal(await count(), rows);
    });
  });
}
