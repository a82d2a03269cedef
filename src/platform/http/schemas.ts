// JSON-schema pieces reused by API routes; Fastify validates requests and serialises responses
// with them, and @fastify/swagger publishes them in the OpenAPI document.

export const paginationQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'How many items to return (1–500).' },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'How many items to skip.' },
} as const;

/** The query of an admin list page: where the page starts, and the "saved" notice after a change. */
export const adminListQuery = {
  type: 'object',
  properties: { offset: paginationQuery.offset, saved: { type: 'string', maxLength: 100 } },
} as const;

export function pageOf(item: object) {
  return {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: item },
      total: { type: 'integer', description: 'How many items match, over all pages.' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  } as const;
}

export const localizedText = {
  type: 'object',
  required: ['uk', 'en', 'bg'],
  properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } },
} as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, in: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

export const errorResponses = {
  400: { ...problemSchema, description: 'Invalid parameters' },
  429: { ...problemSchema, description: 'Too many requests' },
} as const;

export const slugParam = { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } as const;
