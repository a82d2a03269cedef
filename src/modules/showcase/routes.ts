// The showcase: public pages (/showcase, /showcase/wanted, /showcase/:name), the submission and
// edit forms with images, the admins' review, the city editors' adoption and demand marks, the
// CSV export (the resource of each city's showcase dataset), /api/v1/showcase, and CKAN's
// ckanext-showcase actions. Who may do what is decided in policy.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvLine } from '../../platform/csv.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, pageOf, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  type ReceivedUpload,
  receiveUpload,
  sendStoredFile,
  sniffFileType,
} from '../../platform/files.ts';
import type { FieldValues } from '../../platform/html/fields.ts';
import { html } from '../../platform/html/html.ts';
import {
  assertCanEditEntry,
  assertCanMarkForCity,
  canEditEntry,
  canReview,
  canSeeEntry,
  canSubmit,
  markableCityIds,
} from './policy.ts';
import {
  addAdoption,
  addImage,
  createEntry,
  demandByCity,
  ENTRY_KINDS,
  findAdoption,
  findEntry,
  listEntries,
  MAX_IMAGES,
  parseAdoptionInput,
  parseEntryInput,
  removeAdoption,
  removeImage,
  reviewEntry,
  setDemand,
  STAGES,
  updateEntry,
  type Entry,
  type EntryFilter,
  type EntryKind,
  type Stage,
} from './service.ts';
import { entryForm, entryJsonLd, entryPage, listPage, reviewQueuePage, wantedPage, type CityChoice } from './views.ts';
import { registerShowcaseSections } from './sections.ts';
import { registerShowcaseCkanActions } from './ckan.ts';

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const PAGE_SIZE = 20;

// An entry's name (CKAN's rules for a package name) or its id (a lowercase uuid).
const nameParam = {
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,99}$' } },
  required: ['name'],
} as const;
const idSchema = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

const pageQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string', maxLength: 20 },
    stage: { type: 'string', maxLength: 20 },
    city: { type: 'string', maxLength: 80 },
    wanted_by: { type: 'string', maxLength: 80 },
    dataset: { type: 'string', maxLength: 100 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

const apiListQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: [...ENTRY_KINDS], description: 'Only entries of this kind.' },
    stage: { type: 'string', enum: [...STAGES], description: 'Only entries at this stage.' },
    city: { ...slugParam, description: 'Only entries that run (or ran) in this city (its slug).' },
    wanted_by: { ...slugParam, description: 'Only entries this city wants (its slug).' },
    dataset: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9_-]{1,99}$',
      description: 'Only entries using this catalog dataset (its name).',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'How many items to return (1–500).' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'How many items to skip.' },
  },
  additionalProperties: false,
} as const;

const cityJson = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    name: { type: 'object', properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } } },
  },
} as const;

const entryJson = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The entry’s id (CKAN’s showcase id).' },
    name: { type: 'string', description: 'The entry’s name in its address (CKAN’s showcase name).' },
    url: { type: 'string', format: 'uri' },
    kind: { type: 'string', enum: [...ENTRY_KINDS] },
    stage: { type: 'string', enum: [...STAGES] },
    title: { type: 'string' },
    description: { type: 'string' },
    license_id: { type: ['string', 'null'] },
    datathon: {
      type: ['object', 'null'],
      properties: { id: { type: 'integer' }, title: { type: 'string' }, url: { type: 'string', format: 'uri' } },
    },
    authors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, organization: { type: ['string', 'null'] } },
      },
    },
    links: {
      type: 'array',
      items: { type: 'object', properties: { kind: { type: 'string' }, url: { type: 'string' } } },
    },
    images: {
      type: 'array',
      items: { type: 'object', properties: { url: { type: 'string', format: 'uri' }, alt: { type: 'string' } } },
    },
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, url: { type: 'string', format: 'uri' } },
      },
    },
    adoptions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          city: cityJson,
          from: { type: 'string', format: 'date' },
          to: { type: ['string', 'null'], format: 'date', description: 'null: still in use.' },
        },
      },
    },
    wanted_by: { type: 'array', items: cityJson },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const cityOf = (c: { slug: string; name_uk: string; name_en: string; name_bg: string }) => ({
  slug: c.slug,
  name: { uk: c.name_uk, en: c.name_en, bg: c.name_bg },
});

