// The transparency ranking's public side: the ranking table and map, city profiles, the
// comparison, indicator pages, the best-practices library, recommendations reports, the
// methodology of each year, appeals (filed by anyone signed in during the window), the open
// exports (CSV, XLSX, JSON) and /api/v1. Results are public from the provisional phase on.
import { brandStyles, cityBrandById } from '../cities/brand-view.ts';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { neutraliseFormula } from '../../platform/csv.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema } from '../../platform/http/schemas.ts';
import { layout, type Page } from '../../platform/html/layout.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  receiveUpload,
  safeFileName,
  sendStoredFile,
  sniffFileType,
  contentDisposition,
} from '../../platform/files.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { localName, listOblasts } from '../cities/service.ts';
import { writeXlsx } from '../datastore/xlsx.ts';
import { getCampaign, listCampaigns, type Campaign } from './campaigns.ts';
import {
  cityHistory,
  indicatorList,
  indicatorScores,
  loadBoard,
  methodologyOf,
  resultsPublic,
  type Board,
  type BoardRow,
} from './board.ts';
import { areasChartSvg, dynamicsChartSvg } from './charts.ts';
import { exportMethodology } from './methodology.ts';
import { METHODOLOGY_COLUMNS, methodologyRows } from './methodology-io.ts';
import { asObjects, resultRecords, scoreRecords, tableCsv, type Table } from './records.ts';
import { campaignRoles, fileAppeal, seesCity } from './workflow.ts';
import {
  boardPage,
  boardSorts,
  cityPage,
  comparePage,
  emptyRankingPage,
  indicatorPage,
  local,
  methodologiesPage,
  methodologyPage,
  practicesPage,
  recommendationsPage,
  sortRows,
  type Appeal,
  type BoardFilters,
  type EvidenceFile,
} from './views.ts';
import { PRACTICES_PER_PAGE, searchPractices, type PracticeFilter } from './practices.ts';
import { registerRankingSections } from './sections.ts';

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

const int = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const idParams = { type: 'object', properties: { id: int }, required: ['id'] } as const;
const cityParams = {
  type: 'object',
  properties: { id: int, slug: { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } },
  required: ['id', 'slug'],
} as const;
/** `?size=narrow`: a chart drawn for a phone's width. */
const chartSizeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { size: { type: 'string', enum: ['narrow'] } },
} as const;
const formatParams = {
  type: 'object',
  properties: { id: int, format: { type: 'string', enum: ['csv', 'xlsx', 'json'] } },
  required: ['id', 'format'],
} as const;

/** Appeals with their evidence files; before publication only the people working on the campaign see them. */
export async function loadAppeals(db: Queryable, campaignId: number, cityId?: number): Promise<Appeal[]> {
  const appeals = await db.query<Omit<Appeal, 'files'>>(
    `SELECT a.id, a.city_id, i.code, a.explanation, a.evidence_links, a.state, a.decision_reason, a.previous_value::float8 AS previous_value,
       a.new_value::float8 AS new_value, a.created_at, a.decided_at
     FROM ranking_appeals a JOIN ranking_indicators i ON i.id = a.indicator_id WHERE a.campaign_id = $1 AND ($2::int IS NULL OR a.city_id = $2) ORDER BY a.id`,
    [campaignId, cityId ?? null],
  );
  const files = await db.query<{ id: number; appeal_id: number; file_name: string }>(
    'SELECT id, appeal_id, file_name FROM ranking_evidence_files WHERE appeal_id = ANY($1::int[]) ORDER BY id',
    [appeals.map((a) => a.id)],
  );
  return appeals.map((a) => ({ ...a, files: files.filter((f) => f.appeal_id === a.id) }));
}

export async function evidenceFiles(db: Queryable, campaignId: number, cityId: number): Promise<EvidenceFile[]> {
  return db.query<EvidenceFile>(
    `SELECT f.id, i.code, f.file_name FROM ranking_evidence_files f JOIN ranking_indicators i ON i.id = f.indicator_id
     WHERE f.campaign_id = $1 AND f.city_id = $2 AND f.appeal_id IS NULL ORDER BY f.id`,
    [campaignId, cityId],
  );
}

