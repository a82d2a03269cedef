// DataStore pages and APIs: upload a file, a resource's page with its load status, report,
// dictionary and preview; the original file and the rows as CSV; CKAN's datastore_search.
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import fp from 'fastify-plugin';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import {
  FileTooLargeError,
  receiveUpload,
  sendStoredFile,
  type ReceivedUpload,
  contentDisposition,
} from '../../platform/files.ts';
import { ValidationError, NotFoundError } from '../../platform/errors.ts';
import { apiRateLimit, uploadRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema } from '../../platform/http/schemas.ts';
import { getDataset, type Dataset } from '../catalog/service.ts';
import { assertCanEditDataset, canEditDataset, canPublishData, visibilityFor } from '../catalog/policy.ts';
import { CkanError, integer, missing, registerCkanAction, text, type Params } from '../catalog/ckan.ts';
import {
  AGGREGATES,
  CHART_TYPES,
  addUploadedResource,
  aggregateDatastore,
  getDatastoreResource,
  latestJob,
  searchDatastore,
  updateDictionary,
  type Aggregate,
  type ChartType,
  DatastoreQueryError,
  type DatastoreQuery,
  type DatastoreResource,
  type DatastoreResult,
  type SortKey,
} from './service.ts';
import {
  coordinateColumns,
  mapsGeoJson,
  resourcePage,
  jobStatus,
  loadFailure,
  loadPending,
  STATUS_REFRESH_SECONDS,
  uploadPage,
  type ChartState,
  type PreviewState,
} from './views.ts';
import { chartSvg, chartTitle, defaultChartGroup } from './chart.ts';
import { checkSelect, SqlRefused } from './sql-guard.ts';
import { SandboxError, SqlSandbox } from './sql-sandbox.ts';
import { writeXlsx } from './xlsx.ts';
import { csvLine, neutraliseFormula, tsvLine } from '../../platform/csv.ts';
import { translator } from '../../platform/i18n/locales.ts';

/** A worksheet holds at most 1,048,576 rows, one of them the header. */
const XLSX_MAX_ROWS = 1_048_575;

const params = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,99}$' },
    id: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  },
} as const;

/** Comma-separated items, as CKAN takes fields and sort keys; an item that holds a comma is written in double quotes. */
function commaItems(value: unknown): string[] {
  return Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? (value.match(/(?:"[^"]*"|[^,])+/g) ?? []).map((s) => s.trim()).filter(Boolean)
      : [];
}

/** DataStore filters are a JSON object of field: value (or a list of values). */
function isFilterObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldList(value: unknown): string[] {
  return commaItems(value).map((name) => name.replace(/^"(.*)"$/, '$1'));
}

/** "field", "field desc", "\"a, b\" asc", "field desc nulls first" (as CKAN's sort clauses). */
function sortList(value: unknown): SortKey[] {
  return commaItems(value).map((item) => {
    const match = /^(?:"([^"]+)"|(.+?))(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i.exec(item)!;
    const nulls = match[4]?.toLowerCase() as SortKey['nulls'];
    return {
      field: (match[1] ?? match[2])!,
      descending: (match[3] ?? '').toLowerCase() === 'desc',
      ...(nulls ? { nulls } : {}),
    };
  });
}

/** CKAN's boolean parameters: true/false, or text as CKAN's asbool reads it (true, yes, on, 1; any case). */
function flag(p: Params, field: string, fallback: boolean): boolean {
  const value = p[field];
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (['true', 'yes', 'on', 'y', 't', '1'].includes(word)) return true;
  if (['false', 'no', 'off', 'n', 'f', '0'].includes(word)) return false;
  throw new CkanError(409, 'Validation Error', `${field}: Not a boolean value`, { [field]: ['Not a boolean value'] });
}

/** The row limit CKAN clamps to (ckan.datastore.search.rows_max, 32000 by default). */
const ROWS_MAX = 32_000;

/** Field types as CKAN's DataStore names them: PostgreSQL's own type names, `int` for the row number. */
const CKAN_TYPES: Record<string, string> = {
  int: 'int',
  integer: 'int8',
  number: 'numeric',
  boolean: 'bool',
  date: 'date',
  datetime: 'timestamp',
  text: 'text',
};
function ckanFields(fields: DatastoreResult['fields']) {
  return fields.map((f) => ({ ...f, type: CKAN_TYPES[f.type] ?? f.type }));
}

const recordsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filters: {
      type: 'string',
      maxLength: 5000,
      description: 'A JSON object of field: value (or a list of values), e.g. {"district":"Сихівський"}.',
    },
    q: { type: 'string', maxLength: 200, description: 'Words to find in the text columns.' },
    sort: {
      type: 'string',
      maxLength: 1000,
      description:
        'Comma-separated fields, each optionally followed by asc or desc; a name with a comma goes in double quotes.',
    },
    fields: {
      type: 'string',
      maxLength: 5000,
      description: 'Comma-separated fields to return (default: all, with _id).',
    },
    limit: {
      type: 'integer',
      minimum: 0,
      maximum: 32000,
      default: 100,
      description: 'How many rows to return (0–32,000).',
    },
    offset: { type: 'integer', minimum: 0, maximum: 100_000_000, default: 0, description: 'How many rows to skip.' },
    include_total: { type: 'boolean', default: true, description: 'Whether to give the number of matching rows.' },
    total_estimation_threshold: {
      type: 'integer',
      minimum: 0,
      description: "Above this many matching rows (by the planner's estimate) the total is estimated, not counted.",
    },
  },
} as const;

