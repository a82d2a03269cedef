// Data requests: the public list (/data-requests), a request's page, asking and editing, the
// city's answers, comments, following, moderation, per-city statistics, the CSV export that the
// city's open-data dataset points at, /api/v1/data-requests and the CKAN actions
// (datarequest_index, datarequest_show). Who may do what is decided in policy.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvLine } from '../../platform/csv.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, fieldMessages } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, pageOf, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import type { FieldValues } from '../../platform/html/fields.ts';
import { html } from '../../platform/html/html.ts';
import {
  assertCanAnswer,
  assertCanEditRequest,
  canAnswer,
  canAsk,
  canComment,
  canEditRequest,
  canModerate,
  canSee,
} from './policy.ts';
import {
  addComment,
  answerRequest,
  answerWorkingDays,
  cityStats,
  createRequest,
  DECLINE_REASONS,
  follow,
  getRequest,
  isFollowing,
  isOverdue,
  listComments,
  listRequests,
  parseAnswer,
  parseAnswerPeriod,
  parseRequestInput,
  requestUrl,
  saveAnswerPeriod,
  setCommentHidden,
  setRequestHidden,
  STATES,
  unfollow,
  updateRequest,
  type CityStats,
  type DataRequest,
  type RequestState,
} from './service.ts';
import { publishRequestsDataset } from './open-data.ts';
import { listPage, requestForm, requestPage, statsPage, type CityChoice } from './views.ts';
import { registerDataRequestSections } from './sections.ts';
import { registerDataRequestActions } from './ckan.ts';

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['id'],
} as const;
const pageQuery = {
  type: 'object',
  properties: {
    city: { type: 'string', maxLength: 80 },
    state: { type: 'string', maxLength: 20 },
    overdue: { type: 'string', maxLength: 5 },
    q: { type: 'string', maxLength: 200 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;
const apiListQuery = {
  type: 'object',
  properties: {
    city: { ...slugParam, description: 'Only requests to this city (its slug).' },
    state: { type: 'string', enum: [...STATES], description: 'Only requests in this state.' },
    overdue: {
      type: 'boolean',
      description: 'Only requests the city has not answered within its answer period (working days).',
    },
    q: { type: 'string', maxLength: 200, description: 'Words in the title or description.' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'How many items to return (1–500).' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'How many items to skip.' },
  },
  additionalProperties: false,
} as const;

const requestJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string', format: 'uri' },
    city: { type: 'string', description: 'The city’s slug.' },
    title: { type: 'string' },
    description: { type: 'string', description: 'What data is asked for.' },
    purpose: { type: 'string', description: 'Why, in the requester’s words.' },
    state: { type: 'string', enum: [...STATES] },
    created_at: { type: 'string', format: 'date-time' },
    answer_due: { type: 'string', format: 'date', description: 'The last day of the city’s answer period.' },
    overdue: { type: 'boolean' },
    first_answered_at: { type: ['string', 'null'], format: 'date-time' },
    planned_date: { type: ['string', 'null'], format: 'date' },
    dataset: { type: ['string', 'null'], description: 'The published dataset’s name (state published).' },
    decline_reason: { type: ['string', 'null'], enum: [...DECLINE_REASONS, null] },
    duplicate_of: { type: ['integer', 'null'] },
    closed_at: { type: ['string', 'null'], format: 'date-time' },
    followers: { type: 'integer' },
    comments: { type: 'integer' },
  },
} as const;
const statsJson = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    received: { type: 'integer' },
    answered: { type: 'integer' },
    answered_on_time: { type: 'integer' },
    published: { type: 'integer' },
    declined: { type: 'integer' },
    overdue: { type: 'integer' },
    median_days_to_answer: { type: ['number', 'null'], description: 'Calendar days to the first answer.' },
    answer_working_days: { type: 'integer' },
    declined_by_reason: {
      type: 'object',
      properties: Object.fromEntries(DECLINE_REASONS.map((r) => [r, { type: 'integer' }])),
    },
  },
} as const;

const PAGE_SIZE = 20;
/** How many requests one account may file a day, and comments an hour: a bot's flood stops there. */
export const REQUESTS_PER_DAY = 5;
export const COMMENTS_PER_HOUR = 30;

