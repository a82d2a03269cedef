// Community events: public pages (/events, /events/:id), calendars (.ics per event, per city,
// per organiser), registration and its waiting list, the organisers' pages (form, registrants,
// CSV export, attendance, messages, materials, photos, report) and /api/v1/events.
// Who may do what is decided in policy.ts.
import { html } from '../../platform/html/html.ts';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvLine } from '../../platform/csv.ts';
import { ValidationError } from '../../platform/errors.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, pageOf, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  type ReceivedUpload,
  receiveUpload,
  safeFileName,
  sendStoredFile,
  sniffFileType,
  contentDisposition,
} from '../../platform/files.ts';
import type { FieldValues } from '../../platform/html/fields.ts';
import { localName } from '../cities/service.ts';
import { getOrganization } from '../organizations/service.ts';
import { assertCanOrganize, canCreateEvents, canOrganize, canRegister, organizingOrganizationIds } from './policy.ts';
import {
  addMaterialLink,
  attendanceCounts,
  eventUrl,
  calendarFeed,
  cancelEvent,
  cancelRegistration,
  createEvent,
  EVENT_KINDS,
  getEvent,
  invitation,
  listEvents,
  listMaterials,
  listPhotos,
  listRegistrants,
  listSessions,
  markAttendance,
  messageRegistrants,
  parseEventInput,
  register,
  registrationOf,
  saveReport,
  updateEvent,
  waitingPosition,
  type CommunityEvent,
  type EventKind,
} from './service.ts';
import { toZonedLocal } from './time.ts';
import { eventForm, eventJsonLd, eventListPage, eventPage, managePage, type CityChoice } from './views.ts';
import { registerCommunitySections } from './sections.ts';

const PICKER = { scripts: ['/static/build/point-picker.js'], styles: ['/static/vendor/leaflet/leaflet.css'] };
const VENUE_MAP = { scripts: ['/static/build/rows-map.js'], styles: ['/static/vendor/leaflet/leaflet.css'] };
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_MATERIAL_BYTES = 20 * 1024 * 1024;
const MAX_PHOTOS = 30;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['id'],
} as const;
const listQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: [...EVENT_KINDS], description: 'Only events of this kind.' },
    city: { ...slugParam, description: 'Only events in this city (its slug).' },
    organization: { ...slugParam, description: 'Only events this organisation organises (its slug).' },
    when: {
      type: 'string',
      enum: ['upcoming', 'past', 'all'],
      default: 'all',
      description: 'Upcoming (not yet ended, soonest first), past (ended, latest first) or all (by start).',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'How many items to return (1–500).' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'How many items to skip.' },
  },
  additionalProperties: false,
} as const;
const pageQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string', maxLength: 20 },
    city: { type: 'string', maxLength: 80 },
    organization: { type: 'string', maxLength: 80 },
    when: { type: 'string', enum: ['upcoming', 'past'], default: 'upcoming' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

const eventJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string', format: 'uri' },
    kind: { type: 'string', enum: [...EVENT_KINDS] },
    title: { type: 'string' },
    description: { type: 'string' },
    city: { type: ['string', 'null'], description: 'The city’s slug; null for an event only online.' },
    online: { type: 'boolean' },
    venue: { type: ['string', 'null'] },
    latitude: { type: ['number', 'null'] },
    longitude: { type: ['number', 'null'] },
    time_zone: { type: 'string', description: 'The zone the event’s times are shown in (IANA).' },
    starts_at: { type: 'string', format: 'date-time' },
    ends_at: { type: 'string', format: 'date-time' },
    capacity: { type: ['integer', 'null'], description: 'Seats; null when there is no limit.' },
    seats_taken: { type: 'integer' },
    waiting: { type: 'integer', description: 'People on the waiting list.' },
    registration_opens_at: { type: 'string', format: 'date-time' },
    registration_closes_at: { type: 'string', format: 'date-time' },
    cancelled: { type: 'boolean' },
    organizers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          slug: { type: 'string' },
          name: {
            type: 'object',
            properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } },
          },
        },
      },
    },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          title: { type: 'string' },
          starts_at: { type: 'string', format: 'date-time' },
          ends_at: { type: 'string', format: 'date-time' },
        },
      },
    },
    ical: { type: 'string', format: 'uri', description: 'The event as an iCalendar file.' },
  },
} as const;