const fieldJson = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    info: { type: 'object', properties: { label: { type: 'string' }, notes: { type: 'string' } } },
  },
} as const;

// What each DataStore action does, as help_show returns it.
const DATASTORE_SEARCH =
  'Search a DataStore resource.\n\n:param resource_id: the id of the resource\n:param filters: a dictionary of field: value\n:param q: full text query (a string, or a dictionary of field: query)\n:param full_text: text to find in every field, besides q\n:param plain: false to read q and full_text as PostgreSQL tsquery syntax (default true: the words as typed)\n:param language: the text search configuration for plain=false (default simple)\n:param distinct: return only distinct rows\n:param limit: at most this many records (default 100, at most 32000)\n:param offset: skip this many\n:param fields: the fields to return\n:param sort: e.g. `fieldname desc`, `a asc nulls first, b desc`\n:param include_total: count the total (default true)\n:param total_estimation_threshold: estimate totals above this many rows\n:param records_format: objects, lists, csv or tsv\n:returns: fields, records, total, _links\n:rtype: dictionary';
const DATASTORE_SEARCH_SQL =
  'Run a read-only SQL SELECT over published DataStore resources (tables named by resource id).\n\n:param sql: a single SELECT statement\n:returns: fields and records\n:rtype: dictionary';
const DATASTORE_INFO =
  "Return a DataStore resource's row count and fields with their types and descriptions.\n\n:param id: the id of the resource\n:rtype: dictionary";

