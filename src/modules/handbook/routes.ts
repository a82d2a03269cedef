// The handbook: contents and search, chapters, the printable book, history and old revisions,
// the editor (editors and admins, policy.ts), and /api/v1.
import fp from 'fastify-plugin';
import { hubCard } from '../../platform/sections.ts';
import type { FastifyInstance } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import { isLocale, type Locale } from '../../platform/i18n/locales.ts';
import { canEditHandbook } from './policy.ts';
import {
  chapterHistory,
  getChapter,
  getRevision,
  listChapters,
  parseChapterInput,
  saveChapter,
  searchHandbook,
} from './service.ts';
import { chapterPage, contentsPage, editorPage, historyPage, printPage, revisionPage } from './views.ts';

const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,79}$' } },
} as const;
const revisionParams = {
  type: 'object',
  required: ['slug', 'id'],
  properties: { ...slugParams.properties, id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
} as const;
const localeQuery = {
  type: 'object',
  properties: { locale: { type: 'string', enum: ['uk', 'en', 'bg'] } },
} as const;

async function routes(app: FastifyInstance) {
  app.sections.add('community', {
    id: 'handbook',
    order: 60,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM handbook_chapters`, []))!.n;
      return hubCard({
        id: 'handbook',
        title: request.t('handbook.hub.title'),
        href: '/handbook',
        figure: request.t('handbook.hub.figure', { count: n }),
        text: request.t('handbook.hub.text'),
      });
    },
  });
  const { db } = app;
  const editor = { preHandler: allow(canEditHandbook) };
  const canEdit = (user: Parameters<typeof canEditHandbook>[0] | null) => user !== null && canEditHandbook(user);

  app.get<{ Querystring: { q?: string } }>(
    '/handbook',
    { schema: { querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const q = (request.query.q ?? '').trim();
      return reply.page({
        title: request.t('handbook.title'),
        nav: 'datasets',
        body: contentsPage(
          request.pageContext(),
          await listChapters(db, request.locale),
          q,
          q ? await searchHandbook(db, request.locale, q) : null,
          canEdit(request.user),
        ),
      });
    },
  );

  app.get('/handbook/print', async (request, reply) =>
    reply.page({
      title: request.t('handbook.title'),
      nav: 'datasets',
      body: printPage(request.pageContext(), await listChapters(db, request.locale)),
    }),
  );

  app.get('/handbook/new', editor, async (request, reply) =>
    reply.page({
      title: request.t('handbook.new'),
      nav: 'datasets',
      body: editorPage(
        request.pageContext(),
        { locale: request.locale, position: 100 },
        undefined,
        null,
        request.locale,
      ),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/handbook/new',
    { ...editor, config: formRateLimit(60) },
    async (request, reply) =>
      submitForm(request, reply, {
        title: request.t('handbook.new'),
        action: async () => {
          const input = parseChapterInput(request.body);
          await db.transaction((tx) => saveChapter(tx, actorOf(request), input, true));
          return `/handbook/${input.slug}`;
        },
        form: (errors) =>
          editorPage(request.pageContext(), request.body ?? {}, errors, null, String(request.body?.locale ?? 'uk')),
      }),
  );

  app.get<{ Params: { slug: string } }>(
    '/handbook/:slug',
    { schema: { params: slugParams } },
    async (request, reply) => {
      const chapter = await getChapter(db, request.params.slug, request.locale);
      return reply.page({
        title: chapter.title,
        nav: 'datasets',
        body: chapterPage(request.pageContext(), chapter, canEdit(request.user)),
      });
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/handbook/:slug/history',
    { schema: { params: slugParams } },
    async (request, reply) => {
      const chapter = await getChapter(db, request.params.slug, request.locale);
      return reply.page({
        title: request.t('handbook.history_of', { title: chapter.title }),
        nav: 'datasets',
        body: historyPage(request.pageContext(), chapter.slug, chapter.title, await chapterHistory(db, chapter.slug)),
      });
    },
  );

  app.get<{ Params: { slug: string; id: number } }>(
    '/handbook/:slug/revisions/:id',
    { schema: { params: revisionParams } },
    async (request, reply) => {
      const revision = await getRevision(db, request.params.slug, request.params.id);
      return reply.page({
        title: revision.title,
        nav: 'datasets',
        body: revisionPage(request.pageContext(), request.params.slug, revision),
      });
    },
  );

  app.get<{ Params: { slug: string }; Querystring: { locale?: Locale } }>(
    '/handbook/:slug/edit',
    { ...editor, schema: { params: slugParams, querystring: localeQuery } },
    async (request, reply) => {
      const locale = request.query.locale ?? request.locale;
      const chapter = await getChapter(db, request.params.slug, locale);
      return reply.page({
        title: request.t('handbook.edit'),
        nav: 'datasets',
        body: editorPage(
          request.pageContext(),
          { title: chapter.title, body: chapter.body },
          undefined,
          chapter.slug,
          locale,
        ),
      });
    },
  );

  app.post<{ Params: { slug: string }; Querystring: { locale?: Locale }; Body: Record<string, unknown> }>(
    '/handbook/:slug/edit',
    { ...editor, schema: { params: slugParams, querystring: localeQuery }, config: formRateLimit(60) },
    async (request, reply) => {
      const locale = request.query.locale && isLocale(request.query.locale) ? request.query.locale : request.locale;
      const chapter = await getChapter(db, request.params.slug, locale);
      return submitForm(request, reply, {
        title: request.t('handbook.edit'),
        action: async () => {
          const input = parseChapterInput(request.body, { slug: chapter.slug, locale });
          await db.transaction((tx) => saveChapter(tx, actorOf(request), input, false));
          return `/handbook/${chapter.slug}`;
        },
        form: (errors) => editorPage(request.pageContext(), request.body ?? {}, errors, chapter.slug, locale),
      });
    },
  );

  app.get<{ Querystring: { locale?: Locale } }>(
    '/api/v1/handbook',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['handbook'],
        operationId: 'listHandbookChapters',
        summary: 'The handbook’s chapters in one language (Ukrainian where the language has none yet), as Markdown',
        querystring: localeQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    slug: { type: 'string' },
                    locale: { type: 'string' },
                    title: { type: 'string' },
                    markdown: { type: 'string' },
                    revision: { type: 'integer' },
                    updated_at: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: (await listChapters(db, request.query.locale ?? 'uk')).map((c) => ({
        slug: c.slug,
        locale: c.locale,
        title: c.title,
        markdown: c.body,
        revision: Number(c.revision_id),
        updated_at: new Date(c.created_at).toISOString(),
      })),
    }),
  );
}

export const handbookModule = fp(routes, { name: 'handbook' });
