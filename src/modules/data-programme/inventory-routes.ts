// Routes of a city's inventory: the public register and plan, the entry form, import (CSV or XLSX,
// with a validation report), export (CSV, XLSX), the register published as a dataset, /api/v1.
// Who may change an entry: the city's editors and admins (policy.ts).
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import { FileTooLargeError, receiveUpload } from '../../platform/files.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { csvLine, neutraliseFormula } from '../../platform/csv.ts';
import { kyivDate } from '../../platform/clock.ts';
import { getCity, type City } from '../cities/service.ts';
import { localTitle } from '../catalog/service.ts';
import { CsvError, CsvTokenizer } from '../datastore/csv.ts';
import { detectEncoding, sniffDelimiter } from '../datastore/detect.ts';
import { openXlsxSheet, writeXlsx, XlsxError } from '../datastore/xlsx.ts';
import { canEditInventory } from './policy.ts';
import { listMandatoryItems } from './service.ts';
import {
  COLUMNS,
  deleteInventoryItem,
  exportRow,
  getInventoryItem,
  importInventory,
  listInventory,
  parseInventoryInput,
  planOf,
  priorityOf,
  publishRegister,
  saveInventoryItem,
  type InventoryItem,
} from './inventory.ts';
import { entryForm, importPage, inventoryPage } from './inventory-views.ts';

const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

const cityParams = { type: 'object', required: ['slug'], properties: { slug: slugParam } } as const;
const entryParams = {
  type: 'object',
  required: ['slug', 'id'],
  properties: { slug: slugParam, id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
} as const;

const entryJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    unit: { type: 'string' },
    contact: { type: 'string' },
    system: { type: 'string' },
    format: { type: 'string' },
    personal_data: { type: 'boolean' },
    legal_limits: { type: 'string' },
    demand: { type: 'integer' },
    impact: { type: 'integer' },
    readiness: { type: 'integer' },
    priority: { type: 'integer', description: 'demand + impact + readiness, 0–9' },
    status: { type: 'string', enum: ['not_published', 'planned', 'published', 'restricted'] },
    planned_on: { type: ['string', 'null'], format: 'date' },
    overdue: { type: 'boolean' },
    dataset: { type: ['string', 'null'] },
    restriction_reason: { type: ['string', 'null'] },
    mandatory_code: { type: ['string', 'null'] },
  },
} as const;

/** Reads an uploaded register: XLSX by its name, else CSV in whatever encoding and delimiter it came. */
async function readRows(path: string, fileName: string): Promise<{ row: number; cells: string[] }[]> {
  if (/\.xlsx$/i.test(fileName)) {
    const sheet = await openXlsxSheet(path);
    const rows: { row: number; cells: string[] }[] = [];
    try {
      for await (const row of sheet.rows()) if (rows.length <= 5002) rows.push({ row: row.row, cells: row.cells });
    } finally {
      sheet.close();
    }
    return rows;
  }
  const bytes = fs.readFileSync(path);
  const { encoding, bom } = detectEncoding(bytes.subarray(0, 64 * 1024));
  const text = new TextDecoder(encoding).decode(bytes.subarray(bom));
  const tokenizer = new CsvTokenizer(sniffDelimiter(text.slice(0, 64 * 1024)), 100_000);
  return [...tokenizer.push(text), ...tokenizer.end()].map((r) => ({ row: r.line, cells: r.cells }));
}

