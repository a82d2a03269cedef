// e-Petitions: public pages, the author's drafts, moderation, signing, the rules form, the
// Atom feed, the anonymised open-data export and /api/v1. Permissions are decided in service.ts
// (canModerate, canSee and the assert* checks every change goes through).
import { brandStyles, cityBrandOf } from '../cities/brand-view.ts';
import fp from 'fastify-plugin';
import { csvCell } from '../../platform/csv.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, pageOf, paginationQuery, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { escapeHtml } from '../../platform/html/html.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  receiveUpload,
  safeFileName,
  sendStoredFile,
  sniffFileType,
} from '../../platform/files.ts';
import { fromKyivLocal } from '../../platform/clock.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getCity, listCities, type City } from '../cities/service.ts';
import { editableCityIds, editsSomeCity } from '../catalog/policy.ts';
import {
  DEFAULT_RULES,
  SORTS,
  STATES,
  TOPICS,
  canModerate,
  canSee,
  cityPetitionStats,
  closeExpiredPetitions,
  createDraft,
  exportRows,
  getPetition,
  getRules,
  hasSigned,
  invalidateSignatures,
  listOwnPetitions,
  listPetitions,
  listSigners,
  moderationQueue,
  overdue,
  parseInvalidation,
  parseRules,
  publishPetition,
  rejectPetition,
  respondToPetition,
  saveRules,
  signatureTrends,
  signPetition,
  submitPetition,
  updateDraft,
  type Petition,
  type PetitionQuery,
  type PetitionSort,
  type PetitionState,
  type Topic,
} from './service.ts';
import {
  formPage,
  listPage,
  minePage,
  moderationPage,
  petitionPage,
  rulesPage,
  rulesValues,
  type PetitionPageState,
} from './views.ts';
import { ensurePetitionsDataset } from './open-data.ts';
import { registerPetitionSections } from './sections.ts';

const MAX_FILE_BYTES = 10 * 1024 * 1024;
const HOUR = 3_600_000;
/** Signers shown per page of a petition (the list pages on). */
const SIGNERS_PAGE = 100;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['id'],
} as const;

const petitionJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    city: { type: 'string', description: 'Slug of the city the petition is addressed to.' },
    title: { type: 'string' },
    body: { type: 'string' },
    topic: { type: 'string', enum: [...TOPICS] },
    state: { type: 'string', enum: [...STATES] },
    signatures: { type: 'integer' },
    threshold: { type: ['integer', 'null'] },
    submitted_at: { type: ['string', 'null'], format: 'date-time' },
    published_at: { type: ['string', 'null'], format: 'date-time' },
    closes_at: { type: ['string', 'null'], format: 'date-time' },
    moderation_due: { type: ['string', 'null'], format: 'date' },
    response_due: { type: ['string', 'null'], format: 'date' },
    overdue: { type: 'object', properties: { moderation: { type: 'boolean' }, response: { type: 'boolean' } } },
    rejection: { type: ['object', 'null'], properties: { reason: { type: 'string' }, comment: { type: 'string' } } },
    response: {
      type: ['object', 'null'],
      properties: {
        decision: { type: 'string' },
        text: { type: 'string' },
        answered_at: { type: 'string', format: 'date-time' },
      },
    },
  },
} as const;

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

function present(p: Petition, now: Date, publicUrl: string) {
  return {
    id: p.id,
    url: `${publicUrl}/petitions/${p.id}`,
    city: p.city_slug,
    title: p.title,
    body: p.body,
    topic: p.topic,
    state: p.state,
    signatures: p.signature_count,
    threshold: p.signature_threshold,
    submitted_at: iso(p.submitted_at),
    published_at: iso(p.opened_at),
    closes_at: iso(p.closes_at),
    moderation_due: p.moderation_due,
    response_due: p.response_due,
    overdue: overdue(p, now),
    rejection: p.state === 'rejected' ? { reason: p.reject_reason!, comment: p.reject_comment! } : null,
    response:
      p.state === 'answered'
        ? { decision: p.response_decision!, text: p.response_text!, answered_at: iso(p.answered_at)! }
        : null,
  };
}