async function routes(app: FastifyInstance) {
  registerDataRequestSections(app);
  registerDataRequestActions(app);
  const { db, clock } = app;
  const site = {
    get publicUrl() {
      return app.config.publicUrl;
    },
  };
  const asking = new WindowCounter('data-request-create', 24 * 3_600_000, REQUESTS_PER_DAY);
  const commenting = new WindowCounter('data-request-comment', 3_600_000, COMMENTS_PER_HOUR);

  const cityChoices = () =>
    db.query<CityChoice>('SELECT slug, name_uk, name_en, name_bg FROM cities ORDER BY sort_key_uk');

  /** A city given by slug; an unknown one is a bad parameter (400 naming it). */
  async function cityIdOf(slug: string | undefined): Promise<number | undefined> {
    if (!slug) return undefined;
    const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [slug]);
    if (!city)
      throw new ValidationError([{ field: 'city', message: 'data_requests.error.unknown_city', in: 'query' }], 400);
    return city.id;
  }

  /** The request, or 404 when it does not exist or is hidden from this person. */
  async function visible(request: FastifyRequest, id: number): Promise<DataRequest> {
    const r = await getRequest(db, id);
    if (!canSee(request.user, r)) throw new NotFoundError('no such data request');
    return r;
  }

  function present(r: DataRequest) {
    return {
      id: r.id,
      url: requestUrl(site, r.id),
      city: r.city_slug,
      title: r.title,
      description: r.description,
      purpose: r.purpose,
      state: r.state,
      created_at: r.created_at.toISOString(),
      answer_due: r.answer_due,
      overdue: isOverdue(r, clock.now()),
      first_answered_at: r.first_answered_at?.toISOString() ?? null,
      planned_date: r.planned_date,
      dataset: r.dataset_name,
      decline_reason: r.decline_reason,
      duplicate_of: r.duplicate_of,
      closed_at: r.closed_at?.toISOString() ?? null,
      followers: r.follower_count,
      comments: r.comment_count,
    };
  }

  // ---- Public pages ----

  app.get<{ Querystring: { city?: string; state?: string; overdue?: string; q?: string; offset: number } }>(
    '/data-requests',
    { schema: { querystring: pageQuery } },
    async (request, reply) => {
      const { query } = request;
      const now = clock.now();
      const state = (STATES as readonly string[]).includes(query.state ?? '')
        ? (query.state as RequestState)
        : undefined;
      const overdue = query.overdue === '1' || query.overdue === 'on' || query.overdue === 'true';
      const [result, cities] = await Promise.all([
        listRequests(
          db,
          {
            cityId: await cityIdOf(query.city),
            state,
            overdue,
            q: query.q?.trim() || undefined,
            withHidden: canModerate(request.user),
            limit: PAGE_SIZE,
            offset: query.offset,
          },
          now,
        ),
        cityChoices(),
      ]);
      return reply.page({
        title: request.t('data_requests.title'),
        nav: 'datasets',
        body: listPage(
          request.pageContext(),
          result,
          { city: query.city, state, overdue, q: query.q, limit: PAGE_SIZE, offset: query.offset },
          cities,
          now,
        ),
      });
    },
  );

  app.get<{ Querystring: { city?: string; offset: number; saved?: string } }>(
    '/data-requests/stats',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            city: { type: 'string', maxLength: 80 },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
            saved: { type: 'string', maxLength: 5 },
          },
        },
      },
    },
    async (request, reply) => renderStats(request, reply),
  );

  async function renderStats(
    request: FastifyRequest<{ Querystring: { city?: string; offset: number; saved?: string } }>,
    reply: FastifyReply,
    errors?: Record<string, string>,
    status = 200,
  ) {
    const { query } = request;
    const cityId = await cityIdOf(query.city);
    const [result, cities] = await Promise.all([
      cityStats(db, { cityId, limit: 50, offset: query.offset ?? 0 }, clock.now()),
      cityChoices(),
    ]);
    const configurable =
      cityId !== undefined && query.city && canAnswer(request.user, { city_id: cityId })
        ? { citySlug: query.city, days: await answerWorkingDays(db, cityId), errors, saved: query.saved === '1' }
        : null;
    return reply.page(
      {
        title: request.t('data_requests.stats_title'),
        nav: 'datasets',
        body: statsPage(
          request.pageContext(),
          result,
          { city: query.city, limit: 50, offset: query.offset ?? 0 },
          cities,
          configurable,
        ),
      },
      status,
    );
  }

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/data-requests/stats/:slug/period',
    {
      schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } },
      preHandler: allow(signedIn),
      config: formRateLimit(30),
    },
    async (request, reply) => {
      const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [request.params.slug]);
      if (!city) return reply.callNotFound();
      try {
        const days = parseAnswerPeriod(request.body);
        await db.transaction((tx) => saveAnswerPeriod(tx, actorOf(request), request.user!, city.id, days));
        return reply.redirect(`/data-requests/stats?city=${request.params.slug}&saved=1`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const r = request as unknown as FastifyRequest<{ Querystring: { city?: string; offset: number } }>;
        r.query.city = request.params.slug;
        return renderStats(r, reply, fieldMessages(request.t, error), error.statusCode);
      }
    },
  );

  const renderRequest = async (
    request: FastifyRequest,
    reply: FastifyReply,
    r: DataRequest,
    extra: {
      notice?: string;
      error?: string;
      form?: string;
      errors?: Record<string, string>;
      values?: FieldValues;
    } = {},
    status = 200,
  ) => {
    const user = request.user;
    const [comments, following] = await Promise.all([
      listComments(db, r.id, canModerate(user)),
      user ? isFollowing(db, r.id, user.id) : Promise.resolve(false),
    ]);
    return reply.page(
      {
        title: r.title,
        nav: 'datasets',
        description: r.description.slice(0, 200),
        body: requestPage(request.pageContext(), r, {
          now: clock.now(),
          comments,
          following,
          canAnswer: canAnswer(user, r),
          canEdit: canEditRequest(user, r),
          canModerate: canModerate(user),
          canComment: user !== null && canComment(user),
          ...extra,
        }),
      },
      status,
    );
  };

  const NOTICES = ['created', 'saved', 'answered', 'commented', 'followed', 'unfollowed', 'moderated'];
  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/data-requests/:id',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } },
      },
    },
    async (request, reply) => {
      const r = await visible(request, request.params.id);
      const done = request.query.done;
      return renderRequest(request, reply, r, {
        notice: done && NOTICES.includes(done) ? request.t(`data_requests.done.${done}`) : undefined,
      });
    },
  );

  // Every request matching the filters as CSV (no personal data): the resource of the city's dataset.
  app.get<{ Querystring: { city?: string; state?: string } }>(
    '/data-requests.csv',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { city: { type: 'string', maxLength: 80 }, state: { type: 'string', enum: [...STATES] } },
        },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      const { items } = await listRequests(
        db,
        {
          cityId: await cityIdOf(request.query.city),
          state: request.query.state as RequestState | undefined,
          limit: 100_000,
          offset: 0,
        },
        now,
      );
      const header = [
        'id',
        'city',
        'title',
        'description',
        'purpose',
        'state',
        'created_at',
        'answer_due',
        'overdue',
        'first_answered_at',
        'planned_date',
        'dataset',
        'decline_reason',
        'duplicate_of',
        'closed_at',
        'followers',
        'url',
      ];
      const lines = items.map((r) =>
        csvLine([
          r.id,
          r.city_slug,
          r.title,
          r.description,
          r.purpose,
          r.state,
          r.created_at.toISOString(),
          r.answer_due,
          isOverdue(r, now),
          r.first_answered_at?.toISOString() ?? '',
          r.planned_date ?? '',
          r.dataset_name ?? '',
          r.decline_reason ?? '',
          r.duplicate_of ?? '',
          r.closed_at?.toISOString() ?? '',
          r.follower_count,
          requestUrl(site, r.id),
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="data-requests${request.query.city ? `-${request.query.city}` : ''}.csv"`,
        )
        .send([csvLine(header), ...lines].join('')); // each line ends in CRLF already
    },
  );

  // ---- Asking and editing ----

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    values: FieldValues,
    errors?: Record<string, string>,
    status = 200,
  ) =>
    reply.page(
      {
        title: request.t(id ? 'data_requests.edit_title' : 'data_requests.new_title'),
        nav: 'datasets',
        body: requestForm(request.pageContext(), { id, values, errors, cities: await cityChoices() }),
      },
      status,
    );

  app.get<{ Querystring: { city?: string } }>(
    '/data-requests/new',
    {
      schema: { querystring: { type: 'object', properties: { city: { type: 'string', maxLength: 80 } } } },
      preHandler: allow(signedIn),
    },
    async (request, reply) => {
      if (!canAsk(request.user!))
        return reply.page(
          {
            title: request.t('data_requests.new_title'),
            nav: 'datasets',
            body: html`<h1>${request.t('data_requests.new_title')}</h1>
<p class="notice warning">${request.t('data_requests.error.confirm_email')} <a href="/account">${request.t('data_requests.to_account')}</a></p>`,
          },
          403,
        );
      return formPage(request, reply, null, { city: request.query.city ?? '' });
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/data-requests/new',
    { preHandler: allow(signedIn), config: formRateLimit(30) },
    async (request, reply) => {
      const user = request.user!;
      if (!canAsk(user))
        return formPage(
          request,
          reply,
          null,
          request.body,
          { city: request.t('data_requests.error.confirm_email') },
          403,
        );
      try {
        const input = await parseRequestInput(db, request.body);
        await asking.hit(request, `user:${user.id}`);
        const created = await db.transaction(async (tx) => {
          const r = await createRequest(tx, actorOf(request), user, input, clock.now());
          await publishRequestsDataset(tx, r.city_id);
          return r;
        });
        return reply.redirect(`/data-requests/${created.id}?done=created`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(request, reply, null, request.body, fieldMessages(request.t, error), error.statusCode);
      }
    },
  );

  app.get<{ Params: { id: number } }>(
    '/data-requests/:id/edit',
    { schema: { params: idParams }, preHandler: allow(signedIn) },
    async (request, reply) => {
      const r = await visible(request, request.params.id);
      assertCanEditRequest(request.user, r);
      return formPage(request, reply, r.id, { title: r.title, description: r.description, purpose: r.purpose });
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/data-requests/:id/edit',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const r = await visible(request, request.params.id);
      assertCanEditRequest(request.user, r);
      try {
        // The city stays: the form has no city field, so the request's own is checked.
        const input = await parseRequestInput(db, { ...request.body, city: r.city_slug });
        await db.transaction((tx) => updateRequest(tx, actorOf(request), request.user!, r, input, clock.now()));
        return reply.redirect(`/data-requests/${r.id}?done=saved`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(request, reply, r.id, request.body, fieldMessages(request.t, error), error.statusCode);
      }
    },
  );

  // ---- The city's answers ----

  for (const answer of ['accept', 'publish', 'decline', 'reopen'] as const) {
    app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
      `/data-requests/:id/${answer}`,
      { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(120) },
      async (request, reply) => {
        const r = await visible(request, request.params.id);
        assertCanAnswer(request.user, r);
        try {
          const now = clock.now();
          const input = await parseAnswer(db, answer, r, request.body, now);
          await db.transaction((tx) => answerRequest(tx, actorOf(request), request.user!, site, r.id, input, now));
          return reply.redirect(`/data-requests/${r.id}?done=answered`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const fresh = await getRequest(db, r.id);
          const messages = fieldMessages(request.t, error);
          return renderRequest(
            request,
            reply,
            fresh,
            messages.state
              ? {
                  error: request.t('data_requests.error.wrong_state', {
                    state: request.t(`data_requests.states.${fresh.state}`),
                    action: request.t(`data_requests.answer.${answer}_button`),
                  }),
                }
              : { form: answer, errors: messages, values: request.body },
            error.statusCode,
          );
        }
      },
    );
  }

  // ---- Comments, following, moderation ----

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/data-requests/:id/comments',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const user = request.user!;
      const r = await visible(request, request.params.id);
      if (!canComment(user))
        return renderRequest(request, reply, r, { error: request.t('data_requests.error.confirm_email') }, 403);
      try {
        await commenting.hit(request, `user:${user.id}`);
        const id = await db.transaction((tx) =>
          addComment(tx, actorOf(request), user, site, r, request.body, clock.now()),
        );
        return reply.redirect(`/data-requests/${r.id}?done=commented#comment-${id}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderRequest(
          request,
          reply,
          r,
          { form: 'comment', errors: fieldMessages(request.t, error), values: request.body },
          error.statusCode,
        );
      }
    },
  );

  for (const [path, action] of [
    ['follow', follow],
    ['unfollow', unfollow],
  ] as const) {
    app.post<{ Params: { id: number } }>(
      `/data-requests/:id/${path}`,
      { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(120) },
      async (request, reply) => {
        const r = await visible(request, request.params.id);
        await action(db, r.id, request.user!.id, clock.now());
        return reply.redirect(`/data-requests/${r.id}?done=${path}ed`, 303);
      },
    );
  }

  for (const [path, hidden] of [
    ['hide', true],
    ['show', false],
  ] as const) {
    app.post<{ Params: { id: number } }>(
      `/data-requests/:id/${path}`,
      { schema: { params: idParams }, preHandler: allow(signedIn) },
      async (request, reply) => {
        await db.transaction((tx) =>
          setRequestHidden(tx, actorOf(request), request.user!, request.params.id, hidden, clock.now()),
        );
        return reply.redirect(`/data-requests/${request.params.id}?done=moderated`, 303);
      },
    );
    app.post<{ Params: { id: number; cid: number } }>(
      `/data-requests/:id/comments/:cid/${path}`,
      {
        schema: {
          params: {
            type: 'object',
            properties: { ...idParams.properties, cid: idParams.properties.id },
            required: ['id', 'cid'],
          },
        },
        preHandler: allow(signedIn),
      },
      async (request, reply) => {
        await db.transaction((tx) =>
          setCommentHidden(
            tx,
            actorOf(request),
            request.user!,
            request.params.id,
            request.params.cid,
            hidden,
            clock.now(),
          ),
        );
        return reply.redirect(`/data-requests/${request.params.id}?done=moderated`, 303);
      },
    );
  }

  // ---- /api/v1 ----

  app.get<{
    Querystring: { city?: string; state?: RequestState; overdue?: boolean; q?: string; limit: number; offset: number };
  }>(
    '/api/v1/data-requests',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data-requests'],
        operationId: 'listDataRequests',
        summary: 'Residents’ requests for datasets and the cities’ answers, newest first',
        querystring: apiListQuery,
        response: { 200: pageOf(requestJson), ...errorResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const result = await listRequests(
        db,
        {
          cityId: await cityIdOf(query.city),
          state: query.state,
          overdue: query.overdue,
          q: query.q?.trim() || undefined,
          limit: query.limit,
          offset: query.offset,
        },
        clock.now(),
      );
      return { items: result.items.map(present), total: result.total, limit: query.limit, offset: query.offset };
    },
  );

  app.get<{ Querystring: { city?: string; limit: number; offset: number } }>(
    '/api/v1/data-requests/stats',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data-requests'],
        operationId: 'dataRequestStats',
        summary: 'Per city: requests received, answered, answered on time, published, declined by reason',
        querystring: {
          type: 'object',
          properties: {
            city: apiListQuery.properties.city,
            limit: apiListQuery.properties.limit,
            offset: apiListQuery.properties.offset,
          },
          additionalProperties: false,
        },
        response: { 200: pageOf(statsJson), ...errorResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const result = await cityStats(
        db,
        { cityId: await cityIdOf(query.city), limit: query.limit, offset: query.offset },
        clock.now(),
      );
      return {
        items: result.items.map((s: CityStats) => ({ city: s.city_slug, ...s })),
        total: result.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/data-requests/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data-requests'],
        operationId: 'getDataRequest',
        summary: 'One data request with the city’s answer',
        params: idParams,
        response: { 200: requestJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => present(await visible(request, request.params.id)),
  );
}

export const dataRequestsModule = fp(routes, { name: 'data-requests', dependencies: ['datastore'] });