async function routes(app: FastifyInstance) {
  const { db } = app;
  await app.register(multipart, {
    limits: { fileSize: app.config.uploadLimitBytes, files: 1, fields: 10, fieldSize: 20_000 },
  });

  const loadDataset = (request: FastifyRequest, name: string) => getDataset(db, name, visibilityFor(request.user));
  /** The resource, if it belongs to a dataset the reader may see. */
  async function loadResource(
    request: FastifyRequest,
    id: string,
  ): Promise<{ dataset: Dataset; resource: DatastoreResource }> {
    const resource = await getDatastoreResource(db, id);
    return { dataset: await loadDataset(request, resource.dataset_name), resource };
  }

  const editor = { preHandler: allow(canPublishData) };

  app.get<{ Params: { name: string } }>(
    '/datasets/:name/resources/upload',
    { ...editor, schema: { params } },
    async (request, reply) => {
      const dataset = await loadDataset(request, request.params.name);
      assertCanEditDataset(request.user, dataset);
      return reply.page({
        title: request.t('datastore.upload_title'),
        nav: 'datasets',
        body: uploadPage(request.pageContext(), dataset, {}, undefined, app.config.uploadLimitBytes),
      });
    },
  );

  // The form's fields come before its file, so the CSRF token is checked before anything is stored.
  app.post<{ Params: { name: string } }>(
    '/datasets/:name/resources/upload',
    {
      ...editor,
      schema: { params },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const dataset = await loadDataset(request, request.params.name);
      assertCanEditDataset(request.user, dataset);
      let fields: Record<string, string> = {};
      let stored: ReceivedUpload['stored'] = null;
      const fail = (message: string, status: number) =>
        reply.page(
          {
            title: request.t('datastore.upload_title'),
            nav: 'datasets',
            body: uploadPage(request.pageContext(), dataset, fields, { file: message }, app.config.uploadLimitBytes),
          },
          status,
        );
      try {
        ({ fields, stored } = await receiveUpload(
          request as never,
          app.files,
          app.config.uploadLimitBytes,
          csrfBeforeFile(app, request, reply),
        ));
      } catch (error) {
        if (error instanceof FileTooLargeError) return fail(request.t('datastore.too_large'), 413);
        throw error;
      }
      if (!stored) return fail(request.t('datastore.no_file'), 422);
      const id = await db.transaction((tx) =>
        addUploadedResource(tx, actorOf(request), dataset, {
          file: stored!.file,
          fileName: stored!.fileName,
          name: (fields.name ?? '').trim().slice(0, 300),
          description: (fields.description ?? '').trim().slice(0, 5000),
        }),
      );
      return reply.redirect(`/datasets/${dataset.name}/resources/${id}`, 303);
    },
  );

  app.get<{ Params: { name: string; id: string }; Querystring: Record<string, string> }>(
    '/datasets/:name/resources/:id',
    { schema: { params } },
    async (request, reply) => {
      const { dataset, resource } = await loadResource(request, request.params.id);
      if (dataset.name !== request.params.name) throw new NotFoundError('resource');
      const query = request.query;
      const filters: Record<string, string> = {};
      for (const [key, value] of Object.entries(query))
        if (key.startsWith('f.') && value) filters[key.slice(2)] = String(value).slice(0, 200);
      const state: PreviewState = {
        sort: query.sort || undefined,
        desc: query.desc === '1',
        filters,
        offset: Math.max(0, Math.min(10_000_000, Number(query.offset) || 0)),
        limit: 25,
      };
      let preview = null;
      if (resource.datastore_table) {
        try {
          preview = {
            state,
            result: await searchDatastore(db, resource, {
              filters,
              sort: state.sort ? [{ field: state.sort, descending: !!state.desc }] : [],
              limit: state.limit,
              offset: state.offset,
            }),
          };
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          preview = {
            state: { ...state, filters: {}, sort: undefined },
            result: await searchDatastore(db, resource, { limit: 25, offset: 0 }),
          };
        }
      }
      let chart: ChartState | { defaultGroup: string | null } | null = null;
      if (resource.datastore_table && !query['chart.group'] && resource.datastore_fields)
        chart = { defaultGroup: await defaultChartGroup(db, resource.datastore_table, resource.datastore_fields) };
      if (resource.datastore_table && query['chart.group']) {
        const state = {
          type: (CHART_TYPES as readonly string[]).includes(query['chart.type'] ?? '')
            ? (query['chart.type'] as ChartType)
            : 'bar',
          group: String(query['chart.group']),
          value: query['chart.value'] || undefined,
          op: (AGGREGATES as readonly string[]).includes(query['chart.op'] ?? '')
            ? (query['chart.op'] as Aggregate)
            : 'count',
        };
        try {
          chart = { ...state, points: await aggregateDatastore(db, resource, state) };
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          chart = { ...state, points: [], error: request.t(error.problems[0]!.message, error.problems[0]!.params) };
        }
      }
      const job = await latestJob(db, resource.id);
      const mapped = mapsGeoJson(resource) || (preview !== null && coordinateColumns(resource) !== null);
      const pending = job !== undefined && loadPending(job);
      return reply.page({
        title: resource.name,
        nav: 'datasets',
        scripts: [
          ...(mapped ? ['/static/build/rows-map.js'] : []),
          ...(pending ? ['/static/build/load-status.js'] : []),
          // On a phone the column filters fold behind their button, so the rows come first.
          ...(preview !== null ? ['/static/build/facet-panel.js'] : []),
        ],
        styles: mapped ? ['/static/vendor/leaflet/leaflet.css'] : [],
        ...(pending ? { refreshSeconds: STATUS_REFRESH_SECONDS } : {}),
        body: resourcePage(
          request.pageContext(),
          dataset,
          resource,
          job,
          preview,
          canEditDataset(request.user, dataset),
          undefined,
          chart,
        ),
      });
    },
  );

  // The state of the resource's latest load, for the page's island to follow it; readable by whoever may see the page.
  app.get<{ Params: { name: string; id: string } }>(
    '/datasets/:name/resources/:id/status',
    { schema: { params } },
    async (request, reply) => {
      const { dataset, resource } = await loadResource(request, request.params.id);
      if (dataset.name !== request.params.name) throw new NotFoundError('resource');
      const job = await latestJob(db, resource.id);
      const ctx = request.pageContext();
      reply.header('cache-control', 'no-store');
      return job
        ? {
            state: job.state,
            pending: loadPending(job),
            progress: job.progress,
            html: String(jobStatus(ctx, job, loadFailure(ctx, resource))),
          }
        : { state: null, pending: false, progress: {}, html: '' };
    },
  );

  const chartQuery = {
    type: 'object',
    additionalProperties: false,
    required: ['group'],
    properties: {
      type: { type: 'string', enum: [...CHART_TYPES], default: 'bar' },
      group: { type: 'string', minLength: 1, maxLength: 200 },
      value: { type: 'string', maxLength: 200 },
      op: { type: 'string', enum: [...AGGREGATES], default: 'count' },
      size: { type: 'string', enum: ['narrow'] },
    },
  } as const;

  app.get<{
    Params: { name: string; id: string };
    Querystring: { type: ChartType; group: string; value?: string; op: Aggregate; size?: 'narrow' };
  }>(
    '/datasets/:name/resources/:id/chart.svg',
    { schema: { params, querystring: chartQuery } },
    async (request, reply) => {
      const { dataset, resource } = await loadResource(request, request.params.id);
      if (dataset.name !== request.params.name) throw new NotFoundError('resource');
      const { type, group, value, op } = request.query;
      const points = await aggregateDatastore(db, resource, { group, value, op });
      const title = chartTitle(request.t, resource.datastore_fields ?? [], { group, value, op });
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=60')
        .header('vary', 'cookie')
        .send(chartSvg(type, points, title, request.locale, request.query.size === 'narrow'));
    },
  );

  app.get<{ Params: { name: string; id: string } }>(
    '/datasets/:name/resources/:id/download',
    { schema: { params } },
    async (request, reply) => {
      const { dataset, resource } = await loadResource(request, request.params.id);
      if (dataset.name !== request.params.name || !resource.file_key) throw new NotFoundError('file');
      const name = resource.file_name ?? 'file';
      reply.type('application/octet-stream').header('content-disposition', contentDisposition('attachment', name));
      return sendStoredFile(request, reply, app.files, resource.file_key);
    },
  );

  app.post<{ Params: { name: string; id: string }; Body: Record<string, unknown> }>(
    '/datasets/:name/resources/:id/dictionary',
    { ...editor, schema: { params } },
    async (request, reply) => {
      const { dataset, resource } = await loadResource(request, request.params.id);
      assertCanEditDataset(request.user, dataset);
      try {
        await db.transaction((tx) => updateDictionary(tx, actorOf(request), resource, request.body));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(
          {
            title: resource.name,
            nav: 'datasets',
            body: resourcePage(request.pageContext(), dataset, resource, await latestJob(db, resource.id), null, true, {
              values: request.body ?? {},
              errors: fieldMessages(request.t, error),
            }),
          },
          422,
        );
      }
      return reply.redirect(`/datasets/${dataset.name}/resources/${resource.id}`, 303);
    },
  );

  // ---- /api/v1 ----
  const resourceParams = {
    type: 'object',
    properties: { id: { type: 'string', format: 'uuid' } },
    required: ['id'],
  } as const;

  app.get<{ Params: { id: string } }>(
    '/api/v1/resources/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['datasets'],
        operationId: 'getResource',
        summary: 'One resource: its file, its DataStore table and its validation report',
        params: resourceParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              dataset: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              format: { type: 'string' },
              url: {
                type: ['string', 'null'],
                description: 'The linked address, or where to download the uploaded file',
              },
              size_bytes: { type: ['integer', 'null'] },
              sha256: { type: ['string', 'null'] },
              datastore: {
                type: ['object', 'null'],
                properties: {
                  rows: { type: 'integer' },
                  fields: { type: 'array', items: fieldJson },
                  records_url: { type: 'string' },
                  dump_url: { type: 'string' },
                },
              },
              validation_report: {
                type: ['object', 'null'],
                additionalProperties: true,
                description: 'Frictionless-style report of the last load',
              },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { resource } = await loadResource(request, request.params.id);
      const base = app.config.publicUrl;
      return {
        id: resource.id,
        dataset: resource.dataset_name,
        name: resource.name,
        description: resource.description,
        format: resource.format,
        url: resource.file_key
          ? `${base}/datasets/${resource.dataset_name}/resources/${resource.id}/download`
          : resource.url,
        size_bytes: resource.size_bytes,
        sha256: resource.sha256,
        datastore:
          resource.datastore_table && resource.datastore_fields
            ? {
                rows: resource.datastore_rows ?? 0,
                fields: [
                  { id: '_id', type: 'int' },
                  ...resource.datastore_fields.map((f) => ({
                    id: f.id,
                    type: f.type,
                    ...(f.label || f.description ? { info: { label: f.label, notes: f.description } } : {}),
                  })),
                ],
                records_url: `${base}/api/v1/resources/${resource.id}/records`,
                dump_url: `${base}/datastore/dump/${resource.id}`,
              }
            : null,
        validation_report: resource.validation_report,
      };
    },
  );

  app.get<{
    Params: { id: string };
    Querystring: {
      filters?: string;
      q?: string;
      sort?: string;
      fields?: string;
      limit: number;
      offset: number;
      include_total: boolean;
      total_estimation_threshold?: number;
    };
  }>(
    '/api/v1/resources/:id/records',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['datasets'],
        operationId: 'queryRecords',
        summary: "Query a resource's DataStore rows: filters, full-text q, sort, fields, paging, total",
        params: resourceParams,
        querystring: recordsQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              fields: { type: 'array', items: fieldJson },
              records: { type: 'array', items: { type: 'object', additionalProperties: true } },
              total: { type: 'integer' },
              total_was_estimated: { type: 'boolean' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              next: { type: ['string', 'null'], description: 'The next page, while there may be one' },
            },
          },
          404: problemSchema,
          422: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { resource } = await loadResource(request, request.params.id);
      if (!resource.datastore_table) throw new NotFoundError('this resource has no DataStore table');
      const { query } = request;
      const result = await searchDatastore(db, resource, {
        filters: filtersParam(query.filters),
        q: query.q,
        sort: sortList(query.sort),
        fields: fieldList(query.fields),
        limit: query.limit,
        offset: query.offset,
        includeTotal: query.include_total,
        ...(query.total_estimation_threshold === undefined
          ? {}
          : { totalEstimationThreshold: query.total_estimation_threshold }),
      });
      const more =
        result.records.length === query.limit && (result.total === null || query.offset + query.limit < result.total);
      const next = new URLSearchParams(
        Object.entries({ ...query, offset: query.offset + query.limit }).map(([k, v]) => [k, String(v)]),
      );
      return {
        fields: result.fields,
        records: result.records,
        ...(result.total === null ? {} : { total: result.total }),
        total_was_estimated: result.totalWasEstimated,
        limit: query.limit,
        offset: query.offset,
        next: more ? `${app.config.publicUrl}/api/v1/resources/${resource.id}/records?${next}` : null,
      };
    },
  );

  // CKAN's dump: the rows as CSV, TSV, JSON (CKAN's {"fields", "records"} of lists), XML (CKAN's
  // <data><row _id>) or XLSX, with datastore_search's filters, q, fields, sort and distinct, from
  // offset up to limit. Streamed page by page: in _id order by keyset (a million rows cost no more
  // per page than ten), in another order by offset pages of CKAN's size; memory holds one page.
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    '/datastore/dump/:id',
    {
      schema: { params },
      // Errors come in CKAN's envelope, before any byte of the download.
      errorHandler: (error, _request, reply) => {
        const ckan = dumpError(error);
        if (!(ckan instanceof CkanError)) throw error;
        return reply
          .code(ckan.status)
          .type('application/json; charset=utf-8')
          .send({
            help: `${app.config.publicUrl}/api/3/action/help_show?name=datastore_search`,
            success: false,
            error: { __type: ckan.type, message: ckan.message, ...ckan.fields },
          });
      },
    },
    async (request, reply) => {
      const p = request.query as Params;
      const resource = await loadResource(request, request.params.id).then(
        ({ resource }) => resource,
        () => null,
      );
      if (!resource?.datastore_table) throw new CkanError(404, 'Not Found Error', 'DataStore resource not found');
      const format = text(p, 'format') ?? 'csv';
      if (!['csv', 'tsv', 'json', 'xml', 'xlsx'].includes(format))
        throw new CkanError(400, 'Validation Error', 'format: Value must be one of csv, tsv, json, xml, xlsx', {
          format: ['Value must be one of csv, tsv, json, xml, xlsx'],
        });
      const bom = flag(p, 'bom', false);
      const limitText = text(p, 'limit');
      if (limitText !== undefined && !/^\d{1,15}$/.test(limitText))
        throw new CkanError(400, 'Validation Error', 'limit: Must be a natural number', {
          limit: ['Must be a natural number'],
        });
      const query = datastoreQuery({ ...p, limit: undefined, include_total: false });
      const wanted = format === 'xlsx' ? XLSX_MAX_ROWS : limitText === undefined ? Infinity : Number(limitText);
      const bySortedId = !query.distinct && (query.sort ?? []).every((s) => s.field === '_id' && !s.descending);
      const asked = query.fields?.length ? query.fields : undefined;
      const withId = asked && !asked.includes('_id') && bySortedId ? ['_id', ...asked] : asked;
      const pageSize = bySortedId ? DUMP_PAGE : ROWS_MAX;
      const page = (offset: number, afterId?: number, size = pageSize) =>
        searchDatastore(db, resource, {
          ...query,
          ...(withId ? { fields: withId } : {}),
          sort: bySortedId ? [] : query.sort,
          limit: size,
          offset,
          includeTotal: false,
          ...(afterId === undefined ? {} : { afterId }),
        }).catch((error: Error) => {
          throw error instanceof DatastoreQueryError ? dumpError(error) : error;
        });
      // The first page is read before the answer starts, so that a parameter the table cannot
      // take is an error, not a download cut off after its headers.
      const first = await page(query.offset, undefined, Math.min(pageSize, wanted));
      // The spreadsheet, for people, has no row number column unless asked for.
      const fields = ckanFields(first.fields).filter((f) =>
        asked ? asked.includes(f.id) : format !== 'xlsx' || f.id !== '_id',
      );
      const ids = fields.map((f) => f.id);
      async function* pages() {
        let records = first.records;
        let offset = query.offset;
        for (let read = 0; read < wanted; ) {
          yield records.slice(0, wanted - read);
          read += records.length;
          offset += records.length;
          if (records.length < pageSize || read >= wanted) break;
          const size = Math.min(pageSize, wanted - read);
          records = bySortedId
            ? (await page(0, records.at(-1)!._id as number, size)).records
            : (await page(offset, undefined, size)).records;
        }
      }
      const disposition = `attachment; filename="${resource.id}.${format}"`;
      if (format === 'xlsx') {
        // fflate hands over zipped chunks as the sheet is written; reading pauses while the client is behind.
        const out = new PassThrough();
        const types = first.fields
          .filter((f) => ids.includes(f.id))
          .map((f) => (f.type === 'int' ? 'integer' : f.type));
        async function* rows() {
          for await (const records of pages()) {
            for (const record of records) yield ids.map((id) => record[id]);
            if (out.writableNeedDrain) await once(out, 'drain');
          }
        }
        writeXlsx(resource.name, ids, types, rows(), neutraliseFormula, (chunk) => out.write(chunk)).then(
          () => out.end(),
          (error: Error) => out.destroy(error),
        );
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', disposition)
          .send(out);
      }
      const writer = dumpWriter(format as DumpFormat, fields);
      async function* body() {
        yield (bom ? '\ufeff' : '') + writer.start;
        for await (const records of pages()) yield records.map(writer.record).join('');
        yield writer.end;
      }
      return reply
        .type(DUMP_TYPES[format as DumpFormat])
        .header('content-disposition', disposition)
        .send(Readable.from(body()));
    },
  );

  /** The `filters` query parameter of the records API and the dump: a JSON object of field: value. */
  function filtersParam(text: string | undefined): Record<string, unknown> | undefined {
    if (!text) return undefined;
    let filters: unknown;
    try {
      filters = JSON.parse(text);
    } catch {
      filters = null;
    }
    if (!isFilterObject(filters))
      throw new ValidationError([{ field: 'filters', message: 'validation.filters_json', in: 'query' }]);
    return filters as Record<string, unknown>;
  }

  /** datastore_search's parameters (and the dump's), as CKAN takes them, checked. */
  function datastoreQuery(p: Params): DatastoreQuery {
    const invalid = (field: string, problem: string) =>
      new CkanError(409, 'Validation Error', `${field}: ${problem}`, { [field]: [problem] });
    const parseJson = (field: string): unknown => {
      const value = p[field];
      if (value === undefined || value === '') return undefined;
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        if (field === 'fields' || field === 'sort' || field === 'q') return value;
        throw invalid(field, 'Must be a JSON object');
      }
    };
    const filters = parseJson('filters');
    if (filters !== undefined && !isFilterObject(filters))
      throw invalid('filters', 'Must be a JSON object of field: value');
    // q is text, or a JSON object of field: text (CKAN's unicode_or_json_validator).
    const rawQ = parseJson('q');
    let q: DatastoreQuery['q'];
    if (isFilterObject(rawQ)) {
      if (Object.values(rawQ).some((v) => typeof v !== 'string' && typeof v !== 'number'))
        throw invalid('q', 'Each field must be given text to find');
      q = Object.fromEntries(Object.entries(rawQ).map(([k, v]) => [k, String(v).slice(0, 200)]));
    } else if (rawQ !== undefined && rawQ !== null) {
      if (typeof rawQ === 'object') throw invalid('q', 'Must be text or a JSON object of field: text');
      q = (typeof p.q === 'string' ? p.q : String(rawQ)).slice(0, 200);
    }
    const threshold = p.total_estimation_threshold;
    const limit = text(p, 'limit');
    if (limit !== undefined && !/^\s*\d{1,15}\s*$/.test(limit)) throw invalid('limit', 'Must be a natural number');
    const language = text(p, 'language', 100);
    const fullText = text(p, 'full_text', 200);
    return {
      filters: filters as Record<string, unknown> | undefined,
      ...(q === undefined || q === '' ? {} : { q }),
      ...(fullText ? { fullText } : {}),
      plain: flag(p, 'plain', true),
      ...(language ? { language } : {}),
      fields: fieldList(parseJson('fields')),
      sort: sortList(parseJson('sort')),
      // Above the maximum, the maximum: CKAN clamps rather than refusing.
      limit: limit === undefined ? 100 : Math.min(Number(limit), ROWS_MAX),
      offset: integer(p, 'offset', 0, 0, 100_000_000),
      includeTotal: flag(p, 'include_total', true),
      ...(threshold === undefined || threshold === null || threshold === '' || threshold === 'null'
        ? {}
        : { totalEstimationThreshold: integer(p, 'total_estimation_threshold', 0, 0, Number.MAX_SAFE_INTEGER) }),
      distinct: flag(p, 'distinct', false),
    };
  }

  /**
   * CKAN's `_links`: the same call from the first page and for the next one, keeping every
   * parameter given (a JSON body's lists and objects as JSON text, which GET reads back).
   */
  function pageLinks(request: FastifyRequest, p: Params, offset: number, limit: number) {
    const path = request.url.split('?')[0]!;
    const args = new URLSearchParams();
    for (const [key, value] of Object.entries(p))
      if (key !== 'offset' && value !== undefined && value !== null)
        args.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    const at = (offset: number) => {
      const page = new URLSearchParams(args);
      page.set('offset', String(offset));
      return `${path}?${page}`;
    };
    return {
      start: `${path}?${args}`,
      next: at(offset + limit),
      ...(offset > 0 ? { prev: at(Math.max(0, offset - limit)) } : {}),
    };
  }

  /** The resource a CKAN datastore action names, if the caller may read it and it has a table. */
  async function loadTable(p: Params, request: FastifyRequest, ...names: string[]): Promise<DatastoreResource> {
    const id = names.map((name) => text(p, name)).find(Boolean);
    if (!id) throw missing(names[0]!);
    const { resource } = await loadResource(request, id).catch(() => {
      throw new CkanError(404, 'Not Found Error', `Resource "${id}" was not found.`);
    });
    if (!resource.datastore_table)
      throw new CkanError(404, 'Not Found Error', `Resource "${id}" has no DataStore table.`);
    return resource;
  }

  registerCkanAction(app, 'datastore_search', { help: DATASTORE_SEARCH }, async (p, request) => {
    const resource = await loadTable(p, request, 'resource_id', 'id');
    const query = datastoreQuery(p);
    const recordsFormat = text(p, 'records_format') ?? 'objects';
    if (!['objects', 'lists', 'csv', 'tsv'].includes(recordsFormat))
      throw new CkanError(409, 'Validation Error', 'records_format', {
        records_format: ['Use objects, lists, csv or tsv'],
      });
    const result = await searchDatastore(db, resource, query).catch((error: Error) => {
      throw error instanceof DatastoreQueryError
        ? new CkanError(409, 'Validation Error', `${error.field}: ${error.message}`, { [error.field]: [error.message] })
        : error;
    });
    const ids = result.fields.map((f) => f.id);
    const line = recordsFormat === 'tsv' ? tsvLine : csvLine;
    const records =
      recordsFormat === 'objects'
        ? result.records
        : recordsFormat === 'lists'
          ? result.records.map((r) => ids.map((f) => r[f]))
          : result.records.map((r) => line(ids.map((f) => r[f]))).join('');
    return {
      resource_id: resource.id,
      fields: ckanFields(result.fields),
      records,
      records_format: recordsFormat,
      ...(result.total === null ? {} : { total: result.total }),
      total_was_estimated: result.totalWasEstimated,
      include_total: query.includeTotal,
      total_estimation_threshold: query.totalEstimationThreshold ?? null,
      limit: query.limit,
      offset: query.offset,
      ...(query.q === undefined ? {} : { q: query.q }),
      ...(query.filters === undefined ? {} : { filters: query.filters }),
      ...(query.sort?.length ? { sort: p.sort } : {}),
      ...(query.distinct ? { distinct: true } : {}),
      _links: pageLinks(request, p, query.offset, query.limit),
    };
  });

  // datastore_search_sql: the guard decides what may run, the caller's rights decide which
  // resources, and the sandbox runs it as a role that can read only published resources.
  const sqlSandbox = new SqlSandbox(app.config.datastoreReadUrl, { poolSize: app.config.sqlPoolSize });
  app.addHook('onClose', () => sqlSandbox.close());
  registerCkanAction(app, 'datastore_search_sql', { help: DATASTORE_SEARCH_SQL }, async (p, request) => {
    const sql = text(p, 'sql');
    if (!sql?.trim()) throw missing('sql');
    if (sql.length > 20_000)
      throw new CkanError(409, 'Validation Error', 'sql', { sql: ['At most 20,000 characters'] });
    const unavailable = sqlSandbox.unavailable(db);
    if (unavailable) throw sandboxError(new SandboxError(unavailable));
    const resourceIds = await checkSelect(sql).then(
      (checked) => checked.resourceIds,
      (error: Error) => {
        throw error instanceof SqlRefused
          ? new CkanError(409, 'Validation Error', `sql: ${error.message}`, { sql: [error.message] })
          : error;
      },
    );
    const resources: DatastoreResource[] = [];
    for (const id of resourceIds) {
      const { dataset, resource } = await loadResource(request, id).catch(() => {
        throw new CkanError(404, 'Not Found Error', `Resource "${id}" was not found.`);
      });
      if (!resource.datastore_table)
        throw new CkanError(404, 'Not Found Error', `Resource "${id}" has no DataStore table.`);
      if (dataset.state !== 'published') {
        throw new CkanError(
          403,
          'Authorization Error',
          `Resource "${id}" is not public: datastore_search_sql reads published resources only (use datastore_search).`,
        );
      }
      resources.push(resource);
    }
    const client = request.user ? `user:${request.user.id}` : `address:${request.ip}`;
    const result = await sqlSandbox.run(db, client, sql, resources).catch((error: Error) => {
      throw error instanceof SandboxError ? sandboxError(error) : error;
    });
    return {
      sql,
      records: result.records,
      fields: result.fields,
      ...(result.truncated ? { records_truncated: true } : {}),
    };
  });

  registerCkanAction(app, 'datastore_info', { help: DATASTORE_INFO }, async (p, request) => {
    const resource = await loadTable(p, request, 'id', 'resource_id');
    return {
      meta: { count: resource.datastore_rows, table_type: 'BASE TABLE' },
      fields: (resource.datastore_fields ?? []).map((f) => ({
        id: f.id,
        type: CKAN_TYPES[f.type] ?? f.type,
        info: { label: f.label ?? '', notes: f.description ?? '' },
      })),
    };
  });
}

