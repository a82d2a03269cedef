// City budget ("Бюджет міста"): public pages under /city-budget, the editors' imports (upload, a
// DataStore resource, the openbudget.gov.ua API), the open data files and /api/v1/city-budgets.
// Permissions are decided in policy.ts.
import { Readable } from 'node:stream';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import {
  FileTooLargeError,
  type ReceivedUpload,
  receiveUpload,
  safeFileName,
  sendStoredFile,
  contentDisposition,
} from '../../platform/files.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import { AnonymousCache } from '../../platform/http/anonymous-cache.ts';
import { layout, type Page } from '../../platform/html/layout.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { getCity, localName, type City } from '../cities/service.ts';
import { editsSomeCity } from '../catalog/policy.ts';
import { budgetCodesOf } from './city-codes.ts';
import { incomeTaxRate, incomeTaxShare } from './tax-shares.ts';
import { assertCanImportBudget, canImportBudget } from './policy.ts';
import { parseKindKey } from './parser.ts';
import { fiscalDataPackage } from './open-data.ts';
import {
  approvedOf,
  budgetYears,
  citiesWithBudgets,
  classificationTree,
  compareCities,
  createImport,
  factsCsv,
  financingSummary,
  getImport,
  largestProgrammes,
  listImports,
  MAX_TREASURY_FILE_BYTES,
  openBudgetUrl,
  participatoryByProgramme,
  setApproved,
  yearlyTotals,
  yearSummary,
  type TreeNode,
} from './service.ts';
import { comparePage, importPage, importsPage, indexPage, taxesPage, yearPage } from './views.ts';
import { registerOpenBudgetSections } from './sections.ts';
import { addDocument, documentsOf, getDocument, removeDocument, sniffDocumentType } from './documents.ts';

/**
 * The largest council decision an editor uploads: the platform's cap for documents of this kind
 * (community event materials, src/modules/community/routes.ts), far above a decision with its
 * annexes as PDF.
 */
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const yearParam = { type: 'integer', minimum: 2000, maximum: 2100 } as const;
const cityParams = { type: 'object', properties: { city: slugParam }, required: ['city'] } as const;
const cityYearParams = {
  type: 'object',
  properties: { city: slugParam, year: yearParam },
  required: ['city', 'year'],
} as const;
const VIEWS = ['PROGRAM', 'FUNCTIONAL', 'ECONOMIC', 'INCOMES'] as const;

const totalsJson = {
  type: 'object',
  properties: { planYear: { type: 'number' }, planPeriod: { type: 'number' }, executed: { type: 'number' } },
} as const;
const itemJson = {
  type: ['object', 'null'],
  properties: {
    classification: { type: 'string' },
    month: { type: 'integer', description: 'The latest month the cumulative figures run to' },
    funds: { type: 'object', additionalProperties: totalsJson, description: 'C general, S special, T total' },
    sections: {
      type: 'array',
      items: { type: 'object', properties: { code: { type: 'string' }, totals: totalsJson } },
    },
    curve: {
      type: 'array',
      items: {
        type: 'object',
        properties: { month: { type: 'integer' }, executed: { type: 'number' }, planYear: { type: 'number' } },
      },
    },
  },
} as const;

const planExecutedJson = {
  type: ['object', 'null'],
  properties: { executed: { type: 'number' }, planYear: { type: 'number' } },
} as const;
const financingRowJson = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    isLeaf: { type: 'boolean' },
    planYear: { type: 'number' },
    executed: { type: 'number' },
  },
} as const;
const fileRowsJson = {
  type: ['object', 'null'],
  description: "The file's rows at its latest month, total fund, as the Treasury reports them",
  properties: { month: { type: 'integer' }, rows: { type: 'array', items: financingRowJson } },
} as const;
const financingJson = {
  type: 'object',
  description:
    'Financing (FINANCING_DEBTS, FINANCING_CREDITOR) and lending (CREDITS): total financing (positive = a deficit financed, negative = a surplus), borrowing (401000), repayment (402000), loans granted and repaid',
  properties: {
    total: planExecutedJson,
    borrowing: { ...financingRowJson, type: ['object', 'null'] },
    repayment: { ...financingRowJson, type: ['object', 'null'] },
    granted: planExecutedJson,
    repaid: planExecutedJson,
    debts: fileRowsJson,
    creditor: fileRowsJson,
    credits: fileRowsJson,
  },
} as const;