export function registerInventoryRoutes(app: FastifyInstance): void {
  const { db, clock } = app;

  async function cityFor(request: FastifyRequest<{ Params: { slug: string } }>, edit: boolean): Promise<City> {
    const city = await getCity(db, request.params.slug);
    if (edit && !canEditInventory(request.user, city.id)) throw new ForbiddenError('not an editor of this city');
    return city;
  }

  async function formChoices(city: City, locale: 'uk' | 'en' | 'bg') {
    const [datasets, items] = await Promise.all([
      db.query<{ name: string; title_uk: string; title_en: string; title_bg: string }>(
        `SELECT name, title_uk, title_en, title_bg FROM datasets WHERE city_id = $1 AND state = 'published' ORDER BY name`,
        [city.id],
      ),
      listMandatoryItems(db),
    ]);
    return {
      datasets: datasets.map((d) => ({ name: d.name, title: `${localTitle(d, locale)} (${d.name})` })),
      items,
    };
  }

  const formValues = (item: InventoryItem) => ({
    ...item,
    personal_data: item.personal_data ? 'yes' : 'no',
    dataset: item.dataset_name ?? '',
    mandatory_code: item.mandatory_code ?? '',
  });

  async function renderList(
    request: FastifyRequest<{ Params: { slug: string } }>,
    reply: FastifyReply,
    notice?: string,
  ) {
    const city = await cityFor(request, false);
    const items = await listInventory(db, city.id);
    const now = clock.now();
    return reply.page({
      title: request.t('dataProgramme.inventory.title', { city: city.name_uk }),
      nav: 'datasets',
      alternates: [{ href: `/api/v1/cities/${city.slug}/inventory`, type: 'application/json' }],
      body: inventoryPage(
        request.pageContext(),
        city,
        items,
        planOf(items, now),
        kyivDate(now),
        canEditInventory(request.user, city.id),
        notice,
      ),
    });
  }

  app.get<{ Params: { slug: string }; Querystring: { done?: string } }>(
    '/cities/:slug/inventory',
    {
      schema: {
        params: cityParams,
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 20 } } },
      },
    },
    async (request, reply) =>
      renderList(
        request,
        reply,
        ['saved', 'deleted', 'published'].includes(request.query.done ?? '')
          ? request.t(`dataProgramme.inventory.done.${request.query.done}`)
          : undefined,
      ),
  );

  // ---- Export: the public register leaves out the responsible persons; the city's editors get them ----

  async function exportRows(request: FastifyRequest<{ Params: { slug: string } }>) {
    const city = await cityFor(request, false);
    const full = canEditInventory(request.user, city.id);
    return { city, rows: (await listInventory(db, city.id)).map((i) => exportRow(i, full)) };
  }

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/inventory.csv',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const { city, rows } = await exportRows(request);
      return reply
        .type('text/csv; charset=utf-8')
        .header('vary', 'Cookie')
        .header('content-disposition', `attachment; filename="${city.slug}-inventory.csv"`)
        .send(`\ufeff${csvLine([...COLUMNS])}${rows.map((r) => csvLine(r)).join('')}`);
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/inventory.xlsx',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const { city, rows } = await exportRows(request);
      const out = new PassThrough();
      const types = COLUMNS.map((c) =>
        ['demand', 'impact', 'readiness', 'priority'].includes(c) ? 'integer' : c === 'planned_on' ? 'date' : 'text',
      ) as ('integer' | 'date' | 'text')[];
      async function* source() {
        for (const row of rows) yield row.map((v, i) => (types[i] === 'date' && v === '' ? null : v));
      }
      writeXlsx('inventory', [...COLUMNS], types, source(), neutraliseFormula, (chunk) => out.write(chunk)).then(
        () => out.end(),
        (error: Error) => out.destroy(error),
      );
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('vary', 'Cookie')
        .header('content-disposition', `attachment; filename="${city.slug}-inventory.xlsx"`)
        .send(out);
    },
  );

  // ---- Entries ----

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/inventory/new',
    { preHandler: allow(signedIn), schema: { params: cityParams } },
    async (request, reply) => {
      const city = await cityFor(request, true);
      const choices = await formChoices(city, request.locale);
      return reply.page({
        title: request.t('dataProgramme.inventory.new'),
        nav: 'datasets',
        body: entryForm(
          request.pageContext(),
          city,
          { status: 'not_published', personal_data: 'no' },
          undefined,
          null,
          choices.datasets,
          choices.items,
        ),
      });
    },
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/cities/:slug/inventory/new',
    { preHandler: allow(signedIn), schema: { params: cityParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const city = await cityFor(request, true);
      const choices = await formChoices(city, request.locale);
      return submitForm(request, reply, {
        title: request.t('dataProgramme.inventory.new'),
        action: async () => {
          const input = parseInventoryInput(request.body);
          await db.transaction((tx) => saveInventoryItem(tx, actorOf(request), city.id, input, null, clock.now()));
          return `/cities/${city.slug}/inventory?done=saved`;
        },
        form: (errors) =>
          entryForm(request.pageContext(), city, request.body ?? {}, errors, null, choices.datasets, choices.items),
      });
    },
  );

  app.get<{ Params: { slug: string; id: number } }>(
    '/cities/:slug/inventory/:id/edit',
    { preHandler: allow(signedIn), schema: { params: entryParams } },
    async (request, reply) => {
      const city = await cityFor(request, true);
      const item = await getInventoryItem(db, city.id, request.params.id);
      const choices = await formChoices(city, request.locale);
      return reply.page({
        title: request.t('dataProgramme.inventory.edit'),
        nav: 'datasets',
        body: entryForm(
          request.pageContext(),
          city,
          formValues(item),
          undefined,
          item.id,
          choices.datasets,
          choices.items,
        ),
      });
    },
  );

  app.post<{ Params: { slug: string; id: number }; Body: Record<string, unknown> }>(
    '/cities/:slug/inventory/:id/edit',
    { preHandler: allow(signedIn), schema: { params: entryParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const city = await cityFor(request, true);
      const item = await getInventoryItem(db, city.id, request.params.id);
      const choices = await formChoices(city, request.locale);
      return submitForm(request, reply, {
        title: request.t('dataProgramme.inventory.edit'),
        action: async () => {
          const input = parseInventoryInput(request.body);
          await db.transaction((tx) => saveInventoryItem(tx, actorOf(request), city.id, input, item.id, clock.now()));
          return `/cities/${city.slug}/inventory?done=saved`;
        },
        form: (errors) =>
          entryForm(request.pageContext(), city, request.body ?? {}, errors, item.id, choices.datasets, choices.items),
      });
    },
  );

  app.post<{ Params: { slug: string; id: number } }>(
    '/cities/:slug/inventory/:id/delete',
    { preHandler: allow(signedIn), schema: { params: entryParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const city = await cityFor(request, true);
      await db.transaction((tx) => deleteInventoryItem(tx, actorOf(request), city.id, request.params.id));
      return reply.redirect(`/cities/${city.slug}/inventory?done=deleted`, 303);
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/cities/:slug/inventory/publish',
    { preHandler: allow(signedIn), schema: { params: cityParams }, config: formRateLimit(30) },
    async (request, reply) => {
      const city = await cityFor(request, true);
      await db.transaction((tx) => publishRegister(tx, actorOf(request), city, app.config.publicUrl, clock.now()));
      return reply.redirect(`/cities/${city.slug}/inventory?done=published`, 303);
    },
  );

  // ---- Import ----

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/inventory/import',
    { preHandler: allow(signedIn), schema: { params: cityParams } },
    async (request, reply) => {
      const city = await cityFor(request, true);
      return reply.page({
        title: request.t('dataProgramme.inventory.import'),
        nav: 'datasets',
        body: importPage(request.pageContext(), city, null, null),
      });
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/cities/:slug/inventory/import',
    {
      preHandler: allow(signedIn),
      schema: { params: cityParams },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const city = await cityFor(request, true);
      const page = (report: Parameters<typeof importPage>[2], error: string | null, status: number) =>
        reply.page(
          {
            title: request.t('dataProgramme.inventory.import'),
            nav: 'datasets',
            body: importPage(request.pageContext(), city, report, error),
          },
          status,
        );
      let upload: Awaited<ReturnType<typeof receiveUpload>>;
      try {
        upload = await receiveUpload(
          request as never,
          app.files,
          MAX_IMPORT_BYTES,
          csrfBeforeFile(app, request, reply),
        );
      } catch (error) {
        if (error instanceof FileTooLargeError)
          return page(null, request.t('dataProgramme.inventory.errors.too_large', { max: '2 MB' }), 413);
        throw error;
      }
      const stored = upload.stored;
      if (!stored) return page(null, request.t('datastore.no_file'), 422);
      try {
        const rows = await app.files.withLocalFile(stored.file.key, (path) => readRows(path, stored.fileName));
        const report = await db
          .transaction(async (tx) => {
            const result = await importInventory(tx, actorOf(request), city.id, rows, clock.now());
            // A failed import changes nothing: the report alone comes back.
            if (result.errors.length) throw Object.assign(new Error('import refused'), { report: result });
            return result;
          })
          .catch((error: Error & { report?: Parameters<typeof importPage>[2] }) => {
            if (error.report) return error.report;
            throw error;
          });
        return page(report, null, report!.errors.length ? 422 : 200);
      } catch (error) {
        if (error instanceof XlsxError || error instanceof CsvError)
          return page(null, request.t('dataProgramme.inventory.errors.unreadable'), 422);
        throw error;
      } finally {
        await app.files.remove(stored.file.key);
      }
    },
  );

  // ---- /api/v1 ----

  app.get<{ Params: { slug: string } }>(
    '/api/v1/cities/:slug/inventory',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data programme'],
        operationId: 'getCityInventory',
        summary: 'A city’s register of the information it holds, with each entry’s status and plan',
        description: 'The responsible persons’ names and e-mails are personal data and are left out.',
        params: cityParams,
        response: {
          200: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              progress: { type: 'number', description: 'Published over all but restricted entries, 0–100' },
              items: { type: 'array', items: entryJson },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const city = await cityFor(request, false);
      const items = await listInventory(db, city.id);
      const now = clock.now();
      const today = kyivDate(now);
      return {
        city: city.slug,
        progress: planOf(items, now).progress,
        items: items.map((i) => ({
          id: i.id,
          name: i.name,
          description: i.description,
          unit: i.unit,
          contact: i.contact,
          system: i.system,
          format: i.format,
          personal_data: i.personal_data,
          legal_limits: i.legal_limits,
          demand: i.demand,
          impact: i.impact,
          readiness: i.readiness,
          priority: priorityOf(i),
          status: i.status,
          planned_on: i.planned_on,
          overdue: i.status === 'planned' && (i.planned_on ?? '') < today,
          dataset: i.dataset_name,
          restriction_reason: i.restriction_reason,
          mandatory_code: i.mandatory_code,
        })),
      };
    },
  );
}