const EXPORT_COLUMNS = [
  'id',
  'city',
  'title',
  'topic',
  'state',
  'submitted',
  'published',
  'closes',
  'signatures',
  'threshold',
  'response_due',
  'answered',
  'decision',
  'days_late',
] as const;

async function routes(app: FastifyInstance) {
  registerPetitionSections(app);
  const { db, clock } = app;
  const allCities = (request: FastifyRequest) =>
    listCities(db, { locale: request.locale, limit: 1000, offset: 0 }).then((r) => r.items);
  const signerAccounts = new WindowCounter('sign-account', HOUR, () => app.config.signRateLimitPerAccount);
  const signerAddresses = new WindowCounter('sign-address', HOUR, () => app.config.signRateLimitPerAddress);

  /** The petition, if this reader may see it (drafts: the author and the city's moderators). */
  async function load(request: FastifyRequest, id: number): Promise<Petition> {
    const petition = await getPetition(db, id);
    if (!canSee(request.user, petition)) throw new NotFoundError('no such petition');
    return petition;
  }

  async function cityFromSlug(slug: string | undefined): Promise<City | undefined> {
    if (!slug) return undefined;
    try {
      return await getCity(db, slug);
    } catch {
      return undefined;
    }
  }

  function parseQuery(raw: Record<string, string | undefined>, limit: number, offset: number): PetitionQuery {
    return {
      state:
        (STATES as readonly string[]).includes(raw.state ?? '') && raw.state !== 'draft'
          ? (raw.state as PetitionState)
          : undefined,
      topic: (TOPICS as readonly string[]).includes(raw.topic ?? '') ? (raw.topic as Topic) : undefined,
      sort: (SORTS as readonly string[]).includes(raw.sort ?? '') ? (raw.sort as PetitionSort) : 'signatures',
      q: raw.q?.trim().slice(0, 200) || undefined,
      limit,
      offset,
    };
  }

  async function renderPetition(
    request: FastifyRequest,
    reply: FastifyReply,
    petition: Petition,
    extra: Partial<PetitionPageState> = {},
    status = 200,
    signersOffset = 0,
  ) {
    const user = request.user;
    const isModerator = canModerate(user, petition.city_id);
    const [signers, signed, trends, files, invalidations] = await Promise.all([
      listSigners(db, petition.id, SIGNERS_PAGE, signersOffset),
      user ? hasSigned(db, petition.id, user.id) : Promise.resolve(false),
      isModerator ? signatureTrends(db, [petition.id]) : Promise.resolve([]),
      db.query<{ id: number; kind: string; file_name: string; size_bytes: number }>(
        'SELECT id, kind, file_name, size_bytes::float8 AS size_bytes FROM petition_files WHERE petition_id = $1 ORDER BY id',
        [petition.id],
      ),
      isModerator
        ? db.query<PetitionPageState['invalidations'][number]>(
            'SELECT created_at, reason, invalidated, ip_block, email_domain FROM petition_invalidations WHERE petition_id = $1 ORDER BY id DESC',
            [petition.id],
          )
        : Promise.resolve([]),
    ]);
    return reply.page(
      {
        title: petition.title,
        nav: 'petitions',
        alternates: [{ href: `/api/v1/petitions/${petition.id}`, type: 'application/json', title: 'JSON' }],
        body: petitionPage(request.pageContext(), petition, {
          now: clock.now(),
          signers,
          signersPage: { offset: signersOffset, limit: SIGNERS_PAGE, total: petition.signature_count },
          signed,
          isAuthor: user?.id === petition.author_id,
          isModerator,
          trends,
          files,
          invalidations,
          publicUrl: app.config.publicUrl,
          ...extra,
        }),
      },
      status,
    );
  }

  /** Runs a moderator's or author's action; a ValidationError shows the petition again with the messages. */
  async function act(
    request: FastifyRequest<{ Params: { id: number } }>,
    reply: FastifyReply,
    action: (tx: Queryable, petition: Petition, user: CurrentUser) => Promise<string | void>,
  ) {
    const petition = await load(request, request.params.id);
    try {
      const notice = await db.transaction(async (tx) => {
        const locked = await tx.one<{ state: string }>('SELECT state FROM petitions WHERE id = $1 FOR UPDATE', [
          petition.id,
        ]);
        if (locked?.state !== petition.state)
          throw new ValidationError([{ field: 'state', message: 'petitions.error.changed' }], 409);
        return action(tx, petition, request.user!);
      });
      return reply.redirect(`/petitions/${petition.id}${notice ? `?done=${notice}` : ''}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderPetition(
        request,
        reply,
        await getPetition(db, petition.id),
        { errors: fieldMessages(request.t, error), values: (request.body ?? {}) as Record<string, unknown> },
        error.statusCode,
      );
    }
  }

  // ---- Public pages ----

  app.get<{ Querystring: Record<string, string | undefined> }>('/petitions', async (request, reply) => {
    const offset = Math.max(0, Math.min(1_000_000, Number(request.query.offset) || 0));
    const query = parseQuery(request.query, 20, offset);
    const city = await cityFromSlug(request.query.city);
    const result = await listPetitions(db, { ...query, cityId: city?.id });
    // One city's petitions carry its logo and colour, as its own portal would.
    const brand = city ? cityBrandOf(city) : null;
    return reply.page({
      title: request.t('petitions.title'),
      nav: 'petitions',
      styles: brandStyles(brand),
      scripts: ['/static/build/facet-panel.js'],
      alternates: [{ href: '/petitions/feed.atom', type: 'application/atom+xml', title: request.t('petitions.feed') }],
      body: listPage(
        request.pageContext(),
        result,
        { ...query, city: city?.slug },
        await allCities(request),
        clock.now(),
        city ? await cityPetitionStats(db, city.id) : null,
        brand,
      ),
    });
  });

  app.get('/petitions/feed.atom', async (request, reply) => {
    const { items } = await listPetitions(db, { sort: 'newest', limit: 50, offset: 0 });
    const entries = items.map(
      (p) => `<entry>
  <id>${escapeHtml(`${app.config.publicUrl}/petitions/${p.id}`)}</id>
  <title>${escapeHtml(p.title)}</title>
  <link rel="alternate" href="${escapeHtml(`${app.config.publicUrl}/petitions/${p.id}`)}"/>
  <updated>${iso(p.answered_at ?? p.closed_at ?? p.opened_at ?? p.submitted_at ?? p.created_at)}</updated>
  <category term="${escapeHtml(p.state)}"/>
  <author><name>${escapeHtml(p.city_slug)}</name></author>
  <summary>${escapeHtml(`${request.t(`petitions.state.${p.state}`)} · ${p.signature_count} / ${p.signature_threshold ?? '—'} · ${p.body.slice(0, 400)}`)}</summary>
</entry>`,
    );
    return reply.type('application/atom+xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
<id>${escapeHtml(`${app.config.publicUrl}/petitions/feed.atom`)}</id>
<title>Громада — електронні петиції</title>
<link rel="self" href="${escapeHtml(`${app.config.publicUrl}/petitions/feed.atom`)}"/>
<link rel="alternate" href="${escapeHtml(`${app.config.publicUrl}/petitions`)}"/>
<updated>${iso(items[0]?.submitted_at ?? new Date(0))}</updated>
${entries.join('\n')}
</feed>
`);
  });

  // The anonymised open-data export: no authors, no signers, only petitions, counts and outcomes.
  app.get<{ Querystring: { city?: string; format?: 'csv' | 'json' } }>(
    '/petitions/export',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { city: slugParam, format: { type: 'string', enum: ['csv', 'json'], default: 'csv' } },
        },
      },
    },
    async (request, reply) => {
      const city = request.query.city ? await getCity(db, request.query.city) : undefined;
      const rows = await exportRows(db, city?.id);
      const name = `petitions${city ? `-${city.slug}` : ''}`;
      if (request.query.format === 'json') {
        return reply.header('content-disposition', `attachment; filename="${name}.json"`).send(rows);
      }
      const csv =
        [EXPORT_COLUMNS.join(','), ...rows.map((r) => EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(','))].join(
          '\r\n',
        ) + '\r\n';
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(csv);
    },
  );

  // ---- Drafts (any signed-in person) ----

  app.get('/petitions/mine', { preHandler: allow(signedIn) }, async (request, reply) =>
    reply.page({
      title: request.t('petitions.mine'),
      nav: 'petitions',
      body: minePage(request.pageContext(), await listOwnPetitions(db, request.user!.id), clock.now()),
    }),
  );

  app.get<{ Querystring: { city?: string } }>(
    '/petitions/new',
    { preHandler: allow(signedIn) },
    async (request, reply) =>
      reply.page({
        title: request.t('petitions.new'),
        nav: 'petitions',
        body: formPage(request.pageContext(), await openCities(request), { city: request.query.city }, undefined, null),
      }),
  );

  /** Cities that take petitions. */
  async function openCities(request: FastifyRequest): Promise<City[]> {
    const enabled = new Set(
      (await db.query<{ city_id: number }>('SELECT city_id FROM petition_rules WHERE enabled')).map((r) => r.city_id),
    );
    return (await allCities(request)).filter((c) => enabled.has(c.id));
  }

  app.post<{ Body: Record<string, unknown> }>(
    '/petitions/new',
    { preHandler: allow(signedIn), config: formRateLimit(30) },
    async (request, reply) => {
      const cities = await openCities(request);
      return submitForm(request, reply, {
        title: request.t('petitions.new'),
        action: async () => {
          const city = cities.find((c) => c.slug === request.body?.city);
          if (!city) throw new ValidationError([{ field: 'city', message: 'petitions.error.city_closed' }]);
          const id = await db.transaction((tx) =>
            createDraft(tx, actorOf(request), request.user!, city.id, request.body),
          );
          return `/petitions/${id}`;
        },
        form: (errors) => formPage(request.pageContext(), cities, request.body ?? {}, errors, null),
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/petitions/:id/edit',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      if (petition.author_id !== request.user!.id) throw new ForbiddenError('only the author changes a draft');
      return reply.page({
        title: request.t('petitions.edit'),
        nav: 'petitions',
        body: formPage(
          request.pageContext(),
          [],
          petition as unknown as Record<string, unknown>,
          undefined,
          petition.id,
        ),
      });
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/petitions/:id/edit',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      return submitForm(request, reply, {
        title: request.t('petitions.edit'),
        action: async () => {
          await db.transaction((tx) => updateDraft(tx, actorOf(request), request.user!, petition, request.body));
          return `/petitions/${petition.id}`;
        },
        form: (errors) => formPage(request.pageContext(), [], request.body ?? {}, errors, petition.id),
      });
    },
  );

  app.post<{ Params: { id: number } }>(
    '/petitions/:id/submit',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    (request, reply) =>
      act(request, reply, async (tx, petition, user) => {
        await submitPetition(tx, actorOf(request), user, petition, clock.now());
        return 'submitted';
      }),
  );

  // Attachments: the author's to a draft, the city's to its response. PDF and images only.
  app.post<{ Params: { id: number } }>(
    '/petitions/:id/files',
    {
      preHandler: allow(signedIn),
      schema: { params: idParams },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      const user = request.user!;
      const kind =
        petition.state === 'draft' && petition.author_id === user.id
          ? 'attachment'
          : (petition.state === 'successful' || petition.state === 'answered') && canModerate(user, petition.city_id)
            ? 'response'
            : null;
      if (!kind)
        throw new ForbiddenError('attachments are added by the author to a draft, or by the city to its response');
      let upload;
      try {
        upload = await receiveUpload(request as never, app.files, MAX_FILE_BYTES, csrfBeforeFile(app, request, reply));
      } catch (error) {
        if (error instanceof FileTooLargeError)
          return renderPetition(
            request,
            reply,
            petition,
            { errors: { file: request.t('petitions.error.file_too_large') } },
            413,
          );
        throw error;
      }
      const stored = upload.stored;
      if (!stored)
        return renderPetition(request, reply, petition, { errors: { file: request.t('datastore.no_file') } }, 422);
      const fileName = safeFileName(stored.fileName);
      const extension = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
      const sniffed = await sniffFileType(app.files, stored.file.key);
      // Only PDF and images, and only when the content is what the name says.
      if (
        !sniffed ||
        sniffed === 'webp' ||
        (sniffed === 'jpeg' ? !['jpg', 'jpeg'].includes(extension) : sniffed !== extension)
      ) {
        await app.files.remove(stored.file.key);
        return renderPetition(
          request,
          reply,
          petition,
          { errors: { file: request.t('petitions.error.file_type') } },
          422,
        );
      }
      await db.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO petition_files (petition_id, kind, file_key, file_name, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6)',
          [petition.id, kind, stored.file.key, fileName, stored.file.size, stored.file.sha256],
        );
      });
      return reply.redirect(`/petitions/${petition.id}`, 303);
    },
  );

  app.get<{ Params: { id: number; fileId: number } }>(
    '/petitions/:id/files/:fileId',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
            fileId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
          },
        },
      },
    },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      const file = await db.one<{ file_key: string; file_name: string }>(
        'SELECT file_key, file_name FROM petition_files WHERE id = $1 AND petition_id = $2',
        [request.params.fileId, petition.id],
      );
      if (!file) throw new NotFoundError('no such file');
      const extension = /\.([a-z]+)$/i.exec(file.file_name)?.[1]?.toLowerCase() ?? '';
      reply
        .type(
          MIME_TYPES[(extension === 'jpg' ? 'jpeg' : extension) as keyof typeof MIME_TYPES] ??
            'application/octet-stream',
        )
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.file_name)}`);
      return sendStoredFile(request, reply, app.files, file.file_key);
    },
  );

  // ---- Signing ----

  async function sign(request: FastifyRequest, petition: Petition, options: { showName: boolean; notify: boolean }) {
    const user = request.user!;
    await signerAccounts.hit(request, `account:${user.id}`);
    await signerAddresses.hit(request, `address:${request.ip}`);
    return signPetition(db, actorOf(request), user, petition, { ...options, ip: request.ip }, clock.now());
  }

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/petitions/:id/sign',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      try {
        const result = await sign(request, petition, {
          showName: request.body?.show_name === 'on',
          notify: request.body?.notify === 'on',
        });
        return reply.redirect(
          `/petitions/${petition.id}?done=${result.signed ? 'signed' : 'already_signed'}#signed`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderPetition(request, reply, petition, { errors: fieldMessages(request.t, error) }, error.statusCode);
      }
    },
  );

  // ---- Moderation (the city's editors) ----

  app.post<{ Params: { id: number } }>(
    '/petitions/:id/publish',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    (request, reply) =>
      act(request, reply, async (tx, petition, user) => {
        await publishPetition(tx, actorOf(request), user, petition, clock.now(), app.config.publicUrl);
        return 'published';
      }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/petitions/:id/reject',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    (request, reply) =>
      act(request, reply, async (tx, petition, user) => {
        await rejectPetition(tx, actorOf(request), user, petition, request.body, clock.now(), app.config.publicUrl);
        return 'rejected';
      }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/petitions/:id/respond',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    (request, reply) =>
      act(request, reply, async (tx, petition, user) => {
        await respondToPetition(tx, actorOf(request), user, petition, request.body, clock.now(), app.config.publicUrl);
        return 'answered';
      }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/petitions/:id/invalidate',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    (request, reply) =>
      act(request, reply, async (tx, petition, user) => {
        const body = { ...(request.body ?? {}) };
        for (const field of ['from', 'to'])
          if (typeof body[field] === 'string' && body[field])
            body[field] = fromKyivLocal(body[field] as string)?.toISOString() ?? body[field];
        await invalidateSignatures(tx, actorOf(request), user, petition, parseInvalidation(body), clock.now());
        return 'invalidated';
      }),
  );

  app.get('/petitions/moderation', { preHandler: allow(editsSomeCity) }, async (request, reply) => {
    const cityIds = editableCityIds(request.user);
    const queue = await moderationQueue(db, cityIds);
    const open = await db.query<{ id: number }>(
      `SELECT id FROM petitions WHERE state IN ('support', 'open') ${cityIds === null ? '' : 'AND city_id = ANY($1::int[])'}`,
      cityIds === null ? [] : [cityIds],
    );
    const trends = await signatureTrends(db, [...queue.map((p) => p.id), ...open.map((p) => p.id)]);
    return reply.page({
      title: request.t('petitions.moderation'),
      nav: 'petitions',
      body: moderationPage(request.pageContext(), queue, trends, clock.now()),
    });
  });

  app.get<{ Params: { id: number }; Querystring: { done?: string; signers?: number } }>(
    '/petitions/:id',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            done: { type: 'string', maxLength: 40 },
            signers: { type: 'integer', minimum: 0, maximum: 10_000_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const petition = await load(request, request.params.id);
      const done = [
        'submitted',
        'published',
        'rejected',
        'answered',
        'invalidated',
        'signed',
        'already_signed',
      ].includes(request.query.done ?? '')
        ? request.query.done
        : undefined;
      return renderPetition(
        request,
        reply,
        petition,
        done ? { notice: request.t(`petitions.done.${done}`) } : {},
        200,
        request.query.signers ?? 0,
      );
    },
  );

  // ---- A city's rules (its editors, or an admin) ----

  const cityModerator = async (request: FastifyRequest<{ Params: { slug: string } }>) => {
    const city = await getCity(db, request.params.slug);
    if (!canModerate(request.user, city.id)) throw new ForbiddenError('only the city’s editors set its petition rules');
    return city;
  };

  app.get<{ Params: { slug: string }; Querystring: { saved?: string } }>(
    '/cities/:slug/petition-rules',
    { preHandler: allow(signedIn) },
    async (request, reply) => {
      const city = await cityModerator(request);
      const rules = (await getRules(db, city.id)) ?? DEFAULT_RULES;
      return reply.page({
        title: request.t('petitions.rules.title', { city: city.slug }),
        nav: 'petitions',
        body: rulesPage(request.pageContext(), city, rulesValues(rules), undefined, request.query.saved === '1'),
      });
    },
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/cities/:slug/petition-rules',
    { preHandler: allow(signedIn) },
    async (request, reply) => {
      const city = await cityModerator(request);
      return submitForm(request, reply, {
        title: request.t('petitions.rules.title', { city: city.slug }),
        action: async () => {
          const rules = parseRules(request.body);
          await db.transaction(async (tx) => {
            await saveRules(tx, actorOf(request), city.id, rules);
            if (rules.enabled) await ensurePetitionsDataset(tx, actorOf(request), city);
          });
          return `/cities/${city.slug}/petition-rules?saved=1`;
        },
        form: (errors) => rulesPage(request.pageContext(), city, request.body ?? {}, errors, false),
      });
    },
  );

  // ---- API ----

  app.get<{ Querystring: Record<string, string | undefined> & { limit: number; offset: number } }>(
    '/api/v1/petitions',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['petitions'],
        operationId: 'listPetitions',
        summary: 'List public petitions',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            city: { ...slugParam, description: 'City slug.' },
            state: {
              type: 'string',
              enum: STATES.filter((s) => s !== 'draft'),
              description: 'Where the petition is in its life.',
            },
            topic: { type: 'string', enum: [...TOPICS], description: 'The petition’s topic.' },
            q: { type: 'string', maxLength: 200, description: 'Words to find in the title and text.' },
            sort: {
              type: 'string',
              enum: [...SORTS],
              default: 'signatures',
              description: 'Most signed, newest or ending soonest first.',
            },
            ...paginationQuery,
          },
        },
        response: { 200: pageOf(petitionJson), ...errorResponses },
      },
    },
    async (request) => {
      const city = await cityFromSlug(request.query.city);
      if (request.query.city && !city)
        return { items: [], total: 0, limit: request.query.limit, offset: request.query.offset };
      const result = await listPetitions(db, {
        ...parseQuery(request.query, request.query.limit, request.query.offset),
        cityId: city?.id,
      });
      const now = clock.now();
      return {
        items: result.items.map((p) => present(p, now, app.config.publicUrl)),
        total: result.total,
        limit: request.query.limit,
        offset: request.query.offset,
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/petitions/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['petitions'],
        operationId: 'getPetition',
        summary: 'One petition, with its count and response',
        params: idParams,
        response: { 200: petitionJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => present(await load(request, request.params.id), clock.now(), app.config.publicUrl),
  );

  app.post<{ Params: { id: number }; Body: { show_name?: boolean; notify?: boolean } }>(
    '/api/v1/petitions/:id/signatures',
    {
      preHandler: allow(signedIn),
      schema: {
        tags: ['petitions'],
        operationId: 'signPetition',
        summary: 'Sign a petition as the token’s owner (once; a second call changes nothing)',
        security: [{ bearerAuth: [] }],
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { show_name: { type: 'boolean', default: true }, notify: { type: 'boolean', default: false } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              signed: { type: 'boolean', description: 'false when this person had already signed' },
              signatures: { type: 'integer' },
            },
          },
          401: { ...problemSchema, description: 'No token, or an unknown or revoked one' },
          403: {
            ...problemSchema,
            description: 'The signer does not meet the city’s rules (e.g. an unconfirmed e-mail)',
          },
          404: problemSchema,
          409: { ...problemSchema, description: 'The petition is not open for signatures' },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const petition = await load(request, request.params.id);
      const result = await sign(request, petition, {
        showName: request.body?.show_name ?? true,
        notify: request.body?.notify ?? false,
      });
      return { signed: result.signed, signatures: result.count };
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/cities/:slug/petition-stats',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['petitions'],
        operationId: 'cityPetitionStats',
        summary: 'A city’s petition statistics',
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        response: {
          200: {
            type: 'object',
            properties: {
              submitted: { type: 'integer' },
              open: { type: 'integer' },
              successful: { type: 'integer' },
              answered: { type: 'integer' },
              answered_on_time: { type: 'integer' },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => cityPetitionStats(db, (await getCity(db, request.params.slug)).id),
  );

  // Petitions whose period ended are closed each minute (and at start-up).
  const timer = setInterval(() => {
    closeExpiredPetitions(db, clock.now()).catch((error) => app.log.error({ err: error }, 'closing petitions failed'));
  }, 60_000);
  timer.unref();
  app.addHook('onReady', async () => {
    await closeExpiredPetitions(db, clock.now());
  });
  app.addHook('onClose', async () => clearInterval(timer));
}

export const petitionsModule = fp(routes, { name: 'petitions', dependencies: ['datastore'] });