/**
 * Stores an evidence file (a PDF or an image whose content says so, up to 10 MB); returns the
 * stored upload and its fields, or the problem to show next to the file field.
 */
export async function receiveEvidence(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  let upload;
  try {
    upload = await receiveUpload(request as never, app.files, MAX_EVIDENCE_BYTES, csrfBeforeFile(app, request, reply));
  } catch (error) {
    if (error instanceof FileTooLargeError)
      return { fields: {}, stored: null, problem: { message: 'ranking.error.file_too_large', status: 413 } };
    throw error;
  }
  const stored = upload.stored;
  if (!stored) return { ...upload, problem: null, type: null };
  const type = await sniffFileType(app.files, stored.file.key);
  if (!type) {
    await app.files.remove(stored.file.key);
    return { fields: upload.fields, stored: null, problem: { message: 'ranking.error.file_type', status: 422 } };
  }
  return { ...upload, problem: null, type };
}

export async function saveEvidenceFile(
  db: Queryable,
  row: {
    campaignId: number;
    cityId: number;
    indicatorCode: string;
    appealId: number | null;
    userId: number;
    stored: { file: { key: string; size: number; sha256: string }; fileName: string };
    type: keyof typeof MIME_TYPES;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO ranking_evidence_files (campaign_id, city_id, indicator_id, appeal_id, file_key, file_name, mime_type, size_bytes, sha256, uploaded_by)
     SELECT $1, $2, i.id, $4, $5, $6, $7, $8, $9, $10 FROM ranking_indicators i JOIN ranking_campaigns c ON c.methodology_id = i.methodology_id
     WHERE c.id = $1 AND i.code = $3`,
    [
      row.campaignId,
      row.cityId,
      row.indicatorCode,
      row.appealId,
      row.stored.file.key,
      safeFileName(row.stored.fileName),
      MIME_TYPES[row.type],
      row.stored.file.size,
      row.stored.file.sha256,
      row.userId,
    ],
  );
}

async function send(reply: FastifyReply, table: Table, format: 'csv' | 'xlsx' | 'json', name: string) {
  const disposition = (ext: string) => `attachment; filename="${name}.${ext}"`;
  if (format === 'json')
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', disposition('json'))
      .send(asObjects(table));
  if (format === 'csv') {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', disposition('csv'))
      .send(tableCsv(table));
  }
  const chunks: Uint8Array[] = [];
  async function* rows() {
    yield* table.rows;
  }
  await writeXlsx(name.slice(0, 31), table.columns, table.types, rows(), neutraliseFormula, (chunk) =>
    chunks.push(chunk),
  );
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', disposition('xlsx'))
    .send(Buffer.concat(chunks));
}

async function routes(app: FastifyInstance) {
  registerRankingSections(app);
  const { db, clock } = app;
  const anonymousPages = new Map<string, string>();

  /**
   * The campaign's board once its results are public. Before that only admins see the whole of
   * it: an assessor or a coordinator works on their own cities' assessment pages.
   */
  async function boardFor(request: FastifyRequest, id: number, revision?: number): Promise<Board> {
    const campaign = await getCampaign(db, id);
    if (!resultsPublic(campaign) && !request.user?.isAdmin)
      throw new NotFoundError('the results of this campaign are not public yet');
    return loadBoard(db, campaign, revision, await app.versions.of('cities'));
  }
  const rowOf = (board: Board, slug: string): BoardRow => {
    const row = board.rows.find((r) => r.city.slug === slug);
    if (!row) throw new NotFoundError('this city does not take part in the campaign');
    return row;
  };

  async function renderBoard(
    request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
    board: Board,
    campaigns: Campaign[],
  ) {
    const q = request.query;
    const filters: BoardFilters = {
      oblast: q.oblast ?? '',
      population: q.population ?? '',
      status: q.status ?? '',
      sort: boardSorts.includes(q.sort ?? '') ? q.sort! : 'place',
    };
    const publicCampaigns = campaigns.filter((c) => resultsPublic(c));
    // A published revision never changes, so what an anonymous visitor sees is the same for all of
    // them: rendered once per revision, language, address and list of public campaigns.
    const key =
      !request.user && board.revision
        ? [
            board.revision.id,
            board.citiesVersion,
            board.revisions[0]?.revision,
            request.locale,
            request.url,
            publicCampaigns.map((c) => `${c.id}:${c.phase}`).join(','),
          ].join('|')
        : null;
    const cached = key ? anonymousPages.get(key) : undefined;
    if (cached) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(cached);
    const ctx = request.pageContext();
    const rows = sortRows(
      ctx,
      board.rows.filter(
        (r) =>
          (!filters.oblast || r.city.oblast_slug === filters.oblast) &&
          (!filters.population || r.populationBand === filters.population) &&
          (!filters.status || r.band === filters.status),
      ),
      filters.sort,
    );
    const page: Page = {
      title: local(ctx, { uk: board.campaign.title_uk, en: board.campaign.title_en, bg: board.campaign.title_bg }),
      nav: 'ranking',
      scripts: ['/static/build/ranking-map.js'],
      styles: ['/static/vendor/leaflet/leaflet.css'],
      alternates: [
        { href: `/ranking/campaigns/${board.campaign.id}/results.json`, type: 'application/json' },
        { href: `/ranking/campaigns/${board.campaign.id}/results.csv`, type: 'text/csv' },
      ],
      body: boardPage(ctx, board, {
        campaigns: publicCampaigns,
        oblasts: await listOblasts(db, request.locale),
        filters,
        rows,
      }),
    };
    if (!key) return reply.page(page);
    const body = layout(ctx, page);
    if (anonymousPages.size >= 500) anonymousPages.clear();
    anonymousPages.set(key, body);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  }

  const boardQuery = {
    type: 'object',
    properties: {
      oblast: { type: 'string', maxLength: 80 },
      population: { type: 'string', maxLength: 40 },
      status: { type: 'string', maxLength: 40 },
      sort: { type: 'string', maxLength: 20 },
      revision: { type: 'integer', minimum: 1, maximum: 10_000 },
    },
  } as const;

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/ranking',
    { schema: { querystring: boardQuery } },
    async (request, reply) => {
      // The campaigns come newest first: the first published one is the ranking to show.
      const campaigns = await listCampaigns(db);
      const latest = campaigns.find((c) => c.phase === 'published');
      if (!latest) {
        return reply.page({
          title: request.t('ranking.title'),
          nav: 'ranking',
          body: emptyRankingPage(
            request.pageContext(),
            campaigns.filter((c) => resultsPublic(c)),
            request.user?.isAdmin ?? false,
          ),
        });
      }
      return renderBoard(
        request,
        reply,
        await loadBoard(db, latest, undefined, await app.versions.of('cities')),
        campaigns,
      );
    },
  );

  app.get<{ Params: { id: number }; Querystring: Record<string, string | undefined> }>(
    '/ranking/campaigns/:id',
    { schema: { params: idParams, querystring: boardQuery } },
    async (request, reply) =>
      renderBoard(
        request,
        reply,
        await boardFor(request, request.params.id, request.query.revision ? Number(request.query.revision) : undefined),
        await listCampaigns(db),
      ),
  );

  // ---- A city ----

  async function renderCity(
    request: FastifyRequest<{ Params: { id: number; slug: string } }>,
    reply: FastifyReply,
    form: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string } = {},
    status = 200,
  ) {
    const board = await boardFor(request, request.params.id);
    const row = rowOf(board, request.params.slug);
    const { campaign } = board;
    const years = await cityHistory(db, row.cityId);
    const appealsPublic =
      campaign.phase === 'published' || seesCity(await campaignRoles(db, request.user, campaign.id), row.city);
    // The city's own logo and colour (set by its editors) head its ranking profile too.
    const brand = await cityBrandById(db, row.cityId);
    return reply.page(
      {
        title: `${localName(row.city, request.locale)}: ${request.t('ranking.transparency')}`,
        nav: 'ranking',
        styles: brandStyles(brand),
        body: cityPage(request.pageContext(), board, row, {
          brand,
          scores: await indicatorScores(db, campaign.id, { cityId: row.cityId }),
          files: await evidenceFiles(db, campaign.id, row.cityId),
          appeals: appealsPublic ? await loadAppeals(db, campaign.id, row.cityId) : [],
          years,
          canAppeal: campaign.phase === 'appeals' && request.user !== null,
          appealValues: form.values,
          appealErrors: form.errors,
          notice: form.notice,
        }),
      },
      status,
    );
  }

  app.get<{ Params: { id: number; slug: string }; Querystring: { done?: string } }>(
    '/ranking/campaigns/:id/cities/:slug',
    { schema: { params: cityParams } },
    async (request, reply) =>
      renderCity(request, reply, {
        notice: request.query.done === 'appeal' ? request.t('ranking.appeals.sent') : undefined,
      }),
  );

  app.post<{ Params: { id: number; slug: string } }>(
    '/ranking/campaigns/:id/cities/:slug/appeals',
    {
      preHandler: allow(signedIn),
      schema: { params: cityParams },
      config: { csrf: 'multipart', ...formRateLimit(20) },
    },
    async (request, reply) => {
      const campaign = await getCampaign(db, request.params.id);
      const city = await db.one<{ id: number }>(
        'SELECT c.id FROM cities c JOIN ranking_campaign_cities cc ON cc.city_id = c.id WHERE cc.campaign_id = $1 AND c.slug = $2',
        [campaign.id, request.params.slug],
      );
      if (!city) throw new NotFoundError('this city does not take part in the campaign');
      const evidence = await receiveEvidence(app, request, reply);
      const discard = async () => {
        if (evidence.stored) await app.files.remove(evidence.stored.file.key);
      };
      if (evidence.problem)
        return renderCity(
          request,
          reply,
          { values: evidence.fields, errors: { file: request.t(evidence.problem.message) } },
          evidence.problem.status,
        );
      try {
        await db.transaction(async (tx) => {
          const appealId = await fileAppeal(
            tx,
            actorOf(request),
            request.user!,
            campaign.id,
            city.id,
            evidence.fields.indicator ?? '',
            evidence.fields,
            clock.now(),
            app.config.publicUrl,
          );
          if (evidence.stored && evidence.type) {
            await saveEvidenceFile(tx, {
              campaignId: campaign.id,
              cityId: city.id,
              indicatorCode: evidence.fields.indicator!,
              appealId,
              userId: request.user!.id,
              stored: evidence.stored,
              type: evidence.type,
            });
          }
        });
      } catch (error) {
        await discard();
        if (error instanceof NotFoundError)
          return renderCity(
            request,
            reply,
            { values: evidence.fields, errors: { indicator: request.t('ranking.error.no_indicator') } },
            422,
          );
        if (!(error instanceof ValidationError)) throw error;
        return renderCity(
          request,
          reply,
          { values: evidence.fields, errors: fieldMessages(request.t, error) },
          error.statusCode,
        );
      }
      return reply.redirect(`/ranking/campaigns/${campaign.id}/cities/${request.params.slug}?done=appeal`, 303);
    },
  );

  app.get<{ Params: { id: number; slug: string }; Querystring: { size?: 'narrow' } }>(
    '/ranking/campaigns/:id/cities/:slug/areas.svg',
    { schema: { params: cityParams, querystring: chartSizeQuery } },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      const row = rowOf(board, request.params.slug);
      const ctx = request.pageContext();
      const svg = areasChartSvg(
        board.methodology.areas.map((area) => ({
          label: `${area.code}. ${local(ctx, area.name)}`,
          city: row.areas.find((a) => a.area === area.code)?.percent ?? null,
          average: board.areaMeans.get(area.code) ?? null,
        })),
        { city: localName(row.city, request.locale), average: request.t('ranking.average') },
        request.locale,
        request.query.size === 'narrow',
      );
      // Its numbers and labels are in the reader's language (cookie or Accept-Language): caches keep one per language.
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=60')
        .header('vary', 'Cookie, Accept-Language')
        .send(svg);
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { size?: 'narrow' } }>(
    '/ranking/cities/:slug/dynamics.svg',
    {
      schema: {
        params: {
          type: 'object',
          properties: { slug: { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } },
          required: ['slug'],
        },
        querystring: chartSizeQuery,
      },
    },
    async (request, reply) => {
      const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [request.params.slug]);
      if (!city) throw new NotFoundError('no such city');
      const points = (await cityHistory(db, city.id)).map((y) => ({ year: y.campaign.year, total: y.total }));
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=60')
        .header('vary', 'Cookie, Accept-Language')
        .send(dynamicsChartSvg(points, request.t('ranking.dynamics'), request.locale, request.query.size === 'narrow'));
    },
  );

  app.get<{ Params: { id: number; slug: string } }>(
    '/ranking/campaigns/:id/cities/:slug/recommendations',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      const row = rowOf(board, request.params.slug);
      return reply.page({
        title: request.t('ranking.recommendations.heading', { city: localName(row.city, request.locale) }),
        nav: 'ranking',
        body: recommendationsPage(
          request.pageContext(),
          board,
          row,
          await indicatorScores(db, board.campaign.id, { cityId: row.cityId }),
        ),
      });
    },
  );

  app.get<{ Params: { id: number }; Querystring: { cities?: string | string[] } }>(
    '/ranking/campaigns/:id/compare',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            cities: {
              anyOf: [
                { type: 'string', maxLength: 80 },
                { type: 'array', maxItems: 3, items: { type: 'string', maxLength: 80 } },
              ],
            },
          },
        },
      },
    },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      const wanted = [request.query.cities ?? []].flat().filter(Boolean).slice(0, 3);
      const chosen = wanted
        .map((slug) => board.rows.find((r) => r.city.slug === slug))
        .filter((r): r is BoardRow => r !== undefined);
      const scores = new Map<number, Map<string, Awaited<ReturnType<typeof indicatorScores>>[number]>>();
      for (const r of chosen)
        scores.set(
          r.cityId,
          new Map((await indicatorScores(db, board.campaign.id, { cityId: r.cityId })).map((s) => [s.code, s])),
        );
      return reply.page({
        title: request.t('ranking.compare.title'),
        nav: 'ranking',
        body: comparePage(request.pageContext(), board, chosen, scores),
      });
    },
  );

  app.get<{ Params: { id: number; code: string } }>(
    '/ranking/campaigns/:id/indicators/:code',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: int, code: { type: 'string', maxLength: 20 } },
          required: ['id', 'code'],
        },
      },
    },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      const indicator = indicatorList(board.methodology).find((i) => i.code === request.params.code);
      if (!indicator) throw new NotFoundError('no such indicator in this campaign’s methodology');
      return reply.page({
        title: `${indicator.code}: ${local(request.pageContext(), indicator.question)}`,
        nav: 'ranking',
        body: indicatorPage(
          request.pageContext(),
          board,
          indicator,
          await indicatorScores(db, board.campaign.id, { code: indicator.code }),
        ),
      });
    },
  );

  // The library: full marks with the assessor's description, from published campaigns, 20 a page.
  app.get<{
    Querystring: { q?: string; year?: number; area?: string; city?: string; indicator?: string; offset?: number };
  }>(
    '/ranking/practices',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            year: { type: 'integer', minimum: 1990, maximum: 2100 },
            area: { type: 'string', pattern: '^[A-Za-z0-9._-]{0,20}$' },
            city: { type: 'string', pattern: '^[a-z0-9-]{0,80}$' },
            indicator: { type: 'string', pattern: '^[A-Za-z0-9._-]{0,20}$' },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const filter: PracticeFilter = {
        q: (request.query.q ?? '').trim(),
        year: request.query.year,
        area: request.query.area || undefined,
        city: request.query.city || undefined,
        indicator: request.query.indicator || undefined,
        offset: request.query.offset ?? 0,
        limit: PRACTICES_PER_PAGE,
      };
      return reply.page({
        title: request.t('ranking.practices.title'),
        nav: 'ranking',
        scripts: ['/static/build/facet-panel.js'],
        body: practicesPage(request.pageContext(), filter, await searchPractices(db, filter)),
      });
    },
  );

  // ---- Methodology ----

  app.get('/ranking/methodologies', async (request, reply) => {
    const versions = await db.query<{
      id: number;
      year: number;
      version: string;
      title_uk: string;
      title_en: string;
      title_bg: string;
      demo: boolean;
    }>(
      'SELECT id, year, version, title_uk, title_en, title_bg, demo FROM ranking_methodologies WHERE published_at IS NOT NULL ORDER BY year DESC, id DESC',
    );
    return reply.page({
      title: request.t('ranking.methodologies'),
      nav: 'ranking',
      body: methodologiesPage(
        request.pageContext(),
        versions,
        (await listCampaigns(db)).filter((c) => resultsPublic(c)),
      ),
    });
  });

  app.get<{ Params: { id: number } }>(
    '/ranking/methodologies/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const info = await db.one<{ published_at: Date | null; demo: boolean }>(
        'SELECT published_at, demo FROM ranking_methodologies WHERE id = $1',
        [request.params.id],
      );
      if (!info || (!info.published_at && !request.user?.isAdmin)) throw new NotFoundError('no such methodology');
      const methodology = await methodologyOf(db, request.params.id);
      const campaigns = (await listCampaigns(db)).filter(
        (c) => c.methodology_id === request.params.id && resultsPublic(c),
      );
      return reply.page({
        title: local(request.pageContext(), methodology.title),
        nav: 'ranking',
        body: methodologyPage(request.pageContext(), methodology, {
          id: request.params.id,
          published: info.published_at !== null,
          demo: info.demo,
          campaigns,
          canEdit: request.user?.isAdmin ?? false,
        }),
      });
    },
  );

  app.get<{ Params: { id: number; format: 'json' | 'xlsx' } }>(
    '/ranking/methodologies/:id.:format',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: int, format: { type: 'string', enum: ['json', 'xlsx'] } },
          required: ['id', 'format'],
        },
      },
    },
    async (request, reply) => {
      const info = await db.one<{ published_at: Date | null }>(
        'SELECT published_at FROM ranking_methodologies WHERE id = $1',
        [request.params.id],
      );
      if (!info || (!info.published_at && !request.user?.isAdmin)) throw new NotFoundError('no such methodology');
      const document = await exportMethodology(db, request.params.id);
      if (request.params.format === 'json') {
        return reply
          .type('application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="methodology-${document.version}.json"`)
          .send(document);
      }
      return send(
        reply,
        { columns: METHODOLOGY_COLUMNS, types: METHODOLOGY_COLUMNS.map(() => 'text'), rows: methodologyRows(document) },
        'xlsx',
        `methodology-${document.version}`,
      );
    },
  );

  // ---- Evidence files ----

  app.get<{ Params: { id: number; fid: number } }>(
    '/ranking/campaigns/:id/files/:fid',
    {
      schema: { params: { type: 'object', properties: { id: int, fid: int }, required: ['id', 'fid'] } },
    },
    async (request, reply) => {
      const campaign = await getCampaign(db, request.params.id);
      const file = await db.one<{
        file_key: string;
        mime_type: string;
        file_name: string;
        city_id: number;
        oblast_slug: string;
      }>(
        `SELECT f.file_key, f.mime_type, f.file_name, f.city_id, c.oblast_slug FROM ranking_evidence_files f JOIN cities c ON c.id = f.city_id
       WHERE f.id = $1 AND f.campaign_id = $2`,
        [request.params.fid, campaign.id],
      );
      if (
        !file ||
        (campaign.phase !== 'published' &&
          !seesCity(await campaignRoles(db, request.user, campaign.id), {
            id: file.city_id,
            oblast_slug: file.oblast_slug,
          }))
      ) {
        throw new NotFoundError('no such file');
      }
      reply
        .type(file.mime_type)
        .header('content-disposition', contentDisposition('inline', file.file_name))
        .header('x-content-type-options', 'nosniff');
      return sendStoredFile(request, reply, app.files, file.file_key);
    },
  );

  // ---- Exports ----

  app.get<{ Params: { id: number; format: 'csv' | 'xlsx' | 'json' } }>(
    '/ranking/campaigns/:id/results.:format',
    { schema: { params: formatParams } },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      return send(reply, resultRecords(board), request.params.format, `transparency-${board.campaign.year}-results`);
    },
  );

  app.get<{ Params: { id: number; format: 'csv' | 'xlsx' | 'json' }; Querystring: { city?: string } }>(
    '/ranking/campaigns/:id/scores.:format',
    {
      schema: {
        params: formatParams,
        querystring: { type: 'object', properties: { city: { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } } },
      },
    },
    async (request, reply) => {
      const board = await boardFor(request, request.params.id);
      const city = request.query.city ? rowOf(board, request.query.city) : null;
      const scores = await indicatorScores(db, board.campaign.id, city ? { cityId: city.cityId } : {});
      return send(
        reply,
        scoreRecords(board, scores),
        request.params.format,
        `transparency-${board.campaign.year}-scores${city ? `-${city.city.slug}` : ''}`,
      );
    },
  );

  // ---- API ----

  const campaignJson = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      year: { type: 'integer' },
      title: { type: 'object', properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } } },
      phase: { type: 'string' },
      methodology_id: { type: 'integer' },
      methodology_version: { type: 'string' },
      results_public: { type: 'boolean' },
      published_at: { type: ['string', 'null'], format: 'date-time' },
      demo: { type: 'boolean' },
      cities: { type: 'integer' },
      bands: {
        type: 'array',
        items: { type: 'object', properties: { key: { type: 'string' }, min: { type: 'number' } } },
      },
    },
  } as const;
  const present = (c: Campaign) => ({
    id: c.id,
    year: c.year,
    title: { uk: c.title_uk, en: c.title_en, bg: c.title_bg },
    phase: c.phase,
    methodology_id: c.methodology_id,
    methodology_version: c.methodology_version,
    results_public: resultsPublic(c),
    published_at: c.published_at ? new Date(c.published_at).toISOString() : null,
    demo: c.demo,
    cities: c.city_ids.length,
    bands: c.bands,
  });
  const recordsJson = {
    type: 'object',
    properties: {
      revision: { type: ['integer', 'null'] },
      provisional: { type: 'boolean' },
      items: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
  } as const;

  app.get(
    '/api/v1/ranking/campaigns',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['ranking'],
        operationId: 'listRankingCampaigns',
        summary: 'Transparency-ranking campaigns',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: campaignJson } } },
          ...errorResponses,
        },
      },
    },
    async () => ({ items: (await listCampaigns(db)).map(present) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/ranking/campaigns/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['ranking'],
        operationId: 'getRankingCampaign',
        summary: 'One campaign',
        params: idParams,
        response: { 200: campaignJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => present(await getCampaign(db, request.params.id)),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/ranking/campaigns/:id/results',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['ranking'],
        operationId: 'getRankingResults',
        summary:
          'Each city’s total, place, status, change and area percentages (the published revision, or provisional)',
        params: idParams,
        response: { 200: recordsJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const board = await boardFor(request, request.params.id);
      return {
        revision: board.revision?.revision ?? null,
        provisional: board.revision === null,
        items: asObjects(resultRecords(board)),
      };
    },
  );

  app.get<{ Params: { id: number }; Querystring: { city?: string } }>(
    '/api/v1/ranking/campaigns/:id/scores',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['ranking'],
        operationId: 'getRankingScores',
        summary: 'Every city’s score on every indicator, with comment, recommendation and evidence',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            city: { type: 'string', pattern: '^[a-z0-9-]{1,80}$', description: 'Only this city (its slug).' },
          },
        },
        response: { 200: recordsJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const board = await boardFor(request, request.params.id);
      const city = request.query.city ? rowOf(board, request.query.city) : null;
      return {
        revision: board.revision?.revision ?? null,
        provisional: board.revision === null,
        items: asObjects(
          scoreRecords(board, await indicatorScores(db, board.campaign.id, city ? { cityId: city.cityId } : {})),
        ),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/ranking/methodologies/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['ranking'],
        operationId: 'getRankingMethodology',
        summary: 'A published methodology as its JSON document (the import format)',
        params: idParams,
        response: { 200: { type: 'object', additionalProperties: true }, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (
        !(await db.one('SELECT 1 FROM ranking_methodologies WHERE id = $1 AND published_at IS NOT NULL', [
          request.params.id,
        ]))
      )
        throw new NotFoundError('no such methodology');
      return exportMethodology(db, request.params.id);
    },
  );
}

export const rankingModule = fp(routes, { name: 'ranking', dependencies: ['catalog'] });