async function routes(app: FastifyInstance) {
  registerCommunitySections(app);
  const { db, clock } = app;
  // Read when used: the address may be set after the routes are (a test server's port).
  const site = {
    get publicUrl() {
      return app.config.publicUrl;
    },
  };
  // Registering and cancelling write, mail and audit: one account may do it only so often.
  const registrations = new WindowCounter('community-registration', 3_600_000, 30);
  const messages = new WindowCounter('community-message', 3_600_000, 10);

  // The community hub: each part of the community (events, datathons, the showcase, data
  // requests, courses, the handbook) contributes its card through the 'community' section place.
  app.get('/community', async (request, reply) => {
    const { t } = request;
    return reply.page({
      title: t('community.hub.title'),
      nav: 'community',
      body: html`<h1>${t('community.hub.title')}</h1>
<p class="lead">${t('community.hub.lead')}</p>
<ul class="cards hub-cards">${await app.sections.render('community', request, undefined)}</ul>`,
    });
  });

  const cityChoices = () =>
    db.query<CityChoice>(
      'SELECT slug, name_uk, name_en, name_bg, latitude, longitude FROM cities ORDER BY sort_key_uk',
    );
  /** The user's organisations, and when editing also the event's current organisers (they may stay). */
  const organizationChoices = (request: FastifyRequest, eventId: number | null) => {
    const mine = organizingOrganizationIds(request.user);
    return db.query<{ id: number; name_uk: string; name_en: string; name_bg: string }>(
      `SELECT id, name_uk, name_en, name_bg FROM organizations ${
        mine === null
          ? ''
          : 'WHERE id = ANY($1::int[]) OR id IN (SELECT organization_id FROM community_event_organizers WHERE event_id = $2)'
      } ORDER BY kind, slug`,
      mine === null ? [] : [mine, eventId ?? 0],
    );
  };

  function present(e: CommunityEvent, sessions: { title: string; starts_at: Date; ends_at: Date }[]) {
    const url = `${site.publicUrl.replace(/\/$/, '')}/events/${e.id}`;
    return {
      id: e.id,
      url,
      kind: e.kind,
      title: e.title,
      description: e.description,
      city: e.city_slug,
      online: e.online,
      venue: e.venue,
      latitude: e.latitude,
      longitude: e.longitude,
      time_zone: e.time_zone,
      starts_at: e.starts_at.toISOString(),
      ends_at: e.ends_at.toISOString(),
      capacity: e.capacity,
      seats_taken: e.confirmed_count,
      waiting: e.waitlisted_count,
      registration_opens_at: e.registration_opens_at.toISOString(),
      registration_closes_at: e.registration_closes_at.toISOString(),
      cancelled: e.cancelled_at !== null,
      organizers: e.organizers.map((o) => ({ slug: o.slug, name: { uk: o.name_uk, en: o.name_en, bg: o.name_bg } })),
      sessions: sessions.map((s) => ({
        title: s.title,
        starts_at: s.starts_at.toISOString(),
        ends_at: s.ends_at.toISOString(),
      })),
      ical: `${url}/event.ics`,
    };
  }

  /** Resolves the list filters given by slug; an unknown slug is a bad parameter (400), not "no events". */
  async function filterOf(query: { kind?: string; city?: string; organization?: string }) {
    const filter: { kind?: EventKind; cityId?: number; organizationId?: number } = {};
    if (query.kind && (EVENT_KINDS as readonly string[]).includes(query.kind)) filter.kind = query.kind as EventKind;
    const unknown = (field: string) =>
      new ValidationError([{ field, message: `community.error.unknown_${field}`, in: 'query' }], 400);
    if (query.city) {
      const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [query.city]);
      if (!city) throw unknown('city');
      filter.cityId = city.id;
    }
    if (query.organization) {
      const organization = await db.one<{ id: number }>('SELECT id FROM organizations WHERE slug = $1', [
        query.organization,
      ]);
      if (!organization) throw unknown('organization');
      filter.organizationId = organization.id;
    }
    return filter;
  }

  // ---- Public pages ----

  app.get<{
    Querystring: { kind?: string; city?: string; organization?: string; when: 'upcoming' | 'past'; offset: number };
  }>('/events', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const now = clock.now();
    const { query } = request;
    const limit = 20;
    const [result, cities] = await Promise.all([
      listEvents(db, { ...(await filterOf(query)), when: query.when, limit, offset: query.offset }, now),
      cityChoices(),
    ]);
    return reply.page({
      title: request.t('community.events_title'),
      body: eventListPage(
        request.pageContext(),
        result,
        {
          kind: query.kind,
          city: query.city,
          organization: query.organization,
          when: query.when,
          limit,
          offset: query.offset,
        },
        cities,
        request.user !== null && canCreateEvents(request.user),
        now,
      ),
      alternates: query.city
        ? [{ href: `/events/calendar/cities/${query.city}.ics`, type: 'text/calendar' }]
        : query.organization
          ? [{ href: `/events/calendar/organizations/${query.organization}.ics`, type: 'text/calendar' }]
          : [],
    });
  });

  const renderEvent = async (
    request: FastifyRequest,
    reply: FastifyReply,
    event: CommunityEvent,
    extra: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const now = clock.now();
    const [sessions, registration, materials, photos] = await Promise.all([
      listSessions(db, event.id),
      request.user ? registrationOf(db, event.id, request.user.id) : Promise.resolve(undefined),
      listMaterials(db, event.id),
      listPhotos(db, event.id),
    ]);
    const position = registration ? await waitingPosition(db, registration) : null;
    return reply.page(
      {
        title: event.title,
        description: event.description.slice(0, 200),
        ...(event.latitude !== null ? VENUE_MAP : {}),
        alternates: [{ href: `/events/${event.id}/event.ics`, type: 'text/calendar', title: event.title }],
        jsonLd: eventJsonLd(event, site.publicUrl, request.locale, sessions),
        body: eventPage(request.pageContext(), event, {
          now,
          registration,
          position,
          canOrganize: canOrganize(request.user, event),
          sessions,
          materials,
          photos,
          linked: await app.sections.render('event', request, { id: event.id, kind: event.kind }),
          notice: extra.notice,
          error: extra.error,
        }),
      },
      extra.status ?? 200,
    );
  };

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/events/:id',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } },
      },
    },
    async (request, reply) => {
      const event = await getEvent(db, request.params.id);
      const done = request.query.done;
      const notices = ['registered', 'waitlisted', 'cancelled', 'saved'];
      return renderEvent(request, reply, event, {
        notice: done && notices.includes(done) ? request.t(`community.done.${done}`) : undefined,
      });
    },
  );

  // Every event matching the filters as CSV (no personal data): the resource of the city's dataset.
  app.get<{ Querystring: { kind?: string; city?: string; organization?: string } }>(
    '/events.csv',
    { schema: { querystring: pageQuery } },
    async (request, reply) => {
      const filter = await filterOf(request.query);
      const { items } = await listEvents(
        db,
        { ...filter, when: 'all', withCancelled: true, limit: 100_000, offset: 0 },
        clock.now(),
      );
      const attended = await attendanceCounts(
        db,
        items.map((e) => e.id),
      );
      const header = [
        'id',
        'kind',
        'title',
        'city',
        'online',
        'venue',
        'latitude',
        'longitude',
        'time_zone',
        'starts_at',
        'ends_at',
        'capacity',
        'registered',
        'waiting',
        'attended',
        'cancelled',
        'organizers',
        'url',
      ];
      const lines = items.map((e) =>
        csvLine([
          e.id,
          e.kind,
          e.title,
          e.city_slug ?? '',
          e.online,
          e.venue ?? '',
          e.latitude ?? '',
          e.longitude ?? '',
          e.time_zone,
          e.starts_at.toISOString(),
          e.ends_at.toISOString(),
          e.capacity ?? '',
          e.confirmed_count,
          e.waitlisted_count,
          attended.get(e.id) ?? 0,
          e.cancelled_at !== null,
          e.organizers.map((o) => o.slug).join(' '),
          eventUrl(site, e.id),
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="events${request.query.city ? `-${request.query.city}` : ''}.csv"`,
        )
        .send([csvLine(header), ...lines].join('')); // each line ends in CRLF
    },
  );

  app.get<{ Params: { id: number } }>(
    '/events/:id/venue.geojson',
    { schema: { params: idParams } },
    async (request, reply) => {
      const event = await getEvent(db, request.params.id);
      const features =
        event.latitude === null
          ? []
          : [
              {
                type: 'Feature',
                geometry: { type: 'Point', coordinates: [event.longitude, event.latitude] },
                properties: { name: event.venue ?? event.title },
              },
            ];
      return reply.type('application/geo+json').send({ type: 'FeatureCollection', features });
    },
  );

  // ---- Calendars ----

  const sendCalendar = (reply: FastifyReply, name: string, body: string) =>
    reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${name}.ics"`)
      .header('cache-control', 'public, max-age=300')
      .send(body);

  app.get<{ Params: { id: number } }>(
    '/events/:id/event.ics',
    { schema: { params: idParams } },
    async (request, reply) => {
      const event = await getEvent(db, request.params.id);
      return sendCalendar(
        reply,
        `event-${event.id}`,
        invitation(site, event, await listSessions(db, event.id)).content,
      );
    },
  );

  /** A feed holds what is coming and what happened in the last year, cancelled events marked so. */
  const feedEvents = async (filter: { cityId?: number; organizationId?: number }) => {
    const yearAgo = new Date(clock.now().getTime() - 365 * 86_400_000);
    return (await listEvents(db, { ...filter, when: 'upcoming', withCancelled: true, limit: 500, offset: 0 }, yearAgo))
      .items;
  };

  app.get<{ Params: { slug: string } }>(
    '/events/calendar/cities/:slug.ics',
    { schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } } },
    async (request, reply) => {
      const city = await db.one<{ id: number; slug: string; name_uk: string; name_en: string; name_bg: string }>(
        'SELECT id, slug, name_uk, name_en, name_bg FROM cities WHERE slug = $1',
        [request.params.slug],
      );
      if (!city) return reply.callNotFound();
      const name = `${request.t('community.events_title')}: ${localName(city, request.locale)}`;
      return sendCalendar(
        reply,
        `events-${city.slug}`,
        await calendarFeed(db, site, name, await feedEvents({ cityId: city.id })),
      );
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/events/calendar/organizations/:slug.ics',
    { schema: { params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] } } },
    async (request, reply) => {
      const organization = await getOrganization(db, request.params.slug);
      const name = `${request.t('community.events_title')}: ${localName(organization, request.locale)}`;
      return sendCalendar(
        reply,
        `events-${organization.slug}`,
        await calendarFeed(db, site, name, await feedEvents({ organizationId: organization.id })),
      );
    },
  );

  // ---- Registration ----

  app.post<{ Params: { id: number } }>(
    '/events/:id/register',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const user = request.user!;
      const event = await getEvent(db, request.params.id);
      if (!canRegister(user))
        return renderEvent(request, reply, event, { error: request.t('community.error.confirm_email'), status: 403 });
      await registrations.hit(request, `user:${user.id}`);
      try {
        const registration = await register(db, site, event.id, { id: user.id, email: user.email }, clock.now());
        return reply.redirect(
          `/events/${event.id}?done=${registration.status === 'confirmed' ? 'registered' : 'waitlisted'}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderEvent(request, reply, await getEvent(db, event.id), {
          error: Object.values(fieldMessages(request.t, error)).join(' '),
          status: error.statusCode,
        });
      }
    },
  );

  app.post<{ Params: { id: number } }>(
    '/events/:id/cancel-registration',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const user = request.user!;
      await registrations.hit(request, `user:${user.id}`);
      try {
        await cancelRegistration(db, site, request.params.id, { id: user.id, email: user.email }, clock.now());
        return reply.redirect(`/events/${request.params.id}?done=cancelled`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderEvent(request, reply, await getEvent(db, request.params.id), {
          error: Object.values(fieldMessages(request.t, error)).join(' '),
          status: error.statusCode,
        });
      }
    },
  );

  // ---- Organisers ----

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
        title: request.t(id ? 'community.edit_event' : 'community.new_event'),
        ...PICKER,
        body: eventForm(request.pageContext(), {
          id,
          values,
          errors,
          cities: await cityChoices(),
          organizations: await organizationChoices(request, id),
        }),
      },
      status,
    );

  app.get('/events/new', { preHandler: allow(canCreateEvents) }, async (request, reply) => {
    const mine = organizingOrganizationIds(request.user);
    return formPage(request, reply, null, {
      kind: 'meetup',
      time_zone: 'Europe/Kyiv',
      organizers: mine && mine.length === 1 ? [String(mine[0])] : [],
    });
  });

  app.post<{ Body: Record<string, unknown> }>(
    '/events/new',
    { preHandler: allow(canCreateEvents), config: formRateLimit(30) },
    async (request, reply) => {
      try {
        const input = await parseEventInput(db, request.body, request.user!);
        const event = await createEvent(db, actorOf(request), input);
        return reply.redirect(`/events/${event.id}?done=saved`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(request, reply, null, request.body, fieldMessages(request.t, error), error.statusCode);
      }
    },
  );

  /** The event, if the user organises it (403 otherwise). */
  const organizedEvent = async (request: FastifyRequest<{ Params: { id: number } }>) => {
    const event = await getEvent(db, request.params.id);
    assertCanOrganize(request.user, event);
    return event;
  };

  app.get<{ Params: { id: number } }>(
    '/events/:id/edit',
    { schema: { params: idParams }, preHandler: allow(signedIn) },
    async (request, reply) => {
      const e = await organizedEvent(request);
      const sessions = await listSessions(db, e.id);
      const local = (d: Date) => toZonedLocal(d, e.time_zone);
      return formPage(request, reply, e.id, {
        ...e,
        city: e.city_slug ?? '',
        online: e.online ? 'on' : '',
        starts_at: local(e.starts_at),
        ends_at: local(e.ends_at),
        registration_opens_at: local(e.registration_opens_at),
        registration_closes_at: local(e.registration_closes_at),
        organizers: e.organizer_ids.map(String),
        sessions: sessions
          .map((s) => `${local(s.starts_at).replace('T', ' ')} - ${local(s.ends_at).replace('T', ' ')} ${s.title}`)
          .join('\n'),
      });
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/edit',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const event = await organizedEvent(request);
      try {
        const input = await parseEventInput(db, request.body, request.user!, event.organizer_ids);
        await updateEvent(db, actorOf(request), site, event.id, input, clock.now());
        return reply.redirect(`/events/${event.id}?done=saved`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return formPage(request, reply, event.id, request.body, fieldMessages(request.t, error), error.statusCode);
      }
    },
  );

  const renderManage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    event: CommunityEvent,
    extra: { notice?: string; errors?: Record<string, string>; values?: FieldValues; status?: number } = {},
  ) =>
    reply.page(
      {
        title: request.t('community.manage_title', { title: event.title }),
        body: managePage(request.pageContext(), event, await listRegistrants(db, event.id), {
          now: clock.now(),
          materials: await listMaterials(db, event.id),
          photos: await listPhotos(db, event.id),
          ...extra,
        }),
      },
      extra.status ?? 200,
    );

  app.get<{ Params: { id: number }; Querystring: { done?: string; count?: number } }>(
    '/events/:id/manage',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            done: { type: 'string', maxLength: 40 },
            count: { type: 'integer', minimum: 0, maximum: 1_000_000 },
          },
        },
      },
      preHandler: allow(signedIn),
    },
    async (request, reply) => {
      const event = await organizedEvent(request);
      const done = request.query.done;
      const notices = ['attendance', 'message', 'report', 'material', 'photo', 'cancelled_event'];
      return renderManage(request, reply, event, {
        notice:
          done && notices.includes(done)
            ? request.t(`community.done.${done}`, { count: request.query.count ?? 0 })
            : undefined,
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/events/:id/registrations.csv',
    { schema: { params: idParams }, preHandler: allow(signedIn) },
    async (request, reply) => {
      const event = await organizedEvent(request);
      const rows = await listRegistrants(db, event.id);
      const header = ['name', 'email', 'status', 'registered_at', 'attended'];
      const body = [
        csvLine(header),
        ...rows.map((r) =>
          csvLine([
            r.display_name,
            r.email,
            r.status,
            r.registered_at.toISOString(),
            r.attended === null ? '' : r.attended ? 'yes' : 'no',
          ]),
        ),
      ].join('\r\n');
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="event-${event.id}-registrations.csv"`)
        .send(`${body}\r\n`);
    },
  );

  /** Runs an organiser's change; on bad input shows the manage page again with the messages. */
  const manageAction =
    (
      action: (
        request: FastifyRequest<{ Params: { id: number }; Body: Record<string, unknown> }>,
        event: CommunityEvent,
      ) => Promise<string>,
    ) =>
    async (request: FastifyRequest<{ Params: { id: number }; Body: Record<string, unknown> }>, reply: FastifyReply) => {
      const event = await organizedEvent(request);
      try {
        return reply.redirect(await action(request, event), 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderManage(request, reply, event, {
          errors: fieldMessages(request.t, error),
          values: request.body,
          status: error.statusCode,
        });
      }
    };
  const manageRoute = { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(120) };

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/attendance',
    manageRoute,
    manageAction(async (request, event) => {
      const raw = request.body.attended;
      const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(Number).filter(Number.isInteger);
      const count = await markAttendance(db, actorOf(request), event, ids, clock.now());
      return `/events/${event.id}/manage?done=attendance&count=${count}`;
    }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/message',
    manageRoute,
    manageAction(async (request, event) => {
      await messages.hit(request, `event:${event.id}`);
      const count = await messageRegistrants(db, actorOf(request), event, request.body);
      return `/events/${event.id}/manage?done=message&count=${count}`;
    }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/report',
    manageRoute,
    manageAction(async (request, event) => {
      await saveReport(db, actorOf(request), event, request.body);
      return `/events/${event.id}/manage?done=report`;
    }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/materials',
    manageRoute,
    manageAction(async (request, event) => {
      await addMaterialLink(db, actorOf(request), event, request.body);
      return `/events/${event.id}/manage?done=material`;
    }),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/events/:id/cancel',
    manageRoute,
    manageAction(async (request, event) => {
      await cancelEvent(db, actorOf(request), site, event.id, clock.now());
      return `/events/${event.id}/manage?done=cancelled_event`;
    }),
  );

  /** Receives one uploaded file of the given types for an organiser; the caller stores its row. */
  async function receiveFile(
    request: FastifyRequest<{ Params: { id: number } }>,
    reply: FastifyReply,
    event: CommunityEvent,
    maxBytes: number,
    allowed: (keyof typeof MIME_TYPES)[],
    textField: string,
  ) {
    const fail = (field: string, message: string, status: number) =>
      renderManage(request, reply, event, { errors: { [field]: request.t(message) }, status });
    let upload: ReceivedUpload;
    try {
      upload = await receiveUpload(request as never, app.files, maxBytes, csrfBeforeFile(app, request, reply));
    } catch (error) {
      if (error instanceof FileTooLargeError)
        return { reply: await fail('file', 'community.error.file_too_large', 413) };
      throw error;
    }
    const stored = upload.stored;
    if (!stored) return { reply: await fail('file', 'community.error.no_file', 422) };
    const type = await sniffFileType(app.files, stored.file.key);
    const text = (upload.fields[textField] ?? '').trim();
    const problem =
      !type || !allowed.includes(type)
        ? ['file', 'community.error.file_type']
        : !text
          ? [textField, 'validation.required']
          : text.length > 300
            ? [textField, 'validation.too_long']
            : null;
    if (problem) {
      await app.files.remove(stored.file.key);
      return { reply: await fail(problem[0]!, problem[1]!, 422) };
    }
    return { stored, type: type!, text };
  }

  const uploadRoute = {
    schema: { params: idParams },
    preHandler: allow(signedIn),
    config: { csrf: 'multipart' as const, ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
  };

  app.post<{ Params: { id: number } }>('/events/:id/photos', uploadRoute, async (request, reply) => {
    const event = await organizedEvent(request);
    const count = await db.one<{ n: number }>(
      'SELECT count(*)::int AS n FROM community_event_photos WHERE event_id = $1',
      [event.id],
    );
    if (count!.n >= MAX_PHOTOS)
      return renderManage(request, reply, event, {
        errors: { file: request.t('community.error.too_many_photos', { max: MAX_PHOTOS }) },
        status: 422,
      });
    const received = await receiveFile(request, reply, event, MAX_PHOTO_BYTES, ['png', 'jpeg', 'webp'], 'caption');
    if ('reply' in received) return received.reply;
    await db.query(
      'INSERT INTO community_event_photos (event_id, caption, file_key, mime_type, size_bytes) VALUES ($1, $2, $3, $4, $5)',
      [event.id, received.text, received.stored.file.key, MIME_TYPES[received.type], received.stored.file.size],
    );
    return reply.redirect(`/events/${event.id}/manage?done=photo`, 303);
  });

  app.post<{ Params: { id: number } }>('/events/:id/materials/file', uploadRoute, async (request, reply) => {
    const event = await organizedEvent(request);
    const received = await receiveFile(
      request,
      reply,
      event,
      MAX_MATERIAL_BYTES,
      ['pdf', 'png', 'jpeg', 'webp'],
      'file_title',
    );
    if ('reply' in received) return received.reply;
    await db.query(
      `INSERT INTO community_event_materials (event_id, kind, title, file_key, file_name, mime_type, size_bytes)
       VALUES ($1, 'file', $2, $3, $4, $5, $6)`,
      [
        event.id,
        received.text,
        received.stored.file.key,
        safeFileName(received.stored.fileName),
        MIME_TYPES[received.type],
        received.stored.file.size,
      ],
    );
    return reply.redirect(`/events/${event.id}/manage?done=material`, 303);
  });

  const fileParams = {
    type: 'object',
    required: ['id', 'fid'],
    properties: { id: idParams.properties.id, fid: idParams.properties.id },
  } as const;

  app.get<{ Params: { id: number; fid: number } }>(
    '/events/:id/photos/:fid',
    { schema: { params: fileParams } },
    async (request, reply) => {
      const photo = await db.one<{ file_key: string; mime_type: string }>(
        'SELECT file_key, mime_type FROM community_event_photos WHERE id = $1 AND event_id = $2',
        [request.params.fid, request.params.id],
      );
      if (!photo) return reply.callNotFound();
      reply.type(photo.mime_type).header('cache-control', 'public, max-age=86400');
      return sendStoredFile(request, reply, app.files, photo.file_key);
    },
  );

  app.get<{ Params: { id: number; fid: number } }>(
    '/events/:id/materials/:fid',
    { schema: { params: fileParams } },
    async (request, reply) => {
      const material = await db.one<{ file_key: string; mime_type: string; file_name: string }>(
        'SELECT file_key, mime_type, file_name FROM community_event_materials WHERE id = $1 AND event_id = $2 AND file_key IS NOT NULL',
        [request.params.fid, request.params.id],
      );
      if (!material) return reply.callNotFound();
      reply
        .type(material.mime_type)
        .header('content-disposition', contentDisposition('attachment', material.file_name))
        .header('cache-control', 'public, max-age=86400');
      return sendStoredFile(request, reply, app.files, material.file_key);
    },
  );

  // ---- /api/v1 ----

  app.get<{
    Querystring: {
      kind?: EventKind;
      city?: string;
      organization?: string;
      when: 'upcoming' | 'past' | 'all';
      limit: number;
      offset: number;
    };
  }>(
    '/api/v1/events',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['community'],
        operationId: 'listEvents',
        summary: 'Community events: meetups, training courses, datathons and forums',
        querystring: listQuery,
        response: { 200: pageOf(eventJson), ...errorResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const result = await listEvents(
        db,
        { ...(await filterOf(query)), when: query.when, limit: query.limit, offset: query.offset },
        clock.now(),
      );
      const items = [];
      for (const e of result.items) items.push(present(e, await listSessions(db, e.id)));
      return { items, total: result.total, limit: query.limit, offset: query.offset };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/events/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['community'],
        operationId: 'getEvent',
        summary: 'One community event with its sessions and seats',
        params: idParams,
        response: { 200: eventJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const event = await getEvent(db, request.params.id);
      return present(event, await listSessions(db, event.id));
    },
  );
}

export const communityModule = fp(routes, { name: 'community', dependencies: ['datastore'] });