async function routes(app: FastifyInstance) {
  registerOpenBudgetSections(app);
  const { db } = app;

  const cityOf = (slug: string) => getCity(db, slug);
  // Anonymous visitors' pages and API answers, rendered once per change of budgets or cities.
  const anonymous = new AnonymousCache(app.versions);
  const VERSIONED = ['cities', 'city_budgets'] as const;
  const cachedPage = (request: FastifyRequest, reply: FastifyReply, render: () => Promise<Page>) =>
    anonymous.send(request, reply, [...VERSIONED], async () => ({
      type: 'text/html; charset=utf-8',
      body: layout(request.pageContext(), await render()),
    }));
  const cachedJson = (request: FastifyRequest, reply: FastifyReply, render: () => Promise<unknown>) =>
    anonymous.send(request, reply, [...VERSIONED], async () => ({
      type: 'application/json; charset=utf-8',
      body: String(reply.serialize(await render())),
    }));
  const demoCity = async (city: City) =>
    Boolean(
      await db.one(`SELECT 1 FROM open_budget_imports WHERE city_id = $1 AND source_ref LIKE 'demo-%' LIMIT 1`, [
        city.id,
      ]),
    );

  app.get('/city-budget', async (request, reply) =>
    reply.page({
      title: request.t('openBudget.title'),
      body: indexPage(request.pageContext(), await citiesWithBudgets(db)),
    }),
  );

  app.get<{ Querystring: { year?: number } }>(
    '/city-budget/compare',
    { schema: { querystring: { type: 'object', properties: { year: yearParam } } } },
    async (request, reply) => {
      const years = (
        await db.query<{ year: number }>('SELECT DISTINCT year FROM open_budget_sections ORDER BY year DESC')
      ).map((r) => r.year);
      const year = request.query.year ?? years[0] ?? app.clock.now().getUTCFullYear();
      return reply.page({
        title: request.t('openBudget.compare.title'),
        body: comparePage(
          request.pageContext(),
          year,
          years.includes(year) ? years : [year, ...years],
          await compareCities(db, year),
        ),
      });
    },
  );

  app.get<{ Querystring: { city?: string; salary?: string } }>(
    '/city-budget/taxes',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { city: { type: 'string', maxLength: 80 }, salary: { type: 'string', maxLength: 30 } },
        },
      },
    },
    async (request, reply) => {
      const { t, locale } = request;
      const cities = await citiesWithBudgets(db);
      const form = {
        cities: cities.map((c) => ({ slug: c.slug, name: localName(c, locale) })),
        city: request.query.city ?? cities[0]?.slug ?? '',
        salary: request.query.salary ?? '',
        error: undefined as string | undefined,
      };
      let result = null;
      const city = cities.find((c) => c.slug === form.city);
      if (form.salary !== '') {
        const salary = Number(form.salary.replace(',', '.').replace(/\s/g, ''));
        if (!Number.isFinite(salary) || salary <= 0 || salary > 100_000_000)
          form.error = t('openBudget.taxes.bad_salary');
        else if (city) {
          const year = city.latest;
          const [rate, share, summary] = await Promise.all([
            incomeTaxRate(db, year),
            incomeTaxShare(db, year),
            yearSummary(db, city.id, year),
          ]);
          const monthlyToCity = rate && share ? salary * rate.share * share.share : 0;
          const sections = summary.expenses?.sections ?? [];
          const spent = sections.reduce((s, x) => s + Math.max(0, x.totals.executed), 0);
          result = {
            year,
            rate,
            share,
            monthlyToCity,
            split:
              spent > 0
                ? sections.map((s) => ({
                    code: s.code,
                    amount: (monthlyToCity * Math.max(0, s.totals.executed)) / spent,
                  }))
                : [],
          };
        }
      }
      return reply.page(
        { title: t('openBudget.taxes.title'), body: taxesPage(request.pageContext(), form, result) },
        form.error ? 422 : 200,
      );
    },
  );

  app.get<{ Params: { city: string } }>(
    '/city-budget/:city',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      const years = await budgetYears(db, city.id);
      if (years.length) return reply.redirect(`/city-budget/${city.slug}/${years[0]}`, 302);
      if (canImportBudget(request.user, city.id)) return reply.redirect(`/city-budget/${city.slug}/imports`, 302);
      throw new NotFoundError('no budget imported for this city');
    },
  );

  app.get<{ Params: { city: string; year: number }; Querystring: { view?: string; code?: string } }>(
    '/city-budget/:city/:year',
    {
      schema: {
        params: cityYearParams,
        querystring: {
          type: 'object',
          properties: {
            view: { type: 'string', enum: [...VIEWS] },
            code: { type: 'string', pattern: '^[0-9]{1,12}$' },
          },
        },
      },
    },
    async (request, reply) =>
      cachedPage(request, reply, async () => {
        const city = await cityOf(request.params.city);
        const { year } = request.params;
        const years = await budgetYears(db, city.id);
        if (!years.includes(year)) throw new NotFoundError('no budget for this year');
        const available = (
          await db.query<{ item: string; classification: string }>(
            'SELECT DISTINCT item, classification FROM open_budget_sections WHERE city_id = $1 AND year = $2',
            [city.id, year],
          )
        ).map((r) => r.classification || r.item);
        const views = VIEWS.filter((v) => available.includes(v));
        const view = (
          request.query.view && views.includes(request.query.view as never) ? request.query.view : views[0]
        ) as (typeof VIEWS)[number];
        const [summary, tree, largest, history, approved, demo, financing, documents, participatory] =
          await Promise.all([
            yearSummary(db, city.id, year),
            view
              ? classificationTree(
                  db,
                  city.id,
                  year,
                  view === 'INCOMES' ? 'INCOMES' : 'EXPENSES',
                  view === 'INCOMES' ? '' : view,
                )
              : null,
            largestProgrammes(db, city.id, year),
            yearlyTotals(db, city.id),
            approvedOf(db, city.id, year),
            demoCity(city),
            financingSummary(db, city.id, year),
            documentsOf(db, city.id, year),
            participatoryByProgramme(db, city.id),
          ]);
        // The drill-down's node and the path to it.
        const path: TreeNode[] = [];
        let focus: TreeNode | null = null;
        if (tree && request.query.code) {
          const find = (nodes: TreeNode[], trail: TreeNode[]): boolean => {
            for (const n of nodes) {
              if (n.code === request.query.code) {
                focus = n;
                path.push(...trail, n);
                return true;
              }
              if (find(n.children, [...trail, n])) return true;
            }
            return false;
          };
          find(tree.roots, []);
        }
        return {
          title: request.t('openBudget.city_title', { city: localName(city, request.locale), year: String(year) }),
          alternates: [
            {
              href: `/city-budget/${city.slug}/${year}/datapackage.json`,
              type: 'application/json',
              title: 'Fiscal Data Package',
            },
          ],
          body: yearPage(request.pageContext(), {
            city,
            year,
            years,
            summary,
            view: view ?? 'PROGRAM',
            views,
            tree,
            focus,
            path,
            largest,
            history,
            approved,
            financing,
            documents,
            participatory,
            canEdit: canImportBudget(request.user, city.id),
            demo,
          }),
        };
      }),
  );

  app.get<{ Params: { city: string; year: number } }>(
    '/city-budget/:city/:year/facts.csv',
    { schema: { params: cityYearParams } },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      if (!(await budgetYears(db, city.id)).includes(request.params.year))
        throw new NotFoundError('no budget for this year');
      reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${safeFileName(`${city.slug}-city-budget-${request.params.year}.csv`)}"`,
        );
      return reply.send(Readable.from(factsCsv(db, city.id, request.params.year)));
    },
  );

  app.get<{ Params: { city: string; year: number } }>(
    '/city-budget/:city/:year/datapackage.json',
    { schema: { params: cityYearParams } },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      if (!(await budgetYears(db, city.id)).includes(request.params.year))
        throw new NotFoundError('no budget for this year');
      return reply.type('application/json').send(fiscalDataPackage(city, request.params.year, app.config.publicUrl));
    },
  );

  // ----- Editors: imports and the approved budget
  const editor = { preHandler: allow(editsSomeCity) };

  const showImports = async (
    request: FastifyRequest,
    city: City,
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    const codes = await budgetCodesOf(db, city.id);
    return {
      status,
      page: {
        title: request.t('openBudget.imports.title'),
        body: importsPage(
          request.pageContext(),
          city,
          await listImports(db, { cityIds: [city.id], limit: 50 }),
          {
            year: app.clock.now().getUTCFullYear(),
            budgetCode: codes.find((c) => c.validTo === null)?.budgetCode ?? codes[0]?.budgetCode ?? null,
          },
          errors,
        ),
      },
    };
  };

  app.get<{ Params: { city: string } }>(
    '/city-budget/:city/imports',
    { ...editor, schema: { params: cityParams } },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const { page } = await showImports(request, city);
      return reply.page(page);
    },
  );

  /** The kind and year an import form names, or field problems. */
  const kindAndYear = (fields: Record<string, unknown>) => {
    const kind = parseKindKey(String(fields.kind ?? ''));
    const year = Number(fields.year);
    const problems = [];
    if (!kind) problems.push({ field: 'kind', message: 'validation.invalid' });
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      problems.push({ field: 'year', message: 'validation.invalid' });
    if (problems.length) throw new ValidationError(problems);
    return { kind: kind!, year };
  };

  const formFail = async (request: FastifyRequest, city: City, error: ValidationError) => {
    const { page } = await showImports(request, city, fieldMessages(request.t, error));
    return page;
  };

  /**
   * An upload of at most `maxBytes` (and the platform's limit); a larger one gets the imports page
   * with `tooLarge` at its field (413) and null.
   */
  const receiveCapped = async (
    request: FastifyRequest,
    reply: FastifyReply,
    city: City,
    maxBytes: number,
    tooLarge: { field: string; message: string },
  ): Promise<ReceivedUpload | null> => {
    try {
      return await receiveUpload(
        request as never,
        app.files,
        Math.min(app.config.uploadLimitBytes, maxBytes),
        csrfBeforeFile(app, request, reply),
      );
    } catch (error) {
      if (!(error instanceof FileTooLargeError)) throw error;
      await reply.page(await formFail(request, city, new ValidationError([tooLarge])), 413);
      return null;
    }
  };

  app.post<{ Params: { city: string } }>(
    '/city-budget/:city/imports/upload',
    {
      ...editor,
      schema: { params: cityParams },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const upload = await receiveCapped(request, reply, city, MAX_TREASURY_FILE_BYTES, {
        field: 'file',
        message: 'openBudget.imports.too_large',
      });
      if (!upload) return reply;
      try {
        if (!upload.stored) throw new ValidationError([{ field: 'file', message: 'openBudget.imports.no_file' }]);
        const { kind, year } = kindAndYear(upload.fields);
        const stored = upload.stored;
        const id = await db.transaction((tx) =>
          createImport(tx, actorOf(request), {
            cityId: city.id,
            year,
            kind,
            source: 'upload',
            sourceRef: safeFileName(stored.fileName),
            fileKey: stored.file.key,
          }),
        );
        return reply.redirect(`/city-budget/${city.slug}/imports/${id}`, 303);
      } catch (error) {
        if (upload.stored) await app.files.remove(upload.stored.file.key).catch(() => {});
        if (error instanceof ValidationError) return reply.page(await formFail(request, city, error), 422);
        throw error;
      }
    },
  );

  app.post<{ Params: { city: string }; Body: Record<string, string> }>(
    '/city-budget/:city/imports/datastore',
    { ...editor, schema: { params: cityParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      try {
        const { kind, year } = kindAndYear(request.body ?? {});
        const resourceId = String(request.body?.resource ?? '').trim();
        // Only a file of this city's own published datasets: the imported year is published as
        // open data, which must not make a draft or private file public.
        const resource = /^[0-9a-f-]{36}$/.test(resourceId)
          ? await db.one(
              `SELECT 1 FROM resources r JOIN datasets d ON d.id = r.dataset_id
               WHERE r.id = $1 AND d.city_id = $2 AND r.file_key IS NOT NULL AND d.state = 'published'`,
              [resourceId, city.id],
            )
          : undefined;
        if (!resource) throw new ValidationError([{ field: 'resource', message: 'openBudget.imports.no_resource' }]);
        const id = await db.transaction((tx) =>
          createImport(tx, actorOf(request), {
            cityId: city.id,
            year,
            kind,
            source: 'datastore',
            sourceRef: resourceId,
            fileKey: null,
          }),
        );
        return reply.redirect(`/city-budget/${city.slug}/imports/${id}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return reply.page(await formFail(request, city, error), 422);
        throw error;
      }
    },
  );

  app.post<{ Params: { city: string }; Body: Record<string, string> }>(
    '/city-budget/:city/imports/openbudget',
    { ...editor, schema: { params: cityParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      try {
        const { kind, year } = kindAndYear(request.body ?? {});
        const budgetCode = String(request.body?.budget_code ?? '').trim();
        const codes = await budgetCodesOf(db, city.id);
        if (!codes.some((c) => c.budgetCode === budgetCode))
          throw new ValidationError([{ field: 'budget_code', message: 'openBudget.imports.not_city_code' }]);
        const url = openBudgetUrl(app.config.openBudgetApiUrl, budgetCode, kind, year);
        const id = await db.transaction((tx) =>
          createImport(tx, actorOf(request), {
            cityId: city.id,
            year,
            kind,
            source: 'openbudget',
            sourceRef: url,
            fileKey: null,
          }),
        );
        return reply.redirect(`/city-budget/${city.slug}/imports/${id}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return reply.page(await formFail(request, city, error), 422);
        throw error;
      }
    },
  );

  app.get<{ Params: { city: string; id: number } }>(
    '/city-budget/:city/imports/:id',
    {
      ...editor,
      schema: {
        params: {
          type: 'object',
          properties: { city: slugParam, id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
          required: ['city', 'id'],
        },
      },
    },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const imp = await getImport(db, request.params.id);
      if (imp.city_id !== city.id) throw new NotFoundError('no such import');
      return reply.page({
        title: request.t('openBudget.imports.one', { id: imp.id }),
        body: importPage(request.pageContext(), city, imp),
        refreshSeconds: imp.status === 'queued' || imp.status === 'running' ? 5 : undefined,
      });
    },
  );

  app.post<{ Params: { city: string }; Body: Record<string, string> }>(
    '/city-budget/:city/approved',
    { ...editor, schema: { params: cityParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const body = request.body ?? {};
      try {
        await setApproved(db, actorOf(request), city.id, {
          year: Number(body.year),
          item: String(body.item ?? ''),
          code: String(body.code ?? '').trim(),
          fund: String(body.fund ?? ''),
          amount: String(body.amount ?? '').trim(),
          decision: String(body.decision ?? '').trim(),
        });
        return reply.redirect(`/city-budget/${city.slug}/imports`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return reply.page(await formFail(request, city, error), 422);
        throw error;
      }
    },
  );

  // ----- The council's decision as a file
  const documentParams = {
    type: 'object',
    properties: {
      city: slugParam,
      year: yearParam,
      id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
    },
    required: ['city', 'year', 'id'],
  } as const;

  app.post<{ Params: { city: string } }>(
    '/city-budget/:city/documents',
    {
      ...editor,
      schema: { params: cityParams },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const upload = await receiveCapped(request, reply, city, MAX_DOCUMENT_BYTES, {
        field: 'document',
        message: 'openBudget.documents.too_large',
      });
      if (!upload) return reply;
      const stored = upload.stored;
      if (!stored)
        return reply.page(
          await formFail(
            request,
            city,
            new ValidationError([{ field: 'document', message: 'openBudget.imports.no_file' }]),
          ),
          422,
        );
      const discard = () => app.files.remove(stored.file.key).catch(() => {});
      const year = Number(upload.fields.year);
      const title = (upload.fields.title ?? '').trim();
      const problems = [];
      if (!Number.isInteger(year) || year < 2000 || year > 2100)
        problems.push({ field: 'doc_year', message: 'validation.invalid' });
      if (!title || title.length > 300)
        problems.push({ field: 'title', message: title ? 'validation.too_long' : 'validation.required' });
      const type = await sniffDocumentType(app.files, stored.file.key);
      if (!type) problems.push({ field: 'document', message: 'openBudget.documents.bad_type' });
      if (problems.length) {
        await discard();
        return reply.page(await formFail(request, city, new ValidationError(problems)), 422);
      }
      await db.transaction((tx) =>
        addDocument(tx, actorOf(request), {
          cityId: city.id,
          year,
          title,
          file: stored.file,
          fileName: safeFileName(stored.fileName),
          type: type!,
        }),
      );
      return reply.redirect(`/city-budget/${city.slug}/${year}#ob-approved`, 303);
    },
  );

  app.get<{ Params: { city: string; year: number; id: number } }>(
    '/city-budget/:city/:year/documents/:id',
    { schema: { params: documentParams } },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      const doc = await getDocument(db, city.id, request.params.year, request.params.id);
      reply
        .type(doc.mime_type)
        .header('content-disposition', contentDisposition('attachment', doc.file_name))
        .header('cache-control', 'public, max-age=3600');
      return sendStoredFile(request, reply, app.files, doc.file_key);
    },
  );

  app.post<{ Params: { city: string; year: number; id: number } }>(
    '/city-budget/:city/:year/documents/:id/delete',
    { ...editor, schema: { params: documentParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const city = await cityOf(request.params.city);
      assertCanImportBudget(request.user, city.id);
      const doc = await getDocument(db, city.id, request.params.year, request.params.id);
      await db.transaction((tx) => removeDocument(tx, actorOf(request), doc));
      await app.files.remove(doc.file_key).catch(() => {});
      return reply.redirect(`/city-budget/${city.slug}/${doc.year}#ob-approved`, 303);
    },
  );

  // ----- /api/v1
  const api = { config: apiRateLimit(app) };
  app.get(
    '/api/v1/city-budgets',
    {
      ...api,
      schema: {
        tags: ['city budgets'],
        operationId: 'listCityBudgets',
        summary: 'Cities with an imported budget (Treasury execution files) and their latest year',
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    city: { type: 'string' },
                    name: { type: 'string' },
                    population: { type: ['integer', 'null'] },
                    latest_year: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      items: (await citiesWithBudgets(db)).map((c) => ({
        city: c.slug,
        name: c.name_uk,
        population: c.population,
        latest_year: c.latest,
      })),
    }),
  );

  app.get<{ Params: { city: string; year: number } }>(
    '/api/v1/city-budgets/:city/:year',
    {
      ...api,
      schema: {
        tags: ['city budgets'],
        operationId: 'getCityBudgetYear',
        summary: "A city's budget year: plan against execution by fund and section, and the monthly execution curve",
        params: cityYearParams,
        response: {
          200: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              year: { type: 'integer' },
              population: { type: ['integer', 'null'] },
              currency: { type: 'string' },
              incomes: itemJson,
              expenses: itemJson,
              financing: financingJson,
              datapackage: { type: 'string' },
              csv: { type: 'string' },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) =>
      cachedJson(request, reply, async () => {
        const city = await cityOf(request.params.city);
        const { year } = request.params;
        if (!(await budgetYears(db, city.id)).includes(year)) throw new NotFoundError('no budget for this year');
        const [summary, financing] = await Promise.all([
          yearSummary(db, city.id, year),
          financingSummary(db, city.id, year),
        ]);
        return {
          city: city.slug,
          year,
          population: city.population,
          currency: 'UAH',
          incomes: summary.incomes ?? null,
          expenses: summary.expenses ?? null,
          financing: {
            total: financing.total ?? null,
            borrowing: financing.borrowing ?? null,
            repayment: financing.repayment ?? null,
            granted: financing.granted ?? null,
            repaid: financing.repaid ?? null,
            debts: financing.debts ?? null,
            creditor: financing.creditor ?? null,
            credits: financing.credits ?? null,
          },
          datapackage: `${app.config.publicUrl}/city-budget/${city.slug}/${year}/datapackage.json`,
          csv: `${app.config.publicUrl}/city-budget/${city.slug}/${year}/facts.csv`,
        };
      }),
  );

  app.get<{ Querystring: { year?: number } }>(
    '/api/v1/city-budgets/compare',
    {
      ...api,
      schema: {
        tags: ['city budgets'],
        operationId: 'compareCityBudgets',
        summary:
          'Per-resident revenues and spending by function (КФКВК section) of every city with a budget for the year',
        querystring: {
          type: 'object',
          properties: {
            year: {
              type: 'integer',
              minimum: 1,
              maximum: 9999,
              description: 'The year; by default the latest with any city budget',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              year: { type: 'integer' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    city: { type: 'string' },
                    population: { type: ['integer', 'null'] },
                    month: { type: 'integer' },
                    revenues_per_resident: { type: ['number', 'null'] },
                    spending_per_resident: { type: ['number', 'null'] },
                    spending_by_function_per_resident: { type: 'object', additionalProperties: { type: 'number' } },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const per = (value: number, population: number | null) =>
        population ? Math.round((value / population) * 100) / 100 : null;
      const year =
        request.query.year ??
        (await db.one<{ year: number | null }>('SELECT max(year)::int AS year FROM open_budget_sections'))?.year ??
        app.clock.now().getUTCFullYear();
      return {
        year,
        items: (await compareCities(db, year)).map((c) => ({
          city: c.slug,
          population: c.population,
          month: c.month,
          revenues_per_resident: per(c.incomes, c.population),
          spending_per_resident: per(c.expenses, c.population),
          spending_by_function_per_resident: Object.fromEntries(
            [...c.byFunction].map(([code, value]) => [code, per(value, c.population) ?? 0]),
          ),
        })),
      };
    },
  );
}

export const openBudgetModule = fp(routes, { name: 'open-budget' });
