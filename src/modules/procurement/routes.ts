// Procurement: a city's year, procedure / supplier / buyer pages, the flags' methodology, OCDS
// uploads run as durable jobs, watching, and /api/v1/procurement with OCDS record packages.
import { Readable } from 'node:stream';
import fp from 'fastify-plugin';
import { csvCell } from '../../platform/csv.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, isAdmin } from '../../platform/http/guards.ts';
import { recordAudit } from '../../platform/audit.ts';
import { FEED_JOB } from './feed.ts';
import { actorOf, csrfBeforeFile } from '../../platform/http/forms.ts';
import { receiveUpload } from '../../platform/files.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { registerProcurementSections } from './sections.ts';
import { AnonymousCache } from '../../platform/http/anonymous-cache.ts';
import { layout } from '../../platform/html/layout.ts';
import { getCity } from '../cities/service.ts';
import { canImport, canWatch, uploadCities } from './policy.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import {
  IMPORT_JOB,
  cityFigures,
  cityYears,
  createImport,
  getProcedure,
  isWatching,
  listProcedures,
  partyProfile,
  setWatch,
} from './service.ts';
import { cityPage, feedsPage, importPage, methodologyPage, partyPage, procedurePage } from './views.ts';

const PAGE = 50;
/** Records per page of the API's record package: by default, and at most. */
const RECORDS_PAGE = 250;
const RECORDS_MAX = 1000;
/** Rows read from the database at a time while the CSV streams out. */
const CSV_BATCH = 1000;
const ocidParams = {
  type: 'object',
  required: ['ocid'],
  properties: { ocid: { type: 'string', pattern: '^ocds-[a-z0-9]{6}-[A-Za-z0-9._-]{1,100}$' } },
} as const;
const edrpouParams = {
  type: 'object',
  required: ['edrpou'],
  properties: { edrpou: { type: 'string', pattern: '^[0-9]{8,10}$' } },
} as const;
const cityQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    year: { type: 'integer', minimum: 1, maximum: 9999 },
    q: { type: 'string', maxLength: 200 },
    method: { type: 'string', maxLength: 60 },
    flagged: { type: 'string', enum: ['', '1'] },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

/** The CSV's order: when a procedure began (as a number, those without a start last). */
const CSV_KEY = `coalesce(extract(epoch FROM p.started_at), 'Infinity'::numeric)`;