/** Rows per page of a dump in _id order (keyset paging); in another order, pages are CKAN's 32,000. */
const DUMP_PAGE = 5000;

type DumpFormat = 'csv' | 'tsv' | 'json' | 'xml';
const DUMP_TYPES: Record<DumpFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/**
 * How CKAN's writers (ckanext/datastore/writer.py) lay a dump out: a header line of field ids for
 * CSV and TSV (text that could be a spreadsheet formula neutralised); for JSON
 * `{"fields": [...], "records": [[...], ...]}`; for XML `<data>` with one `<row _id="…">` per record,
 * each value an element named after its field (made a valid XML name), null as `xsi:nil`.
 */
function dumpWriter(format: DumpFormat, fields: { id: string; type: string }[]) {
  const ids = fields.map((f) => f.id);
  if (format === 'csv' || format === 'tsv') {
    const line = format === 'tsv' ? tsvLine : csvLine;
    return { start: line(ids), record: (r: Record<string, unknown>) => line(ids.map((id) => r[id])), end: '' };
  }
  if (format === 'json') {
    let first = true;
    return {
      start: `{\n  "fields": ${JSON.stringify(fields)},\n  "records": [`,
      record: (r: Record<string, unknown>) => {
        const item = `${first ? '\n    ' : ',\n    '}${JSON.stringify(ids.map((id) => r[id]))}`;
        first = false;
        return item;
      },
      end: '\n]}\n',
    };
  }
  const idColumn = ids[0] === '_id';
  const columns = idColumn ? ids.slice(1) : ids;
  const names = new Map<string, string>();
  for (const id of columns) {
    const base = xmlName(id);
    let name = base;
    for (let n = 0; [...names.values()].includes(name); n++) name = `${base}_${n}`;
    names.set(id, name);
  }
  const value = (v: unknown) =>
    escapeXml(typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return {
    start: '<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n',
    record: (r: Record<string, unknown>) =>
      `<row${idColumn ? ` _id="${r._id}"` : ''}>${columns
        .map((id) => {
          const name = names.get(id)!;
          return r[id] === null || r[id] === undefined
            ? `<${name} xsi:nil="true" />`
            : `<${name}>${value(r[id])}</${name}>`;
        })
        .join('')}</row>\n`,
    end: '</data>\n',
  };
}

/** A field id as an XML element name, by CKAN's rules: no leading "xml" or digits, _ for spaces, only letters, digits, _ . -. */
function xmlName(id: string): string {
  return id
    .normalize('NFC')
    .replace(/^(\d*xml\d*|\d+)/i, '')
    .replace(/\s+/g, '_')
    .replace(/[^\p{L}\p{N}_.-]/gu, '')
    .replace(/^[\d.-]+/, '');
}

function escapeXml(text: string): string {
  return text.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '',
  );
}

