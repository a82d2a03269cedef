// How @fastify/swagger turns the route schemas into the published OpenAPI 3.1 document, in one
// place rather than in every route: which routes belong in it (/api/v1 only), the document's
// header (licence, the configured public address, the token scheme, optional on public reads),
// and the error answers as the platform serves them: RFC 9457 problem details in
// application/problem+json, including the 401 every /api/v1 call gets for an unknown token and
// the 429 of a rate-limited route. The CKAN Action API (/api/3/action, CKAN's own envelope in
// application/json) and the DCAT endpoints follow other specifications and are described on
// /api/docs instead.
import type { SwaggerOptions } from '@fastify/swagger';
import type { Config } from '../../platform/config.ts';
import { problemSchema } from '../../platform/http/schemas.ts';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The problem details every /api/v1 error is (platform/http/context.ts `reply.problem`). */
const problemComponent = {
  type: 'object',
  description: 'RFC 9457 problem details; further members may be added.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', description: 'A URI reference naming the kind of problem; `about:blank` for plain HTTP.' },
    title: { type: 'string', description: 'Short summary of the kind of problem.' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code.' },
    detail: { type: 'string', description: 'What went wrong with this request.' },
    instance: { type: 'string', description: 'The request path and query that answered this.' },
    errors: {
      type: 'array',
      description: 'One entry per refused parameter or field.',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: {
          pointer: { type: 'string', description: 'JSON pointer to the parameter or field, e.g. `/limit`.' },
          in: { type: 'string', description: 'Where it was: query(string), path (params) or body.' },
          detail: { type: 'string', description: 'What is wrong with it.' },
        },
      },
    },
  },
} as const;

/** What each error status means on this API, unless the route says it more precisely. */
const STATUS_TEXT: Record<string, string> = {
  '400': 'Invalid parameters: each is named in `errors` with where it was',
  '401': 'The token in the Authorization header is unknown or revoked',
  '403': 'The token’s owner may not do this',
  '404': 'Not found',
  '409': 'Conflicts with the current state',
  '422': 'The input breaks a rule; each problem is named in `errors`',
  '429': 'Too many requests: wait as the Retry-After header says',
};

const DEFAULT_DESCRIPTION = 'Default Response';

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}
interface OperationObject {
  summary?: string;
  responses?: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}
interface Document {
  paths?: Record<string, Record<string, OperationObject>>;
}

/** Answers in the document as they are served: errors as problem details; each with a useful description. */
export function documentProblems(document: Document): Document {
  for (const methods of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(methods)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) {
          // fastify-swagger's placeholder says nothing; the operation's summary says what comes back.
          if (response.description === DEFAULT_DESCRIPTION) response.description = operation.summary ?? 'OK';
          continue;
        }
        const description =
          response.description && response.description !== DEFAULT_DESCRIPTION
            ? response.description
            : (STATUS_TEXT[status] ?? 'Error');
        operation.responses![status] = {
          ...response,
          description,
          content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
          ...(status === '429' ? { headers: { 'Retry-After': retryAfter } } : {}),
        };
      }
    }
  }
  return document;
}

const retryAfter = {
  description: 'Seconds to wait before the next call.',
  schema: { type: 'integer', minimum: 0 },
} as const;

type RouteSchema = { hide?: boolean; response?: Record<string, unknown> } & Record<string, unknown>;

export function openApiOptions(config: Config): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hromada API',
        version: '1.0.0',
        description:
          'Public, machine-readable facts about cities: their organisations, open data (catalog, resources and DataStore rows), e-petitions, participatory budgets and the transparency ranking. Anonymous calls are allowed with a lower rate limit; send `Authorization: Bearer <token>` with a personal token from your account page (CKAN-style `Authorization: <token>` works too). Errors are RFC 9457 problem details (`application/problem+json`). The CKAN Action API (`/api/3/action/…`) and the DCAT-AP catalogue (`/catalog.ttl`, `.jsonld`, `.rdf`) are described at `/api/docs`.',
        license: { name: 'GNU Affero General Public License v3.0 or later', identifier: 'AGPL-3.0-or-later' },
      },
      externalDocs: {
        description:
          'The reference in Ukrainian, English and Bulgarian, with the CKAN Action API and DCAT-AP endpoints',
        url: `${config.publicUrl}/api/docs`,
      },
      servers: [{ url: config.publicUrl, description: 'This installation' }],
      // Public reads take a token or none (a token raises the rate limit); operations that need
      // one say so with their own `security`.
      security: [{}, { bearerAuth: [] }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A personal API token (`hmd_…`) created on the account page.',
          },
        },
        schemas: { Problem: problemComponent as unknown as Record<string, unknown> },
      },
    },
    // Only /api/v1 belongs in the document; pages, forms and the CKAN API are not part of it.
    // Every /api/v1 call may get 400 and 401 (platform/http/input.ts, context.ts), and a
    // rate-limited one 429.
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/api/v1')) return { schema: { ...schema, hide: true }, url };
      const own = (schema ?? {}) as RouteSchema;
      if (own.hide) return { schema: own, url };
      const response = { ...(own.response ?? {}) };
      // Any query that is not UTF-8 or repeats a parameter is refused before the route runs.
      response['400'] ??= problemSchema;
      response['401'] ??= problemSchema;
      if (route.config && 'rateLimit' in route.config) response['429'] ??= problemSchema;
      return { schema: { ...own, response }, url };
    },
    transformObject: (documentObject) => {
      const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      return documentProblems(document as Document) as typeof document;
    },
  };
}