async function routes(app: FastifyInstance) {
  const { db, clock } = app;
  // Multipart forms are parsed by the plugin the DataStore module registers for the whole app.

  const yearFor = async (cityId: number, year?: number) =>
    year ?? (await cityYears(db, cityId))[0] ?? clock.now().getUTCFullYear();

  registerProcurementSections(app);
  // A city's year is a dozen aggregates over every procedure: anonymous visitors get it rendered
  // once per change of procurement data (any import) or of the cities (their names).
  const anonymous = new AnonymousCache(app.versions);

  app.get<{
    Params: { slug: string };
    Querystring: { year?: number; q?: string; method?: string; flagged?: string; offset?: number };
  }>(
    '/cities/:slug/procurement',
    {
      schema: {
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: cityQuery,
      },
    },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug); // a 404 is never cached
      const ctx = request.pageContext();
      const render = async () => {
        const name = (city as unknown as Record<string, string>)[`name_${request.locale}`] ?? city.name_uk;
        const year = await yearFor(city.id, request.query.year);
        const filter = {
          cityId: city.id,
          year,
          q: request.query.q?.trim() || undefined,
          methodType: request.query.method || undefined,
          flagged: request.query.flagged === '1',
        };
        const offset = request.query.offset ?? 0;
        const [figures, list, years, methods] = await Promise.all([
          cityFigures(db, filter),
          listProcedures(db, filter, PAGE, offset),
          cityYears(db, city.id),
          db.query<{ m: string }>(
            'SELECT DISTINCT method_type AS m FROM procurement_procedures WHERE city_id = $1 AND method_type IS NOT NULL ORDER BY 1',
            [city.id],
          ),
        ]);
        return layout(ctx, {
          title: request.t('procurement.city_title', { city: name }),
          nav: 'cities',
          body: cityPage(
            ctx,
            { slug: city.slug, name },
            {
              year,
              years: years.length ? years : [year],
              q: request.query.q ?? '',
              method: request.query.method ?? '',
              flagged: filter.flagged,
              methods: methods.map((m) => m.m),
              figures,
              list,
              limit: PAGE,
              offset,
            },
          ),
        });
      };
      return anonymous.send(request, reply, ['procurement', 'cities'], async () => ({
        type: 'text/html; charset=utf-8',
        body: await render(),
      }));
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { year?: number } }>(
    '/cities/:slug/procurement.csv',
    {
      schema: {
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { year: { type: 'integer', minimum: 1, maximum: 9999 } },
        },
      },
    },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const header = [
        'ocid',
        'tender_id',
        'year',
        'title',
        'buyer_edrpou',
        'buyer_name',
        'method',
        'method_type',
        'status',
        'value_amount',
        'currency',
        'spend',
        'bidders',
        'started_at',
        'flags',
      ];
      // Streamed in batches by keyset (start, ocid), procedures without a start last: memory
      // holds one batch whatever the city's size.
      const batch = async (after: { key: string; ocid: string } | null) => {
        const params: unknown[] = [city.id];
        const year = request.query.year ? ` AND p.year = $${params.push(request.query.year)}` : '';
        const from = after
          ? ` AND (${CSV_KEY}, p.ocid) > ($${params.push(after.key)}::numeric, $${params.push(after.ocid)})`
          : '';
        return db.query<Record<string, unknown> & { sort_key: string; ocid: string }>(
          `SELECT p.ocid, p.tender_id, p.year, p.title, p.buyer_edrpou, p.buyer_name, p.method, p.method_type, p.status,
             p.value_amount, p.currency, p.spend, p.bidders, p.started_at, ${CSV_KEY}::text AS sort_key,
             (SELECT string_agg(f.indicator, ' ' ORDER BY f.indicator) FROM procurement_flags f WHERE f.ocid = p.ocid) AS flags
           FROM procurement_procedures p WHERE p.city_id = $1${year}${from} ORDER BY ${CSV_KEY}, p.ocid LIMIT ${CSV_BATCH}`,
          params,
        );
      };
      const line = (r: Record<string, unknown>) =>
        `${header.map((h) => csvCell(r[h] instanceof Date ? (r[h] as Date).toISOString() : (r[h] ?? ''))).join(',')}\r\n`;
      // The first batch is read before the answer starts, so that a database error is an error page.
      const first = await batch(null);
      async function* body() {
        yield `${header.join(',')}\r\n`;
        for (let rows = first; rows.length; ) {
          yield rows.map(line).join('');
          if (rows.length < CSV_BATCH) break;
          const last = rows.at(-1)!;
          rows = await batch({ key: last.sort_key, ocid: last.ocid });
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${city.slug}-procurement.csv"`)
        .send(Readable.from(body()));
    },
  );

  app.get<{ Params: { ocid: string } }>(
    '/procurement/procedures/:ocid',
    { schema: { params: ocidParams } },
    async (request, reply) => {
      const data = await getProcedure(db, request.params.ocid);
      return reply.page({
        title: String(data.procedure.title || data.procedure.tender_id),
        nav: 'cities',
        body: procedurePage(
          request.pageContext(),
          data,
          {
            canWatch: canWatch(request.user),
            watching: await isWatching(db, request.user?.id, 'procedure', request.params.ocid),
          },
          await app.sections.render('procedure', request, {
            ocid: String(data.procedure.ocid),
            city_id: (data.procedure.city_id as number | null) ?? null,
          }),
        ),
      });
    },
  );

  for (const role of ['supplier', 'buyer'] as const)
    app.get<{ Params: { edrpou: string } }>(
      `/procurement/${role}s/:edrpou`,
      { schema: { params: edrpouParams } },
      async (request, reply) => {
        const data = await partyProfile(db, role, request.params.edrpou);
        return reply.page({
          title: data.party.name,
          nav: 'cities',
          body: partyPage(request.pageContext(), role, data, {
            canWatch: canWatch(request.user),
            watching: await isWatching(db, request.user?.id, role, request.params.edrpou),
          }),
        });
      },
    );

  app.get('/procurement/flags', async (request, reply) =>
    reply.page({ title: request.t('procurement.flags'), nav: 'cities', body: methodologyPage(request.pageContext()) }),
  );

  app.post<{ Body: { type?: string; id?: string; on?: string } }>(
    '/procurement/watch',
    { preHandler: allow(() => true), config: formRateLimit(60) },
    async (request, reply) => {
      if (!canWatch(request.user)) throw new ForbiddenError('confirm your e-mail address first');
      const { type, id, on } = request.body ?? {};
      if (type !== 'procedure' && type !== 'buyer' && type !== 'supplier')
        throw new ValidationError([{ field: 'type', message: 'validation.invalid' }]);
      if (typeof id !== 'string' || !/^(ocds-[a-z0-9]{6}-[A-Za-z0-9._-]{1,100}|[0-9]{8,10})$/.test(id))
        throw new ValidationError([{ field: 'id', message: 'validation.invalid' }]);
      await setWatch(db, request.user!.id, type, id, on === '1');
      const back =
        type === 'procedure' ? `/procurement/procedures/${encodeURIComponent(id)}` : `/procurement/${type}s/${id}`;
      return reply.redirect(back, 303);
    },
  );

  // An admin sees every import; a city editor those of their cities: uploaded by them or another
  // editor of those cities, or that wrote procedures of those cities (the feed's, for example).
  const imports = (user: CurrentUser | null) => {
    const cityIds = uploadCities(user);
    return db.query<Record<string, unknown>>(
      `SELECT i.id, i.file_name, i.state, i.created_at, i.counts, i.error FROM procurement_imports i
       ${
         cityIds === null
           ? ''
           : `WHERE i.created_by = $1
         OR i.created_by IN (SELECT m.user_id FROM memberships m JOIN organizations o ON o.id = m.organization_id
                             WHERE m.role = 'city_editor' AND o.city_id = ANY($2::int[]))
         OR EXISTS (SELECT 1 FROM procurement_procedures p WHERE p.import_id = i.id AND p.city_id = ANY($2::int[]))`
       }
       ORDER BY i.id DESC LIMIT 30`,
      cityIds === null ? [] : [user?.id ?? null, cityIds],
    );
  };
  app.get('/procurement/imports', { preHandler: allow(canImport) }, async (request, reply) =>
    reply.page({
      title: request.t('procurement.import_title'),
      body: importPage(request.pageContext(), await imports(request.user)),
    }),
  );
  app.post(
    '/procurement/imports',
    {
      preHandler: allow(canImport),
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const upload = await receiveUpload(
        request as never,
        app.files,
        app.config.uploadLimitBytes,
        csrfBeforeFile(app, request, reply),
      );
      if (!upload.stored)
        return reply.page(
          {
            title: request.t('procurement.import_title'),
            body: importPage(request.pageContext(), await imports(request.user), request.t('procurement.no_file')),
          },
          422,
        );
      const id = await db.transaction(async (tx) => {
        const importId = await createImport(tx, actorOf(request), 'upload', {
          key: upload.stored!.file.key,
          name: upload.stored!.fileName,
        });
        await enqueueJob(tx, IMPORT_JOB, null, String(importId));
        return importId;
      });
      return reply.redirect(`/procurement/imports#import-${id}`, 303);
    },
  );

  // ---- Prozorro feeds (admin) ----
  const feedParams = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  } as const;
  /** A feed's form, new (with its address and kind) or changed. Only text counts: a JSON body may send anything. */
  function readFeedForm(input: unknown, creating: boolean) {
    const body = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const [name, baseUrl, resource, pause, interval] = [
      body.name,
      body.base_url,
      body.resource,
      body.pause_ms,
      body.interval_minutes,
    ].map(text);
    const problems: { field: string; message: string }[] = [];
    if (!name?.trim() || name.length > 200) problems.push({ field: 'name', message: 'validation.required' });
    if (creating && (!baseUrl || !/^https?:\/\/\S+$/.test(baseUrl) || baseUrl.length > 500))
      problems.push({ field: 'base_url', message: 'validation.invalid' });
    if (creating && resource !== 'tenders' && resource !== 'contracts')
      problems.push({ field: 'resource', message: 'validation.invalid' });
    const pauseMs = Number(pause || 1000);
    if (!Number.isInteger(pauseMs) || pauseMs < 100 || pauseMs > 60000)
      problems.push({ field: 'pause_ms', message: 'validation.invalid' });
    const intervalMinutes = interval?.trim() ? Number(interval) : null;
    if (
      intervalMinutes !== null &&
      (!Number.isInteger(intervalMinutes) || intervalMinutes < 15 || intervalMinutes > 10080)
    )
      problems.push({ field: 'interval_minutes', message: 'procurement.feed_interval_invalid' });
    return {
      values: {
        name: name?.trim() ?? '',
        baseUrl: baseUrl ?? '',
        resource: resource ?? '',
        pauseMs,
        intervalMinutes,
        enabled: creating || text(body.enabled) === 'on',
      },
      problems,
    };
  }
  const feedsFormError = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problems: { field: string; message: string }[],
    feedId?: number,
  ) =>
    reply.page(
      {
        title: request.t('procurement.feeds'),
        nav: 'admin',
        body: feedsPage(
          request.pageContext(),
          await feeds(),
          Object.fromEntries(problems.map((p) => [p.field, request.t(p.message)])),
          feedId,
        ),
      },
      422,
    );
  const feeds = () =>
    db.query<Record<string, unknown>>(
      'SELECT id, name, base_url, resource, next_offset, pause_ms, interval_minutes, enabled, next_run_at, last_run_at, last_error FROM procurement_feeds ORDER BY id',
    );
  app.get('/procurement/feeds', { preHandler: allow(isAdmin) }, async (request, reply) =>
    reply.page({
      title: request.t('procurement.feeds'),
      nav: 'admin',
      body: feedsPage(request.pageContext(), await feeds()),
    }),
  );
  app.post<{ Body: Record<string, string | undefined> }>(
    '/procurement/feeds',
    { preHandler: allow(isAdmin), config: formRateLimit(30) },
    async (request, reply) => {
      const { values, problems } = readFeedForm(request.body, true);
      if (problems.length) return feedsFormError(request, reply, problems);
      const { name, baseUrl, resource, pauseMs, intervalMinutes } = values;
      await db.transaction(async (tx) => {
        const row = await tx.one<{ id: number }>(
          'INSERT INTO procurement_feeds (name, base_url, resource, pause_ms, interval_minutes) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [name, baseUrl, resource, pauseMs, intervalMinutes],
        );
        await recordAudit(tx, actorOf(request), 'procurement.feed.create', 'procurement_feed', row!.id, null, {
          name,
          base_url: baseUrl,
          resource,
          pause_ms: pauseMs,
          interval_minutes: intervalMinutes,
        });
      });
      return reply.redirect('/procurement/feeds', 303);
    },
  );
  // Changing a feed: its name, pace, schedule and whether it runs; where it reads from stays (a new
  // address is a new feed, with an offset of its own).
  app.post<{ Params: { id: number }; Body: Record<string, string | undefined> }>(
    '/procurement/feeds/:id',
    { preHandler: allow(isAdmin), config: formRateLimit(30), schema: { params: feedParams } },
    async (request, reply) => {
      const { values, problems } = readFeedForm(request.body, false);
      if (problems.length) return feedsFormError(request, reply, problems, request.params.id);
      await db.transaction(async (tx) => {
        const before = await tx.one<Record<string, unknown>>(
          'SELECT name, pause_ms, interval_minutes, enabled FROM procurement_feeds WHERE id = $1 FOR UPDATE',
          [request.params.id],
        );
        if (!before) throw new NotFoundError('no such feed');
        const after = {
          name: values.name,
          pause_ms: values.pauseMs,
          interval_minutes: values.intervalMinutes,
          enabled: values.enabled,
        };
        // A new schedule starts from now.
        await tx.query(
          `UPDATE procurement_feeds SET name = $2, pause_ms = $3, interval_minutes = $4, enabled = $5,
             next_run_at = CASE WHEN interval_minutes IS DISTINCT FROM $4 THEN NULL ELSE next_run_at END
           WHERE id = $1`,
          [request.params.id, after.name, after.pause_ms, after.interval_minutes, after.enabled],
        );
        await recordAudit(
          tx,
          actorOf(request),
          'procurement.feed.update',
          'procurement_feed',
          request.params.id,
          before,
          after,
        );
      });
      return reply.redirect('/procurement/feeds', 303);
    },
  );
  app.post<{ Params: { id: number } }>(
    '/procurement/feeds/:id/run',
    {
      preHandler: allow(isAdmin),
      config: formRateLimit(30),
      schema: { params: feedParams },
    },
    async (request, reply) => {
      await db.transaction(async (tx) => {
        if (!(await tx.one('SELECT 1 FROM procurement_feeds WHERE id = $1', [request.params.id])))
          throw new NotFoundError('no such feed');
        await enqueueJob(tx, FEED_JOB, null, String(request.params.id));
        await recordAudit(
          tx,
          actorOf(request),
          'procurement.feed.run',
          'procurement_feed',
          request.params.id,
          null,
          null,
        );
      });
      return reply.redirect('/procurement/feeds', 303);
    },
  );

  // ---- API ----
  const procedureJson = {
    type: 'object',
    properties: {
      ocid: { type: 'string' },
      tender_id: { type: 'string' },
      title: { type: 'string' },
      buyer_edrpou: { type: ['string', 'null'] },
      buyer_name: { type: 'string' },
      method_type: { type: ['string', 'null'] },
      status: { type: ['string', 'null'] },
      spend: { type: 'number' },
      bidders: { type: 'integer' },
      flags: { type: 'integer' },
      demo: { type: 'boolean' },
    },
  } as const;

  app.get<{
    Params: { slug: string };
    Querystring: { year?: number; q?: string; method?: string; flagged?: string; offset?: number };
  }>(
    '/api/v1/procurement/cities/:slug/procedures',
    {
      config: apiRateLimit(app),
      schema: {
        operationId: 'listProcurementProcedures',
        tags: ['procurement'],
        summary: "A city's procurement procedures in a year, with filters",
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: cityQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              year: { type: 'integer' },
              total: { type: 'integer' },
              items: { type: 'array', items: procedureJson },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const city = await getCity(db, request.params.slug);
      const year = await yearFor(city.id, request.query.year);
      const list = await listProcedures(
        db,
        {
          cityId: city.id,
          year,
          q: request.query.q,
          methodType: request.query.method,
          flagged: request.query.flagged === '1',
        },
        PAGE,
        request.query.offset ?? 0,
      );
      return { year, total: list.total, items: list.items };
    },
  );

  app.get<{ Params: { ocid: string } }>(
    '/api/v1/procurement/procedures/:ocid',
    {
      config: apiRateLimit(app),
      schema: {
        operationId: 'getProcurementProcedure',
        tags: ['procurement'],
        summary: 'One procedure: its compiled release (OCDS) and its red flags with evidence',
        params: ocidParams,
        response: {
          200: {
            type: 'object',
            properties: {
              compiledRelease: { type: 'object', additionalProperties: true },
              flags: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const data = await getProcedure(db, request.params.ocid);
      return { compiledRelease: data.procedure.compiled, flags: data.flags };
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { year?: number; limit?: number; offset?: number } }>(
    '/api/v1/procurement/cities/:slug/records',
    {
      config: apiRateLimit(app),
      schema: {
        operationId: 'getProcurementRecords',
        tags: ['procurement'],
        summary: `A city's procedures of a year as OCDS 1.1 record packages, ${RECORDS_PAGE} records a page (at most ${RECORDS_MAX}); links.next is the next page`,
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            year: { type: 'integer', minimum: 1, maximum: 9999 },
            limit: { type: 'integer', minimum: 1, maximum: RECORDS_MAX, default: RECORDS_PAGE },
            offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
          },
        },
        response: { 200: { type: 'object', additionalProperties: true }, 404: problemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const year = await yearFor(city.id, request.query.year);
      const limit = request.query.limit ?? RECORDS_PAGE;
      const offset = request.query.offset ?? 0;
      const [rows, count] = await Promise.all([
        db.query<{ ocid: string; compiled: Record<string, unknown>; release_date: Date }>(
          'SELECT ocid, compiled, release_date FROM procurement_procedures WHERE city_id = $1 AND year = $2 ORDER BY ocid LIMIT $3 OFFSET $4',
          [city.id, year, limit, offset],
        ),
        db.one<{ n: number }>(
          'SELECT count(*)::int AS n FROM procurement_procedures WHERE city_id = $1 AND year = $2',
          [city.id, year],
        ),
      ]);
      const total = count!.n;
      const base = app.config.publicUrl.replace(/\/$/, '');
      const pageUrl = (at: number) =>
        `${base}/api/v1/procurement/cities/${city.slug}/records?year=${year}&limit=${limit}&offset=${at}`;
      // Pages linked as OCDS's pagination does (links.next / links.prev); total counts every record of the year.
      const links = {
        ...(offset + rows.length < total ? { next: pageUrl(offset + limit) } : {}),
        ...(offset > 0 ? { prev: pageUrl(Math.max(0, offset - limit)) } : {}),
      };
      return reply.type('application/json').send({
        uri: pageUrl(offset),
        version: '1.1',
        publishedDate: clock.now().toISOString(),
        publisher: { name: 'Hromada' },
        total,
        ...(Object.keys(links).length ? { links } : {}),
        records: rows.map((r) => ({
          ocid: r.ocid,
          releases: [
            {
              url: `${base}/api/v1/procurement/procedures/${r.ocid}`,
              date: r.release_date.toISOString(),
              tag: ['compiled'],
            },
          ],
          compiledRelease: r.compiled,
        })),
      });
    },
  );
}

export const procurementModule = fp(routes, { name: 'procurement' });