/** A dump's error in CKAN's envelope: bad parameters 400 as CKAN's dump answers them, a resource not readable 404. */
function dumpError(error: unknown): CkanError | unknown {
  if (error instanceof CkanError)
    return error.status === 409 ? new CkanError(400, error.type, error.message, error.fields) : error;
  if (error instanceof DatastoreQueryError)
    return new CkanError(400, 'Validation Error', `${error.field}: ${error.message}`, {
      [error.field]: [error.message],
    });
  if (error instanceof ValidationError) {
    const t = translator('en');
    const fields: Record<string, string[]> = {};
    for (const problem of error.problems) (fields[problem.field] ??= []).push(t(problem.message, problem.params));
    const message = Object.entries(fields)
      .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
      .join('\n');
    return new CkanError(400, 'Validation Error', message, fields);
  }
  if (error instanceof NotFoundError) return new CkanError(404, 'Not Found Error', 'DataStore resource not found');
  return error;
}

/** A sandbox failure in CKAN's error shape, saying what the client can do about it. */
function sandboxError(error: SandboxError): CkanError {
  const failure = error.failure;
  switch (failure.code) {
    case 'unavailable':
      return new CkanError(
        503,
        'Service Unavailable',
        failure.reason === 'embedded'
          ? 'datastore_search_sql needs a PostgreSQL server (DATABASE_URL): the embedded database cannot stop a slow query. Use datastore_search, or run on PostgreSQL.'
          : 'datastore_search_sql is not configured: the operator has not set DATASTORE_READ_URL.',
      );
    case 'busy':
      return new CkanError(
        failure.reason === 'client' ? 429 : 503,
        'Busy',
        failure.reason === 'client'
          ? 'One SQL query at a time per client: wait for the previous one to finish.'
          : 'Every SQL connection is busy: try again in a few seconds.',
      );
    case 'sql_error':
      return new CkanError(409, 'Validation Error', `sql: ${failure.message}`, { sql: [failure.message] });
  }
}

export const datastoreModule = fp(routes, { name: 'datastore' });

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'multipart': the route checks the CSRF token from its form fields itself. */
    csrf?: 'multipart';
  }
}
