// City budget on both engines: the demo's two years imported through the importer; totals from
// leaves only; re-importing replaces, a later month supersedes; bad files change nothing and are
// reported by row and column; the three sources (upload, DataStore resource, openbudget.gov.ua
// served by a local HTTP server); pages, API, open data; who may import.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { strToU8, zipSync } from 'fflate';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { runQueuedJobs } from '../../platform/jobs.ts';
import { creditsFile, DEMO_BUDGET_CODE, incomesFile, programExpensesFile } from '../../demo/open-budget.ts';
import { addUploadedResource } from '../datastore/service.ts';
import { getDataset } from '../catalog/service.ts';
import { parseBudgetFile } from './parser.ts';
import { openBudgetImportHandler } from './jobs.ts';
import { IMPORT_JOB } from './service.ts';
import { compareCities, createImport, financingSummary, getImport, runImport, yearSummary } from './service.ts';

const ACTOR = { userId: null, label: 'test' };

for (const engine of ENGINES) {
  describe(`city budget (${engine})`, () => {
    let app: FastifyInstance;
    let lviv: number;
    let fileServer: http.Server;
    let fileBase = '';
    const served = new Map<string, string>();
    const requested: string[] = [];

    before(async () => {
      // openbudget.gov.ua's API as tests see it: a local server answering localBudgetData with a file.
      fileServer = http.createServer((request, response) => {
        requested.push(request.url ?? '');
        const url = new URL(request.url ?? '/', 'http://x');
        const body = served.get(
          `${url.searchParams.get('budgetCode')}/${url.searchParams.get('budgetItem')}/${url.searchParams.get('year')}`,
        );
        if (!body) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/csv; charset=windows-1251' }).end(body);
      });
      await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
      fileBase = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
      app = await createTestApp(engine, {
        config: {
          openBudgetApiUrl: `${fileBase}/api/public/localBudgetData?budgetCode={budgetCode}&budgetItem={budgetItem}&classificationType={classificationType}&period=MONTH&year={year}`,
        },
      });
      lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
    });
    after(async () => {
      await app.close();
      fileServer.close();
    });

    const runJobs = () => runQueuedJobs(app.db, { [IMPORT_JOB]: openBudgetImportHandler(app.db, app.files) });
    /** A multipart form with its CSRF token, posted as the client. */
    const postFile = (
      client: Client,
      url: string,
      fields: Record<string, string>,
      file: { name: string; content: Uint8Array | string; field?: string },
    ) => {
      const body = multipartBody({ _csrf: client.csrfToken(), ...fields }, file);
      return app.inject({
        method: 'POST',
        url,
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: client.cookieHeader },
      });
    };
    const factCount = async (year: number) =>
      (await app.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM open_budget_facts WHERE city_id = $1 AND year = $2',
        [lviv, year],
      ))!.n;

    test('the demo imports two years of Lviv through the importer; totals are sums of leaves, never of parents', async () => {
      const imports = await app.db.query<{ status: string; year: number; item: string }>(
        'SELECT status, year, item FROM open_budget_imports WHERE city_id = $1 ORDER BY id',
        [lviv],
      );
      assert.deepEqual(
        imports.map((i) => `${i.year}:${i.item}:${i.status}`),
        [2025, 2026].flatMap((y) =>
          ['INCOMES', 'EXPENSES', 'CREDITS', 'FINANCING_DEBTS'].map((item) => `${y}:${item}:done`),
        ),
      );
      const file = incomesFile(DEMO_BUDGET_CODE, 2025, 12, 13_200_000_000);
      const parsed = parseBudgetFile(Buffer.from(file.text), 'x', { item: 'INCOMES', classification: '' }, 2025);
      const leaves = parsed.facts.filter((f) => f.month === 12 && f.fund === 'T' && f.isLeaf);
      const withParents = parsed.facts.filter((f) => f.month === 12 && f.fund === 'T');
      const expected = leaves.reduce((s, f) => s + Number(f.executed), 0);
      const summary = await yearSummary(app.db, lviv, 2025);
      assert.equal(summary.incomes!.month, 12);
      assert.ok(
        Math.abs(summary.incomes!.funds.T!.executed - expected) < 0.01,
        `${summary.incomes!.funds.T!.executed} vs ${expected}`,
      );
      assert.ok(
        withParents.reduce((s, f) => s + Number(f.executed), 0) > expected + 1,
        'the file has parent rows that would double count',
      );
      assert.equal(summary.expenses!.classification, 'PROGRAM');
      // Monthly own execution is derived from the cumulative figures.
      const monthly = await app.db.one<{ cumulative: string; own: string; before: string }>(
        `SELECT m.executed AS cumulative, m.executed_in_month AS own,
           (SELECT executed FROM open_budget_facts p WHERE p.city_id = m.city_id AND p.year = m.year AND p.item = m.item
              AND p.fund = m.fund AND p.code = m.code AND p.month = 4) AS before
         FROM open_budget_monthly m WHERE city_id = $1 AND year = 2025 AND item = 'INCOMES' AND fund = 'T' AND code = '11010100' AND month = 5`,
        [lviv],
      );
      assert.equal(Number(monthly!.own).toFixed(2), (Number(monthly!.cumulative) - Number(monthly!.before)).toFixed(2));
    });

    test('re-importing a period replaces it; a later month supersedes', async () => {
      const before = await factCount(2026);
      // Anonymous answers come from the rendered-page cache; an import must reach them at once.
      const apiMonth = async () => (await app.inject({ url: '/api/v1/city-budgets/lviv/2026' })).json().expenses.month;
      assert.equal(await apiMonth(), 10);
      const later = programExpensesFile(DEMO_BUDGET_CODE, 2026, 11, 15_000_000_000);
      const key = await app.files.put(Readable.from([Buffer.from(later.text)]), 1e9);
      const id = await createImport(app.db, ACTOR, {
        cityId: lviv,
        year: 2026,
        kind: { item: 'EXPENSES', classification: 'PROGRAM' },
        source: 'upload',
        sourceRef: 'later.csv',
        fileKey: key.key,
      });
      const done = await runImport(app.db, app.files, id);
      assert.equal(done.status, 'done', JSON.stringify(done.report));
      assert.deepEqual(done.months, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const summary = await yearSummary(app.db, lviv, 2026);
      assert.equal(summary.expenses!.month, 11);
      assert.equal(await apiMonth(), 11);
      // The ten months are replaced (not added to), and the eleventh is new.
      const programmeRows = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM open_budget_facts WHERE city_id = $1 AND year = 2026 AND item = 'EXPENSES'`,
        [lviv],
      ))!.n;
      assert.equal(programmeRows, later.rows);
      assert.ok((await factCount(2026)) > before);
      assert.ok(
        Math.abs(summary.expenses!.funds.T!.planYear - 15_000_000_000) < 1000,
        String(summary.expenses!.funds.T!.planYear),
      );
    });

    test('a bad file changes nothing and its report names file, row and column; another city’s budget code is refused', async () => {
      const before = await factCount(2025);
      const good = incomesFile(DEMO_BUDGET_CODE, 2025, 2, 1_000_000).text.split('\r\n');
      good[5] = good[5]!.replace(/;([0-9.]+)$/, ';12 345,00');
      const bad = await app.files.put(Readable.from([Buffer.from(good.join('\r\n'))]), 1e9);
      const id = await createImport(app.db, ACTOR, {
        cityId: lviv,
        year: 2025,
        kind: { item: 'INCOMES', classification: '' },
        source: 'upload',
        sourceRef: 'bad.csv',
        fileKey: bad.key,
      });
      const rejected = await runImport(app.db, app.files, id);
      assert.equal(rejected.status, 'rejected');
      assert.deepEqual(
        rejected.report.map((r) => [r.problem, r.file, r.row, r.column]),
        [['not_a_number', 'bad.csv', 6, 'FAKT_AMT']],
      );
      assert.equal(await factCount(2025), before);

      const kyivFile = incomesFile('26000000000', 2025, 1, 1_000_000).text;
      const other = await app.files.put(Readable.from([Buffer.from(kyivFile)]), 1e9);
      const otherId = await createImport(app.db, ACTOR, {
        cityId: lviv,
        year: 2025,
        kind: { item: 'INCOMES', classification: '' },
        source: 'upload',
        sourceRef: 'kyiv.csv',
        fileKey: other.key,
      });
      const refused = await runImport(app.db, app.files, otherId);
      assert.deepEqual(
        refused.report.filter((r) => r.severity === 'error').map((r) => [r.problem, r.row, r.column]),
        [['other_city_budget', 2, 'COD_BUDGET']],
      );
      assert.equal(await factCount(2025), before);
    });

    test('financing and lending: deficit or surplus, borrowing, repayment and credits on the page, in the API and the open data; a bad file names row and column', async () => {
      const financing = await financingSummary(app.db, lviv, 2025);
      assert.equal(financing.debts!.month, 12);
      assert.equal(financing.credits!.month, 12);
      // The demo's financing covers the gap between its own revenue, spending and net lending.
      const summary = await yearSummary(app.db, lviv, 2025);
      const gap =
        summary.expenses!.funds.T!.executed +
        financing.granted!.executed +
        financing.repaid!.executed -
        summary.incomes!.funds.T!.executed;
      assert.ok(Math.abs(financing.total!.executed - gap) < 1, `${financing.total!.executed} vs ${gap}`);
      assert.ok(financing.borrowing!.executed > 0);
      assert.ok(financing.repayment!.executed < 0);
      assert.ok(financing.repaid!.executed < 0 && financing.granted!.executed > 0);
      // Section totals are the file's own section rows, not sums of leaves (balances).
      const sections = await app.db.query<{ section_code: string; executed: string }>(
        `SELECT section_code, executed FROM open_budget_sections
         WHERE city_id = $1 AND year = 2025 AND item = 'FINANCING_DEBTS' AND month = 12 AND fund = 'T' ORDER BY section_code`,
        [lviv],
      );
      assert.deepEqual(
        sections.map((r) => r.section_code),
        ['400000', '600000'],
      );
      assert.ok(Math.abs(sections.reduce((s, r) => s + Number(r.executed), 0) - financing.total!.executed) < 0.01);

      for (const lang of ['uk', 'en', 'bg']) {
        const page = await app.inject({ url: '/city-budget/lviv/2025', cookies: { hromada_lang: lang } });
        assert.match(page.body, /id="ob-financing"/);
        assert.match(page.body, { uk: /Запозичення/, en: /Borrowing/, bg: /Заеми/ }[lang]!);
        assert.match(
          page.body,
          financing.total!.executed > 0
            ? { uk: /Дефіцит/, en: /Deficit/, bg: /Дефицит/ }[lang]!
            : { uk: /Профіцит/, en: /Surplus/, bg: /Излишък/ }[lang]!,
        );
        assert.match(page.body, /<code>4112<\/code>/);
        assert.doesNotMatch(page.body, /openBudget\./, 'no untranslated key');
      }
      const api = (await app.inject({ url: '/api/v1/city-budgets/lviv/2025' })).json();
      assert.equal(api.financing.borrowing.code, '401000');
      assert.equal(api.financing.total.executed.toFixed(2), financing.total!.executed.toFixed(2));
      assert.ok(api.financing.credits.rows.some((r: { code: string }) => r.code === '4123'));
      const csv = await app.inject({ url: '/city-budget/lviv/2025/facts.csv' });
      assert.match(csv.body, /\n13563000000,2025,12,FINANCING_DEBTS,,T,401000,/);
      assert.match(csv.body, /\n13563000000,2025,12,CREDITS,CREDIT,T,4112,/);

      // A CREDITS file with text in an amount: refused, naming file, row and column; nothing changes.
      const before = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM open_budget_facts WHERE city_id = $1 AND year = 2025 AND item = 'CREDITS'`,
        [lviv],
      );
      const lines = creditsFile(DEMO_BUDGET_CODE, 2025, 3, 1_000_000).text.split('\r\n');
      lines[3] = lines[3]!.replace(/;([0-9.]+);0\.00;/, ';n/a;0.00;');
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await editor.get('/city-budget/lviv/imports');
      const response = await postFile(
        editor,
        '/city-budget/lviv/imports/upload',
        { kind: 'CREDITS/CREDIT', year: '2025' },
        { name: 'credits-2025.csv', content: lines.join('\r\n') },
      );
      assert.equal(response.statusCode, 303, response.body);
      await runJobs();
      const rejected = await getImport(app.db, Number(/imports\/(\d+)$/.exec(String(response.headers.location))![1]));
      assert.equal(rejected.status, 'rejected');
      assert.deepEqual(
        rejected.report.map((r) => [r.problem, r.file, r.row, r.column]),
        [['not_a_number', 'credits-2025.csv', 4, 'FAKT_AMT']],
      );
      const reportPage = await editor.get(`/city-budget/lviv/imports/${rejected.id}`);
      assert.match(reportPage.body, /FAKT_AMT/);
      assert.equal(
        (await app.db.one<{ n: number }>(
          `SELECT count(*)::int AS n FROM open_budget_facts WHERE city_id = $1 AND year = 2025 AND item = 'CREDITS'`,
          [lviv],
        ))!.n,
        before!.n,
      );

      // FINANCING_CREDITOR through the importer: its section rows become the year's totals by creditor.
      const creditor = [
        'REP_PERIOD;FUND_TYP;COD_BUDGET;COD_FINA;NAME_FIN;ZAT_AMT;FAKT_AMT;DONE_CORR_YEAR_PCT',
        `01.2024;T;${DEMO_BUDGET_CODE};200000;"Внутрішнє фінансування";500;-120.25;`,
        `01.2024;T;${DEMO_BUDGET_CODE};208000;"Фінансування за рахунок зміни залишків коштів бюджетів";500;-120.25;`,
        '',
      ].join('\r\n');
      const stored = await app.files.put(Readable.from([Buffer.from(creditor)]), 1e9);
      const creditorId = await createImport(app.db, ACTOR, {
        cityId: lviv,
        year: 2024,
        kind: { item: 'FINANCING_CREDITOR', classification: '' },
        source: 'upload',
        sourceRef: 'creditor.csv',
        fileKey: stored.key,
      });
      const done = await runImport(app.db, app.files, creditorId);
      assert.equal(done.status, 'done', JSON.stringify(done.report));
      const byCreditor = await financingSummary(app.db, lviv, 2024);
      assert.equal(byCreditor.total!.executed, -120.25);
      assert.equal(byCreditor.debts, undefined);
    });

    test('an editor uploads a file through the form; the job imports it and publishes the year as open data', async () => {
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await editor.get('/city-budget/lviv/imports');
      const file = incomesFile(DEMO_BUDGET_CODE, 2025, 12, 14_000_000_000);
      const response = await postFile(
        editor,
        '/city-budget/lviv/imports/upload',
        { kind: 'INCOMES', year: '2025' },
        { name: 'incomes-2025.csv', content: file.text },
      );
      assert.equal(response.statusCode, 303, response.body);
      const id = Number(/imports\/(\d+)$/.exec(String(response.headers.location))![1]);
      assert.equal((await getImport(app.db, id)).status, 'queued');
      await runJobs();
      const imp = await getImport(app.db, id);
      assert.equal(imp.status, 'done', JSON.stringify(imp.report));
      const page = await editor.get(`/city-budget/lviv/imports/${id}`);
      assert.match(page.body, /incomes-2025\.csv/);
      const audit = await app.db.one(
        `SELECT 1 FROM audit_events WHERE action = 'open_budget.import' AND after->>'import' = $1`,
        [String(id)],
      );
      assert.ok(audit);
      // Open data: the dataset with its CSV loaded into the DataStore, and the Fiscal Data Package.
      const dataset = await getDataset(app.db, 'lviv-city-budget-2025', { all: true, states: [] });
      const resources = await app.db.query<{ format: string; url: string | null }>(
        'SELECT format, url FROM resources WHERE dataset_id = $1 ORDER BY position',
        [dataset.id],
      );
      assert.deepEqual(
        resources.map((r) => r.format),
        ['CSV', 'JSON'],
      );
      const datastoreJobs = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE kind = 'datastore.ingest'`,
      );
      assert.ok(datastoreJobs!.n >= 1);
      const fdp = await app.inject({ url: '/city-budget/lviv/2025/datapackage.json' });
      const pkg = fdp.json();
      assert.equal(pkg.profile, 'fiscal-data-package');
      assert.equal(
        pkg.resources[0].schema.fields.find((f: { name: string }) => f.name === 'executed_cumulative').columnType,
        'value',
      );
      const csv = await app.inject({ url: '/city-budget/lviv/2025/facts.csv' });
      assert.equal(csv.statusCode, 200);
      assert.match(csv.body.split('\n')[0]!, /^budget_code,year,month,item/);
    });

    test('the openbudget.gov.ua source fetches by budget code, item and year; a DataStore resource is a source too', async () => {
      served.set(`${DEMO_BUDGET_CODE}/INCOMES/2026`, incomesFile(DEMO_BUDGET_CODE, 2026, 11, 15_000_000_000).text);
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      const response = await editor.submit('/city-budget/lviv/imports', '/city-budget/lviv/imports/openbudget', {
        kind: 'INCOMES',
        year: '2026',
        budget_code: DEMO_BUDGET_CODE,
      });
      assert.equal(response.statusCode, 303, response.body);
      await runJobs();
      const id = Number(/imports\/(\d+)$/.exec(String(response.headers.location))![1]);
      const imp = await getImport(app.db, id);
      assert.equal(imp.status, 'done', JSON.stringify(imp.report));
      assert.ok(
        requested.some(
          (u) =>
            u ===
            `/api/public/localBudgetData?budgetCode=${DEMO_BUDGET_CODE}&budgetItem=INCOMES&period=MONTH&year=2026`,
        ),
        requested.join(' '),
      );
      assert.equal((await yearSummary(app.db, lviv, 2026)).incomes!.month, 11);

      const notLviv = await editor.submit('/city-budget/lviv/imports', '/city-budget/lviv/imports/openbudget', {
        kind: 'INCOMES',
        year: '2026',
        budget_code: '26000000000',
      });
      assert.equal(notLviv.statusCode, 422);

      // A file already in the catalog.
      const dataset = await app.db.one<{ name: string }>(
        "SELECT name FROM datasets WHERE city_id = $1 AND state = 'published' ORDER BY id LIMIT 1",
        [lviv],
      );
      const stored = await app.files.put(
        Readable.from([Buffer.from(programExpensesFile(DEMO_BUDGET_CODE, 2024, 12, 9e9).text)]),
        1e9,
      );
      const resourceId = await addUploadedResource(
        app.db,
        ACTOR,
        await getDataset(app.db, dataset!.name, { all: true, states: ['draft', 'private'] }),
        {
          file: stored,
          fileName: 'expenses-2024.csv',
          name: 'Видатки 2024',
          description: '',
        },
      );
      const fromCatalog = await editor.submit('/city-budget/lviv/imports', '/city-budget/lviv/imports/datastore', {
        kind: 'EXPENSES/PROGRAM',
        year: '2024',
        resource: resourceId,
      });
      assert.equal(fromCatalog.statusCode, 303, fromCatalog.body);
      await runJobs();
      assert.equal(
        (await getImport(app.db, Number(/imports\/(\d+)$/.exec(String(fromCatalog.headers.location))![1]))).status,
        'done',
      );
      assert.equal((await yearSummary(app.db, lviv, 2024)).expenses!.month, 12);

      // A draft's file is not imported: the imported year is published, the draft is not.
      await app.db.query("UPDATE datasets SET state = 'draft' WHERE name = $1", [dataset!.name]);
      const fromDraft = await editor.submit('/city-budget/lviv/imports', '/city-budget/lviv/imports/datastore', {
        kind: 'EXPENSES/PROGRAM',
        year: '2024',
        resource: resourceId,
      });
      await app.db.query("UPDATE datasets SET state = 'published' WHERE name = $1", [dataset!.name]);
      assert.equal(fromDraft.statusCode, 422);
      assert.match(fromDraft.body, /опублікованих наборів міста немає такого файлу/);
    });

    test('the council’s decision as a file: PDF, DOCX or XLSX by their bytes, size-capped, only the city’s editors; shown and downloadable on the year page', async () => {
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      await editor.get('/city-budget/lviv/imports');
      const upload = (
        city: string,
        client: Client,
        name: string,
        content: Uint8Array | string,
        title = 'Рішення № 1',
      ) =>
        postFile(
          client,
          `/city-budget/${city}/documents`,
          { year: '2025', title },
          { name, content, field: 'document' },
        );
      const pdf = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
      const ooxml = (main: string, part: string) =>
        zipSync({
          '[Content_Types].xml': strToU8(
            `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${main}"/></Types>`,
          ),
          [part]: strToU8('<document/>'),
        });
      const docx = ooxml(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
        'word/document.xml',
      );
      const xlsx = ooxml(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
        'xl/workbook.xml',
      );

      const added = await upload('lviv', editor, 'Рішення_про_бюджет_2025.pdf', pdf, 'Рішення № 4521 від 20.12.2024');
      assert.equal(added.statusCode, 303, added.body);
      assert.equal(added.headers.location, '/city-budget/lviv/2025#ob-approved');
      assert.equal((await upload('lviv', editor, 'budget.docx', docx)).statusCode, 303);
      assert.equal((await upload('lviv', editor, 'annex.xlsx', xlsx)).statusCode, 303);
      const docs = await app.db.query<{ id: number; mime_type: string; size_bytes: string }>(
        `SELECT id, mime_type, size_bytes FROM open_budget_documents WHERE city_id = $1 ORDER BY id`,
        [lviv],
      );
      assert.deepEqual(
        docs.map((d) => d.mime_type),
        [
          'application/pdf',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ],
      );
      assert.ok(
        await app.db.one(
          `SELECT 1 FROM audit_events WHERE action = 'open_budget.document_add' AND after->>'document' = $1`,
          [String(docs[0]!.id)],
        ),
      );
      // Whatever the name says: an HTML page called .pdf, a zip that is no Office document, a macro workbook.
      for (const [name, content] of [
        ['decision.pdf', '<html><script>alert(1)</script></html>'],
        ['decision.docx', zipSync({ 'readme.txt': strToU8('hello') })],
        ['decision.xlsx', ooxml('application/vnd.ms-excel.sheet.macroEnabled.main+xml', 'xl/workbook.xml')],
      ] as const) {
        const refused = await upload('lviv', editor, name, content);
        assert.equal(refused.statusCode, 422, name);
        assert.match(refused.body, /Лише файли PDF, DOCX або XLSX/);
      }
      const tooLarge = await upload(
        'lviv',
        editor,
        'big.pdf',
        Buffer.concat([Buffer.from(pdf), Buffer.alloc(20 * 1024 * 1024)]),
      );
      assert.equal(tooLarge.statusCode, 413);
      const noTitle = await upload('lviv', editor, 'x.pdf', pdf, '');
      assert.equal(noTitle.statusCode, 422);
      assert.equal(
        (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM open_budget_documents'))!.n,
        3,
        'nothing refused is kept',
      );

      // Another city’s editor (Lviv’s editor on Kyiv) and a citizen are refused.
      assert.equal((await upload('kyiv', editor, 'kyiv.pdf', pdf)).statusCode, 403);
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      await citizen.get('/city-budget');
      assert.equal((await upload('lviv', citizen, 'c.pdf', pdf)).statusCode, 403);
      const kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'kyiv'`))!.id;
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      await admin.get('/city-budget/kyiv/imports');
      assert.equal((await upload('kyiv', admin, 'kyiv.pdf', pdf)).statusCode, 303);
      const kyivDoc = (await app.db.one<{ id: number }>('SELECT id FROM open_budget_documents WHERE city_id = $1', [
        kyiv,
      ]))!;
      assert.equal(
        (await editor.submit('/city-budget/lviv/imports', `/city-budget/kyiv/2025/documents/${kyivDoc.id}/delete`, {}))
          .statusCode,
        403,
      );

      // Shown beside the approved budget, downloadable by anyone.
      for (const lang of ['uk', 'en', 'bg']) {
        const page = await app.inject({ url: '/city-budget/lviv/2025', cookies: { hromada_lang: lang } });
        assert.match(page.body, /id="ob-approved"/);
        assert.match(page.body, /Рішення № 4521 від 20\.12\.2024/);
        assert.match(page.body, new RegExp(`/city-budget/lviv/2025/documents/${docs[0]!.id}"`));
        assert.doesNotMatch(page.body, /documents\/\d+\/delete/, 'no remove button for visitors');
      }
      const download = await app.inject({ url: `/city-budget/lviv/2025/documents/${docs[0]!.id}` });
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-type'], 'application/pdf');
      // A Cyrillic name: an ASCII fallback, and the real name for every current browser (RFC 6266).
      assert.equal(
        download.headers['content-disposition'],
        `attachment; filename="${'_'.repeat(18)}_2025.pdf"; filename*=UTF-8''${encodeURIComponent('Рішення_про_бюджет_2025.pdf')}`,
      );
      assert.equal(download.body, pdf);
      // Not another city's or year's address.
      assert.equal((await app.inject({ url: `/city-budget/kyiv/2025/documents/${docs[0]!.id}` })).statusCode, 404);
      assert.equal((await app.inject({ url: `/city-budget/lviv/2024/documents/${docs[0]!.id}` })).statusCode, 404);

      // The city's editor removes one (audited); the file goes with it.
      const removed = await editor.submit(
        '/city-budget/lviv/2025',
        `/city-budget/lviv/2025/documents/${docs[1]!.id}/delete`,
        {},
      );
      assert.equal(removed.statusCode, 303);
      assert.equal((await app.inject({ url: `/city-budget/lviv/2025/documents/${docs[1]!.id}` })).statusCode, 404);
      assert.ok(await app.db.one(`SELECT 1 FROM audit_events WHERE action = 'open_budget.document_remove'`));
    });

    test('only the city’s editors import: a citizen is refused, another city’s editor too', async () => {
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get('/city-budget/lviv/imports')).statusCode, 403);
      const anonymous = await app.inject({ url: '/city-budget/lviv/imports' });
      assert.ok([302, 303, 401].includes(anonymous.statusCode), String(anonymous.statusCode));
      const admin = new Client(app);
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      assert.equal((await admin.get('/city-budget/kyiv/imports')).statusCode, 200);
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.equal((await editor.get('/city-budget/kyiv/imports')).statusCode, 403);
    });

    test('pages in three languages, the comparison, "where do my taxes go", the API', async () => {
      for (const lang of ['uk', 'en', 'bg']) {
        const page = await app.inject({ url: '/city-budget/lviv/2025?view=PROGRAM', cookies: { hromada_lang: lang } });
        assert.equal(page.statusCode, 200);
        assert.match(
          page.body,
          { uk: /Бюджет міста: Львів, 2025/, en: /City budget: Lviv, 2025/, bg: /Бюджет на града: Лвов, 2025/ }[lang]!,
        );
        assert.match(page.body, /<table class="responsive">/);
        assert.doesNotMatch(page.body, /openBudget\./, 'no untranslated key');
      }
      const drill = await app.inject({ url: '/city-budget/lviv/2025?view=PROGRAM&code=1000' });
      assert.match(drill.body, /0611021/);
      assert.equal((await app.inject({ url: '/city-budget/lviv/2001' })).statusCode, 404);
      assert.equal((await app.inject({ url: '/city-budget/lviv' })).statusCode, 302);

      const compare = await app.inject({ url: '/city-budget/compare?year=2025' });
      assert.equal(compare.statusCode, 200);
      const rows = await compareCities(app.db, 2025);
      const row = rows.find((r) => r.slug === 'lviv')!;
      assert.equal(row.population, 717273);
      assert.ok(row.byFunction.size > 3);

      await app.db.query(
        `INSERT INTO budget_tax_parameters (parameter, year, value, source, updated_at) VALUES ('pit_rate', 2026, 0.18, 'Податковий кодекс, ст. 167.1', now()),
         ('pit_city_share', 2026, 0.64, 'Бюджетний кодекс, ст. 64', now()) ON CONFLICT DO NOTHING`,
      );
      const taxes = await app.inject({ url: '/city-budget/taxes?city=lviv&salary=20000' });
      assert.equal(taxes.statusCode, 200);
      assert.match(taxes.body, /2\s?304/); // 20 000 × 18 % × 64 % = 2 304 a month
      assert.equal((await app.inject({ url: '/city-budget/taxes?city=lviv&salary=abc' })).statusCode, 422);

      const list = (await app.inject({ url: '/api/v1/city-budgets' })).json();
      assert.ok(list.items.some((i: { city: string }) => i.city === 'lviv'));
      const year = await app.inject({ url: '/api/v1/city-budgets/lviv/2025' });
      assert.equal(year.statusCode, 200);
      assert.equal(year.json().expenses.classification, 'PROGRAM');
      const missing = await app.inject({ url: '/api/v1/city-budgets/lviv/2001' });
      assert.equal(missing.statusCode, 404);
      assert.match(String(missing.headers['content-type']), /problem\+json/);
      const cmp = (await app.inject({ url: '/api/v1/city-budgets/compare?year=2025' })).json();
      assert.ok(cmp.items.find((i: { city: string }) => i.city === 'lviv').spending_per_resident > 0);
    });

    test('a city profile shows the year’s execution; the participatory budget keeps its own name', async () => {
      const profile = await app.inject({ url: '/cities/lviv' });
      assert.match(profile.body, /id="city-budget"/);
      const participatory = await app.inject({ url: '/budgets', cookies: { hromada_lang: 'uk' } });
      assert.match(participatory.body, /Громадський бюджет/);
    });
  });
}