async function routes(app: FastifyInstance) {
  registerShowcaseSections(app);
  registerShowcaseCkanActions(app);
  const { db, clock } = app;
  const base = () => app.config.publicUrl.replace(/\/$/, '');
  const today = () => clock.now().toISOString().slice(0, 10);
  // Submissions write, audit and wait for an admin: one account may submit only so many a day.
  const submissions = new WindowCounter('showcase-submission', 86_400_000, 10);

  const present = (e: Entry) => ({
    id: e.uuid,
    name: e.name,
    url: `${base()}/showcase/${e.name}`,
    kind: e.kind,
    stage: e.stage,
    title: e.title,
    description: e.description,
    license_id: e.license_id,
    datathon: e.datathon_event_id
      ? { id: e.datathon_event_id, title: e.datathon_title ?? '', url: `${base()}/events/${e.datathon_event_id}` }
      : null,
    authors: e.authors.map((a) => ({ name: a.name, organization: a.organization?.slug ?? null })),
    links: e.links,
    images: e.images.map((i) => ({ url: `${base()}/showcase/${e.name}/images/${i.id}`, alt: i.alt })),
    datasets: e.datasets.map((d) => ({ id: d.uuid, name: d.name, url: `${base()}/datasets/${d.name}` })),
    adoptions: e.adoptions.map((a) => ({ city: cityOf(a), from: a.started_on, to: a.ended_on })),
    wanted_by: e.demand.map(cityOf),
    created_at: new Date(e.created_at).toISOString(),
    updated_at: new Date(e.updated_at).toISOString(),
  });

  const cityChoices = () =>
    db.query<CityChoice>('SELECT id, slug, name_uk, name_en, name_bg FROM cities ORDER BY sort_key_uk');

  /** The list filters given by slug or name; an unknown one is a bad parameter (400) naming it. */
  async function filterOf(query: {
    kind?: string;
    stage?: string;
    city?: string;
    wanted_by?: string;
    dataset?: string;
  }): Promise<Omit<EntryFilter, 'limit' | 'offset'>> {
    const filter: Omit<EntryFilter, 'limit' | 'offset'> = {};
    if (query.kind && (ENTRY_KINDS as readonly string[]).includes(query.kind)) filter.kind = query.kind as EntryKind;
    if (query.stage && (STAGES as readonly string[]).includes(query.stage)) filter.stage = query.stage as Stage;
    const unknown = (field: string) =>
      new ValidationError([{ field, message: `showcase.error.unknown_${field}`, in: 'query' }], 400);
    for (const field of ['city', 'wanted_by'] as const) {
      const slug = query[field];
      if (!slug) continue;
      const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [slug]);
      if (!city) throw unknown(field);
      if (field === 'city') filter.adoptedInCityId = city.id;
      else filter.wantedByCityId = city.id;
    }
    if (query.dataset) {
      const dataset = await db.one<{ id: number }>("SELECT id FROM datasets WHERE name = $1 AND state = 'published'", [
        query.dataset,
      ]);
      if (!dataset) throw unknown('dataset');
      filter.datasetId = dataset.id;
    }
    return filter;
  }

  /** The entry, if this reader may see it; else a 404 (a pending entry is not public). */
  const visibleEntry = async (request: FastifyRequest<{ Params: { name: string } }>) => {
    const entry = await findEntry(db, request.params.name);
    if (!entry || !canSeeEntry(request.user, entry)) throw new NotFoundError(`showcase entry ${request.params.name}`);
    return entry;
  };
  const editableEntry = async (request: FastifyRequest<{ Params: { name: string } }>) => {
    const entry = await visibleEntry(request);
    assertCanEditEntry(request.user, entry);
    return entry;
  };

  const markableCities = async (request: FastifyRequest): Promise<CityChoice[]> => {
    const ids = markableCityIds(request.user);
    if (ids !== null && ids.length === 0) return [];
    const all = await cityChoices();
    return ids === null ? all : all.filter((c) => ids.includes(c.id));
  };

  // ---- Public pages ----

  app.get<{
    Querystring: { kind?: string; stage?: string; city?: string; wanted_by?: string; dataset?: string; offset: number };
  }>('/showcase', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const { query } = request;
    const filter = await filterOf(query);
    const [result, cities, datasets, demand, pending] = await Promise.all([
      listEntries(db, { ...filter, limit: PAGE_SIZE, offset: query.offset }),
      cityChoices(),
      db.query<{ name: string; title_uk: string; title_en: string; title_bg: string }>(
        `SELECT DISTINCT d.name, d.title_uk, d.title_en, d.title_bg FROM showcase_entry_datasets sd
         JOIN datasets d ON d.id = sd.dataset_id AND d.state = 'published'
         JOIN showcase_entries e ON e.id = sd.entry_id AND e.status = 'published' ORDER BY d.name`,
      ),
      demandByCity(db),
      request.user && canReview(request.user)
        ? db.one<{ n: number }>("SELECT count(*)::int AS n FROM showcase_entries WHERE status = 'pending'")
        : Promise.resolve({ n: 0 }),
    ]);
    return reply.page({
      title: request.t('showcase.title'),
      description: request.t('showcase.intro'),
      alternates: [{ href: '/api/v1/showcase', type: 'application/json' }],
      body: listPage(request.pageContext(), result, { ...query, limit: PAGE_SIZE }, { cities, datasets }, demand, {
        canSubmit: request.user !== null && canSubmit(request.user),
        canReview: request.user !== null && canReview(request.user),
        pending: pending?.n ?? 0,
        today: today(),
      }),
    });
  });

  app.get('/showcase/wanted', async (request, reply) => {
    const [demand, wanted] = await Promise.all([
      demandByCity(db),
      db.query<{ city_slug: string; name: string; title: string; stage: string; adopted_cities: number }>(
        `SELECT c.slug AS city_slug, e.name, e.title, e.stage,
           (SELECT count(DISTINCT ad.city_id)::int FROM showcase_adoptions ad WHERE ad.entry_id = e.id) AS adopted_cities
         FROM showcase_demand dm JOIN showcase_entries e ON e.id = dm.entry_id AND e.status = 'published'
         JOIN cities c ON c.id = dm.city_id ORDER BY c.sort_key_uk, e.title`,
      ),
    ]);
    return reply.page({
      title: request.t('showcase.wanted_title'),
      body: wantedPage(request.pageContext(), demand, wanted),
    });
  });

  // Every published entry matching the filters, as CSV: the resources of the cities' datasets.
  app.get<{ Querystring: { kind?: string; stage?: string; city?: string; wanted_by?: string; dataset?: string } }>(
    '/showcase.csv',
    { schema: { querystring: pageQuery } },
    async (request, reply) => {
      const filter = await filterOf(request.query);
      const { items } = await listEntries(db, { ...filter, limit: 100_000, offset: 0 });
      const header = [
        'id',
        'name',
        'kind',
        'stage',
        'title',
        'licence',
        'authors',
        'datasets',
        'links',
        'adopted_in',
        'wanted_by',
        'datathon_event_id',
        'updated_at',
        'url',
      ];
      const lines = items.map((e) =>
        csvLine([
          e.uuid,
          e.name,
          e.kind,
          e.stage,
          e.title,
          e.license_id ?? '',
          e.authors.map((a) => a.name).join('; '),
          e.datasets.map((d) => d.name).join(' '),
          e.links.map((l) => l.url).join(' '),
          e.adoptions.map((a) => `${a.slug}:${a.started_on}/${a.ended_on ?? ''}`).join(' '),
          e.demand.map((c) => c.slug).join(' '),
          e.datathon_event_id ?? '',
          new Date(e.updated_at).toISOString(),
          `${base()}/showcase/${e.name}`,
        ]),
      );
      const suffix = request.query.city ?? (request.query.wanted_by ? `wanted-${request.query.wanted_by}` : '');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="showcase${suffix ? `-${suffix}` : ''}.csv"`)
        .send([csvLine(header), ...lines].join('')); // each line ends in CRLF already
    },
  );

  // ---- Submitting and editing ----

  const datathons = () =>
    db.query<{ id: number; title: string }>(
      "SELECT id, title FROM community_events WHERE kind = 'datathon' ORDER BY starts_at DESC LIMIT 200",
    );

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    entry: Entry | null,
    values: FieldValues,
    extra: { errors?: Record<string, string>; imageErrors?: Record<string, string>; notice?: string } = {},
    status = 200,
  ) =>
    reply.page(
      {
        title: request.t(entry ? 'showcase.edit_title' : 'showcase.new_title'),
        body: entryForm(request.pageContext(), { entry, values, datathons: await datathons(), ...extra }),
      },
      status,
    );

  const confirmFirst = (request: FastifyRequest) =>
    html`<h1>${request.t('showcase.new_title')}</h1><p class="notice warning">${request.t('showcase.error.confirm_email')}</p>`;

  app.get('/showcase/new', { preHandler: allow(signedIn) }, async (request, reply) => {
    if (!canSubmit(request.user!))
      return reply.page({ title: request.t('showcase.new_title'), body: confirmFirst(request) }, 403);
    return formPage(request, reply, null, { kind: 'application', stage: 'prototype', i_am_author: 'on' });
  });

  app.post<{ Body: Record<string, unknown> }>(
    '/showcase/new',
    { preHandler: allow(signedIn), config: formRateLimit(30) },
    async (request, reply) => {
      const user = request.user!;
      if (!canSubmit(user)) throw new ForbiddenError('confirm your e-mail first');
      try {
        const input = await parseEntryInput(db, request.body, { id: user.id, displayName: user.displayName });
        await submissions.hit(request, `user:${user.id}`);
        const entry = await createEntry(db, actorOf(request), input);
        return reply.redirect(`/showcase/${entry.name}?done=submitted`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(
          request,
          reply,
          null,
          request.body ?? {},
          { errors: fieldMessages(request.t, error) },
          error.statusCode,
        );
      }
    },
  );

  const formValues = (e: Entry): FieldValues => ({
    name: e.name,
    title: e.title,
    kind: e.kind,
    stage: e.stage,
    description: e.description,
    license_id: e.license_id ?? '',
    datathon: e.datathon_event_id ? String(e.datathon_event_id) : '',
    datasets: e.datasets.map((d) => d.name).join('\n'),
    links: e.links.map((l) => `${l.kind} ${l.url}`).join('\n'),
    authors: e.authors
      .filter((a) => a.user_id === null)
      .map((a) => (a.organization ? `${a.name} | ${a.organization.slug}` : a.name))
      .join('\n'),
  });

  app.get<{ Params: { name: string }; Querystring: { done?: string } }>(
    '/showcase/:name/edit',
    {
      schema: {
        params: nameParam,
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } },
      },
      preHandler: allow(signedIn),
    },
    async (request, reply) => {
      const entry = await editableEntry(request);
      const done = request.query.done;
      return formPage(request, reply, entry, formValues(entry), {
        notice: done && ['image', 'image_removed'].includes(done) ? request.t(`showcase.done.${done}`) : undefined,
      });
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/showcase/:name/edit',
    { schema: { params: nameParam }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const entry = await editableEntry(request);
      try {
        const input = await parseEntryInput(db, request.body, null, entry.id);
        const saved = await updateEntry(db, actorOf(request), entry.id, input);
        return reply.redirect(`/showcase/${saved.name}?done=saved`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(
          request,
          reply,
          entry,
          request.body ?? {},
          { errors: fieldMessages(request.t, error) },
          error.statusCode,
        );
      }
    },
  );

  // ---- Images: uploaded to the platform's file store, the type read from the bytes ----

  app.post<{ Params: { name: string } }>(
    '/showcase/:name/images',
    {
      schema: { params: nameParam },
      preHandler: allow(signedIn),
      config: { csrf: 'multipart' as const, ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const entry = await editableEntry(request);
      const fail = (field: string, message: string, status: number, params?: Record<string, number>) =>
        formPage(
          request,
          reply,
          entry,
          formValues(entry),
          { imageErrors: { [field]: request.t(message, params) } },
          status,
        );
      if (entry.images.length >= MAX_IMAGES) return fail('file', 'showcase.too_many_images', 422, { max: MAX_IMAGES });
      let upload: ReceivedUpload;
      try {
        upload = await receiveUpload(request as never, app.files, MAX_IMAGE_BYTES, csrfBeforeFile(app, request, reply));
      } catch (error) {
        if (error instanceof FileTooLargeError) return fail('file', 'showcase.error.image_too_large', 413);
        throw error;
      }
      const stored = upload.stored;
      if (!stored) return fail('file', 'showcase.error.no_file', 422);
      const type = await sniffFileType(app.files, stored.file.key);
      const alt = (upload.fields.alt ?? '').trim();
      const problem =
        !type || !['png', 'jpeg', 'webp'].includes(type)
          ? ['file', 'showcase.error.image_type']
          : !alt
            ? ['alt', 'validation.required']
            : alt.length > 300
              ? ['alt', 'validation.too_long']
              : null;
      if (problem) {
        await app.files.remove(stored.file.key);
        return fail(problem[0]!, problem[1]!, 422, { max: 300 });
      }
      const added = await db.transaction((tx) =>
        addImage(tx, actorOf(request), entry.id, {
          alt,
          file_key: stored.file.key,
          mime_type: MIME_TYPES[type!],
          size_bytes: stored.file.size,
        }),
      );
      if (added === null) {
        await app.files.remove(stored.file.key);
        return fail('file', 'showcase.too_many_images', 422, { max: MAX_IMAGES });
      }
      return reply.redirect(`/showcase/${entry.name}/edit?done=image#images`, 303);
    },
  );

  app.post<{ Params: { name: string; image: number } }>(
    '/showcase/:name/images/:image/remove',
    {
      schema: {
        params: {
          type: 'object',
          properties: { name: nameParam.properties.name, image: idSchema },
          required: ['name', 'image'],
        },
      },
      preHandler: allow(signedIn),
      config: formRateLimit(60),
    },
    async (request, reply) => {
      const entry = await editableEntry(request);
      const key = await db.transaction((tx) => removeImage(tx, actorOf(request), entry.id, request.params.image));
      if (!key) throw new NotFoundError('image');
      await app.files.remove(key);
      return reply.redirect(`/showcase/${entry.name}/edit?done=image_removed#images`, 303);
    },
  );

  app.get<{ Params: { name: string; image: number } }>(
    '/showcase/:name/images/:image',
    {
      schema: {
        params: {
          type: 'object',
          properties: { name: nameParam.properties.name, image: idSchema },
          required: ['name', 'image'],
        },
      },
    },
    async (request, reply) => {
      const entry = await visibleEntry(request);
      const image = await db.one<{ file_key: string; mime_type: string }>(
        'SELECT file_key, mime_type FROM showcase_entry_images WHERE id = $1 AND entry_id = $2',
        [request.params.image, entry.id],
      );
      if (!image) return reply.callNotFound();
      reply
        .type(image.mime_type)
        .header('cache-control', entry.status === 'published' ? 'public, max-age=86400' : 'private, no-store');
      return sendStoredFile(request, reply, app.files, image.file_key);
    },
  );

  // ---- An entry's page, the review, adoption and demand ----

  const renderEntry = async (
    request: FastifyRequest,
    reply: FastifyReply,
    entry: Entry,
    extra: { notice?: string; errors?: Record<string, string>; values?: FieldValues; status?: number } = {},
  ) => {
    const markable = await markableCities(request);
    return reply.page(
      {
        title: entry.title,
        description: entry.description.slice(0, 200),
        alternates: [{ href: `/api/v1/showcase/${entry.name}`, type: 'application/json' }],
        jsonLd: entry.status === 'published' ? entryJsonLd(entry, base(), request.locale, today()) : undefined,
        body: entryPage(request.pageContext(), entry, {
          today: today(),
          canEdit: canEditEntry(request.user, entry),
          canReview: request.user !== null && canReview(request.user),
          markable,
          ...extra,
        }),
      },
      extra.status ?? 200,
    );
  };

  app.get<{ Params: { name: string }; Querystring: { done?: string } }>(
    '/showcase/:name',
    {
      schema: {
        params: nameParam,
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } },
      },
    },
    async (request, reply) => {
      const entry = await visibleEntry(request);
      const done = request.query.done;
      const notices = ['submitted', 'saved', 'published', 'rejected', 'adoption', 'adoption_removed', 'demand'];
      return renderEntry(request, reply, entry, {
        notice: done && notices.includes(done) ? request.t(`showcase.done.${done}`) : undefined,
      });
    },
  );

  /** Runs a change on the entry's page; on bad input shows the page again with the messages. */
  const entryAction =
    (
      action: (
        request: FastifyRequest<{ Params: { name: string }; Body: Record<string, unknown> }>,
        entry: Entry,
      ) => Promise<string>,
    ) =>
    async (
      request: FastifyRequest<{ Params: { name: string }; Body: Record<string, unknown> }>,
      reply: FastifyReply,
    ) => {
      const entry = await visibleEntry(request);
      try {
        return reply.redirect(await action(request, entry), 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderEntry(request, reply, entry, {
          errors: fieldMessages(request.t, error),
          values: request.body,
          status: error.statusCode,
        });
      }
    };
  const actionRoute = { schema: { params: nameParam }, preHandler: allow(signedIn), config: formRateLimit(120) };

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/showcase/:name/review',
    { ...actionRoute, preHandler: allow(canReview) },
    entryAction(async (request, entry) => {
      const status = await reviewEntry(db, actorOf(request), entry.id, request.body, clock.now());
      return `/showcase/${entry.name}?done=${status}`;
    }),
  );

  /** The city named in the form, if this user may mark for it (403 otherwise; 422 when unknown). */
  const markedCity = async (request: FastifyRequest<{ Body: Record<string, unknown> }>) => {
    const slug = typeof request.body?.city === 'string' ? request.body.city : '';
    const city = slug ? await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [slug]) : undefined;
    if (!city) throw new ValidationError([{ field: 'city', message: 'showcase.error.unknown_city' }]);
    assertCanMarkForCity(request.user, city.id);
    return city.id;
  };

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/showcase/:name/adoptions',
    actionRoute,
    entryAction(async (request, entry) => {
      const cityId = await markedCity(request);
      const input = parseAdoptionInput(request.body);
      await db.transaction((tx) => addAdoption(tx, actorOf(request), entry, cityId, input));
      return `/showcase/${entry.name}?done=adoption#adoption-title`;
    }),
  );

  app.post<{ Params: { name: string; adoption: number }; Body: Record<string, unknown> }>(
    '/showcase/:name/adoptions/:adoption/remove',
    {
      ...actionRoute,
      schema: {
        params: {
          type: 'object',
          properties: { name: nameParam.properties.name, adoption: idSchema },
          required: ['name', 'adoption'],
        },
      },
    },
    entryAction(async (request, entry) => {
      const adoption = await findAdoption(db, entry.id, (request.params as unknown as { adoption: number }).adoption);
      if (!adoption) throw new NotFoundError('adoption');
      assertCanMarkForCity(request.user, adoption.city_id);
      await removeAdoption(db, actorOf(request), entry.id, adoption);
      return `/showcase/${entry.name}?done=adoption_removed#adoption-title`;
    }),
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/showcase/:name/demand',
    actionRoute,
    entryAction(async (request, entry) => {
      const cityId = await markedCity(request);
      const want = request.body?.want !== 'no';
      await db.transaction((tx) => setDemand(tx, actorOf(request), entry, cityId, want));
      return `/showcase/${entry.name}?done=demand`;
    }),
  );

  app.get<{ Querystring: { offset: number } }>(
    '/showcase/review',
    {
      preHandler: allow(canReview),
      schema: {
        querystring: {
          type: 'object',
          properties: { offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
        },
      },
    },
    async (request, reply) => {
      const result = await listEntries(db, { status: 'pending', limit: PAGE_SIZE, offset: request.query.offset });
      return reply.page({
        title: request.t('showcase.review_title'),
        body: reviewQueuePage(request.pageContext(), result, request.query.offset),
      });
    },
  );

  // ---- /api/v1 ----

  app.get<{
    Querystring: {
      kind?: EntryKind;
      stage?: Stage;
      city?: string;
      wanted_by?: string;
      dataset?: string;
      limit: number;
      offset: number;
    };
  }>(
    '/api/v1/showcase',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['showcase'],
        operationId: 'listShowcaseEntries',
        summary: 'Showcase entries',
        description:
          'Published apps, tools, visualisations, stories and APIs built on the cities’ data, the most adopted first.',
        querystring: apiListQuery,
        response: { 200: pageOf(entryJson), ...errorResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const result = await listEntries(db, { ...(await filterOf(query)), limit: query.limit, offset: query.offset });
      return { items: result.items.map(present), total: result.total, limit: query.limit, offset: query.offset };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/showcase/:name',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['showcase'],
        operationId: 'getShowcaseEntry',
        summary: 'A showcase entry',
        description:
          'One published entry: authors, links, images, datasets, where it runs (with dates) and which cities want it.',
        params: nameParam,
        response: { 200: entryJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const entry = await findEntry(db, request.params.name);
      if (entry?.status !== 'published') throw new NotFoundError(`showcase entry ${request.params.name}`);
      return present(entry);
    },
  );
}

export const showcaseModule = fp(routes, { name: 'showcase', dependencies: ['ckan', 'community'] });
