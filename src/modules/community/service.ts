// Community events: creating and changing them, registration with a waiting list, attendance,
// messages to registrants, reminders, materials and the report. Seats are counted and handed out
// under the event's row lock (SELECT … FOR UPDATE), so servers sharing the database never give
// away more seats than the capacity and the waiting list moves up exactly once per free seat.
import type { Queryable } from '../../platform/db/index.ts';
import { likePattern } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.ts';
import { queueMail } from '../../platform/mail.ts';
import { isLocale, translator, type Locale } from '../../platform/i18n/locales.ts';
import { Checker } from '../../platform/validate.ts';
import { calendar, type CalendarEvent } from './ical.ts';
import { publishCityEventsDataset } from './open-data.ts';
import { mayOrganizeFor } from './policy.ts';
import { formatSpan, fromZonedLocal, TIME_ZONES, type TimeZone } from './time.ts';

export const EVENT_KINDS = ['meetup', 'training', 'datathon', 'forum'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const MATERIAL_KINDS = ['slides', 'recording', 'link'] as const;
export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled';

export interface CommunityEvent {
  id: number;
  kind: EventKind;
  title: string;
  description: string;
  city_id: number | null;
  city_slug: string | null;
  city_name_uk: string | null;
  city_name_en: string | null;
  city_name_bg: string | null;
  online: boolean;
  online_url: string | null;
  venue: string | null;
  latitude: number | null;
  longitude: number | null;
  time_zone: TimeZone;
  starts_at: Date;
  ends_at: Date;
  capacity: number | null;
  registration_opens_at: Date;
  registration_closes_at: Date;
  cancelled_at: Date | null;
  report: string;
  revision: number;
  updated_at: Date;
  organizer_ids: number[];
  organizers: { id: number; slug: string; name_uk: string; name_en: string; name_bg: string }[];
  confirmed_count: number;
  waitlisted_count: number;
}

export interface EventSession {
  id: number;
  title: string;
  starts_at: Date;
  ends_at: Date;
}

const SELECT_EVENT = `SELECT e.*, c.slug AS city_slug, c.name_uk AS city_name_uk, c.name_en AS city_name_en, c.name_bg AS city_name_bg,
    coalesce((SELECT array_agg(eo.organization_id ORDER BY eo.organization_id) FROM community_event_organizers eo WHERE eo.event_id = e.id), '{}') AS organizer_ids,
    coalesce((SELECT json_agg(json_build_object('id', o.id, 'slug', o.slug, 'name_uk', o.name_uk, 'name_en', o.name_en, 'name_bg', o.name_bg) ORDER BY o.id)
      FROM community_event_organizers eo JOIN organizations o ON o.id = eo.organization_id WHERE eo.event_id = e.id), '[]') AS organizers,
    (SELECT count(*)::int FROM community_registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed_count,
    (SELECT count(*)::int FROM community_registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted_count
  FROM community_events e LEFT JOIN cities c ON c.id = e.city_id`;

export async function getEvent(db: Queryable, id: number): Promise<CommunityEvent> {
  const event = await db.one<CommunityEvent>(`${SELECT_EVENT} WHERE e.id = $1`, [id]);
  if (!event) throw new NotFoundError(`event ${id}`);
  return event;
}

export interface EventFilter {
  cityId?: number;
  organizationId?: number;
  kind?: EventKind;
  /** Upcoming: not yet ended, soonest first; past: ended, latest first. */
  when?: 'upcoming' | 'past' | 'all';
  q?: string;
  /** Cancelled events are left out unless asked for. */
  withCancelled?: boolean;
  limit: number;
  offset: number;
}

export async function listEvents(
  db: Queryable,
  filter: EventFilter,
  now: Date,
): Promise<{ items: CommunityEvent[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.cityId !== undefined) where.push(`e.city_id = $${params.push(filter.cityId)}`);
  if (filter.organizationId !== undefined)
    where.push(
      `EXISTS (SELECT 1 FROM community_event_organizers eo WHERE eo.event_id = e.id AND eo.organization_id = $${params.push(filter.organizationId)})`,
    );
  if (filter.kind) where.push(`e.kind = $${params.push(filter.kind)}`);
  if (filter.when === 'upcoming') where.push(`e.ends_at > $${params.push(now)}`);
  if (filter.when === 'past') where.push(`e.ends_at <= $${params.push(now)}`);
  if (filter.q)
    where.push(
      `lower(e.title || ' ' || e.description) LIKE $${params.push(`%${likePattern(filter.q.toLowerCase())}%`)}`,
    );
  if (!filter.withCancelled) where.push('e.cancelled_at IS NULL');
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const order = filter.when === 'past' ? 'e.starts_at DESC, e.id DESC' : 'e.starts_at, e.id';
  const items = await db.query<CommunityEvent>(
    `${SELECT_EVENT} ${whereSql} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const count = await db.one<{ total: number }>(
    `SELECT count(*)::int AS total FROM community_events e ${whereSql}`,
    params,
  );
  return { items, total: count!.total };
}

/** How many came to each event, once attendance is marked. */
export async function attendanceCounts(db: Queryable, eventIds: number[]): Promise<Map<number, number>> {
  const rows = await db.query<{ event_id: number; n: number }>(
    `SELECT event_id, count(*)::int AS n FROM community_registrations WHERE event_id = ANY($1::int[]) AND attended
     GROUP BY event_id`,
    [eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, r.n]));
}

export async function listSessions(db: Queryable, eventId: number): Promise<EventSession[]> {
  return db.query<EventSession>(
    'SELECT id, title, starts_at, ends_at FROM community_event_sessions WHERE event_id = $1 ORDER BY starts_at, id',
    [eventId],
  );
}

// ---- Creating and changing events ----

export interface EventInput {
  kind: EventKind;
  title: string;
  description: string;
  city_id: number | null;
  online: boolean;
  online_url: string | null;
  venue: string | null;
  latitude: number | null;
  longitude: number | null;
  time_zone: TimeZone;
  starts_at: Date;
  ends_at: Date;
  capacity: number | null;
  registration_opens_at: Date;
  registration_closes_at: Date;
  organizer_ids: number[];
  sessions: { title: string; starts_at: Date; ends_at: Date }[];
}

/** Values of a list field: a form's repeated checkboxes, or a JSON array. */
function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value !== '') return value.split(',');
  return [];
}

/**
 * One session a line: "2026-11-21 10:00 - 17:00 Title" (ending the same day) or
 * "2026-11-21 10:00 - 2026-11-22 17:00 Title", in the event's zone.
 */
export function parseSessionLines(
  text: string,
  zone: string,
): { sessions: EventInput['sessions']; problems: FieldProblem[] } {
  const sessions: EventInput['sessions'] = [];
  const problems: FieldProblem[] = [];
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > 50)
    problems.push({ field: 'sessions', message: 'community.error.too_many_sessions', params: { max: 50 } });
  lines.slice(0, 50).forEach((line, index) => {
    const match =
      /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})\s*[-–—]\s*(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{2}:\d{2})\s+(.{1,200})$/.exec(
        line,
      );
    const starts = match ? fromZonedLocal(`${match[1]}T${match[2]}`, zone) : null;
    const ends = match ? fromZonedLocal(`${match[3] ?? match[1]}T${match[4]}`, zone) : null;
    if (!match || !starts || !ends || ends <= starts) {
      problems.push({ field: 'sessions', message: 'community.error.session_line', params: { line: index + 1 } });
      return;
    }
    sessions.push({ title: match[5]!.trim(), starts_at: starts, ends_at: ends });
  });
  return { sessions, problems };
}

/** `currentOrganizerIds`: when editing, the event's organisers now (they may stay; see mayOrganizeFor). */
export async function parseEventInput(
  db: Queryable,
  body: unknown,
  user: CurrentUser,
  currentOrganizerIds: readonly number[] = [],
): Promise<EventInput> {
  const check = new Checker(body);
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const kind = check.oneOf('kind', EVENT_KINDS) ?? 'meetup';
  const title = check.text('title', { required: true, max: 200 });
  const description = check.text('description', { max: 20000 });
  const zone = check.oneOf('time_zone', TIME_ZONES) ?? 'Europe/Kyiv';
  const online = input.online === true || input.online === 'on' || input.online === 'true' || input.online === '1';
  const onlineUrl = check.url('online_url');
  const venue = check.optionalText('venue', 300);
  const citySlug = check.text('city', { max: 80 });
  let cityId: number | null = null;
  if (citySlug) {
    const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [citySlug]);
    if (city) cityId = city.id;
    else check.fail('city', 'community.error.unknown_city');
  } else if (!online) check.fail('city', 'community.error.city_or_online');
  if (online && !onlineUrl && !check.problems.some((p) => p.field === 'online_url'))
    check.fail('online_url', 'validation.required');
  const latitude = check.number('latitude', { min: -90, max: 90 });
  const longitude = check.number('longitude', { min: -180, max: 180 });
  if ((latitude === null) !== (longitude === null))
    check.fail(latitude === null ? 'latitude' : 'longitude', 'validation.required');
  const time = (field: string) => {
    const text = check.text(field, { required: true, max: 40 });
    if (!text) return null;
    const value = fromZonedLocal(text, zone);
    if (!value) check.fail(field, 'community.error.date_time');
    return value;
  };
  const startsAt = time('starts_at');
  const endsAt = time('ends_at');
  const opensAt = time('registration_opens_at');
  const closesAt = time('registration_closes_at');
  if (startsAt && endsAt && endsAt <= startsAt) check.fail('ends_at', 'community.error.ends_before_start');
  if (opensAt && closesAt && closesAt <= opensAt)
    check.fail('registration_closes_at', 'community.error.closes_before_opens');
  if (closesAt && endsAt && closesAt > endsAt) check.fail('registration_closes_at', 'community.error.closes_after_end');
  const capacity = check.number('capacity', { min: 1, max: 100000, integer: true });
  // Ids beyond PostgreSQL's integer are no organisation's (and would fail the query).
  const organizerIds = [...new Set(listOf(input.organizers).map(Number))].filter(
    (id) => Number.isInteger(id) && id > 0 && id <= 2_147_483_647,
  );
  if (!organizerIds.length) check.fail('organizers', 'community.error.organizers');
  else {
    const known = await db.query<{ id: number }>('SELECT id FROM organizations WHERE id = ANY($1::int[])', [
      organizerIds,
    ]);
    if (known.length !== organizerIds.length) check.fail('organizers', 'community.error.organizers');
    if (!mayOrganizeFor(user, organizerIds, currentOrganizerIds))
      check.fail('organizers', 'community.error.organizers_yours');
  }
  const sessionText = typeof input.sessions === 'string' ? input.sessions : '';
  const { sessions, problems } = parseSessionLines(sessionText, zone);
  check.problems.push(...problems);
  if (startsAt && endsAt && sessions.some((s) => s.starts_at < startsAt || s.ends_at > endsAt))
    check.fail('sessions', 'community.error.session_outside');
  check.done();
  return {
    kind,
    title,
    description,
    city_id: cityId,
    online,
    online_url: onlineUrl,
    venue,
    latitude,
    longitude,
    time_zone: zone,
    starts_at: startsAt!,
    ends_at: endsAt!,
    capacity,
    registration_opens_at: opensAt!,
    registration_closes_at: closesAt!,
    organizer_ids: organizerIds,
    sessions,
  };
}

const EVENT_COLUMNS = [
  'kind',
  'title',
  'description',
  'city_id',
  'online',
  'online_url',
  'venue',
  'latitude',
  'longitude',
  'time_zone',
  'starts_at',
  'ends_at',
  'capacity',
  'registration_opens_at',
  'registration_closes_at',
] as const;

async function saveOrganizersAndSessions(tx: Queryable, eventId: number, input: EventInput): Promise<void> {
  await tx.query('DELETE FROM community_event_organizers WHERE event_id = $1', [eventId]);
  await tx.query('INSERT INTO community_event_organizers (event_id, organization_id) SELECT $1, unnest($2::int[])', [
    eventId,
    input.organizer_ids,
  ]);
  await tx.query('DELETE FROM community_event_sessions WHERE event_id = $1', [eventId]);
  for (const s of input.sessions)
    await tx.query(
      'INSERT INTO community_event_sessions (event_id, title, starts_at, ends_at) VALUES ($1, $2, $3, $4)',
      [eventId, s.title, s.starts_at, s.ends_at],
    );
}

export type Transactional = Queryable & { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };

export async function createEvent(db: Transactional, actor: Actor, input: EventInput): Promise<CommunityEvent> {
  return db.transaction(async (tx) => {
    const row = await tx.one<{ id: number }>(
      `INSERT INTO community_events (${EVENT_COLUMNS.join(', ')}, created_by)
       VALUES (${EVENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${EVENT_COLUMNS.length + 1}) RETURNING id`,
      [...EVENT_COLUMNS.map((c) => input[c]), actor.userId],
    );
    await saveOrganizersAndSessions(tx, row!.id, input);
    const event = await getEvent(tx, row!.id);
    await publishCityEventsDataset(tx, actor, event.id);
    await recordAudit(tx, actor, 'community.event.create', 'community_event', event.id, null, input);
    return event;
  });
}

/** Site details the mails need: where links point. */
export interface Site {
  publicUrl: string;
}

export async function updateEvent(
  db: Transactional,
  actor: Actor,
  site: Site,
  id: number,
  input: EventInput,
  now: Date,
): Promise<CommunityEvent> {
  return db.transaction(async (tx) => {
    const before = await lockEvent(tx, id);
    await tx.query(
      `UPDATE community_events SET ${EVENT_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')},
         revision = revision + 1, updated_at = now() WHERE id = $1`,
      [id, ...EVENT_COLUMNS.map((c) => input[c])],
    );
    await saveOrganizersAndSessions(tx, id, input);
    const event = await getEvent(tx, id);
    await publishCityEventsDataset(tx, actor, event.id);
    // More seats than before: the waiting list moves up now.
    await fillFreeSeats(tx, site, event, now);
    await recordAudit(tx, actor, 'community.event.update', 'community_event', id, before, input);
    return getEvent(tx, id);
  });
}

/** Cancels the event and tells everyone registered or waiting. */
export async function cancelEvent(db: Transactional, actor: Actor, site: Site, id: number, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const event = await lockEvent(tx, id);
    if (event.cancelled_at) return;
    await tx.query(
      'UPDATE community_events SET cancelled_at = $2, revision = revision + 1, updated_at = now() WHERE id = $1',
      [id, now],
    );
    const cancelled = await getEvent(tx, id);
    const people = await tx.query<{ email: string; locale: string }>(
      `SELECT u.email, u.locale FROM community_registrations r JOIN users u ON u.id = r.user_id
       WHERE r.event_id = $1 AND r.status IN ('confirmed', 'waitlisted') ORDER BY r.id`,
      [id],
    );
    const sessions = await listSessions(tx, id);
    for (const person of people) {
      const t = translator(localeOf(person.locale));
      await queueMail(
        tx,
        person.email,
        t('community.mail.cancelled_subject', { title: event.title }),
        t('community.mail.cancelled_body', { title: event.title, url: eventUrl(site, id) }),
        [invitation(site, cancelled, sessions, { joinLink: false })],
      );
    }
    await recordAudit(tx, actor, 'community.event.cancel', 'community_event', id, null, { cancelled_at: now });
  });
}

/**
 * Locks the event's row and reads what deciding on a seat needs, fresh: the capacity, the times
 * and the seats taken (an index count). Kept lean: every registration waits for this lock.
 */
async function lockSeats(tx: Queryable, id: number) {
  const seats = await tx.one<
    Pick<CommunityEvent, 'capacity' | 'cancelled_at' | 'starts_at' | 'registration_opens_at' | 'registration_closes_at'>
  >(
    `SELECT capacity, cancelled_at, starts_at, registration_opens_at, registration_closes_at
     FROM community_events WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!seats) throw new NotFoundError(`event ${id}`);
  return { ...seats, confirmed: await seatsTaken(tx, id) };
}

async function seatsTaken(tx: Queryable, eventId: number): Promise<number> {
  const row = await tx.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM community_registrations WHERE event_id = $1 AND status = 'confirmed'`,
    [eventId],
  );
  return row!.n;
}

async function lockEvent(tx: Queryable, id: number): Promise<CommunityEvent> {
  const locked = await tx.one('SELECT id FROM community_events WHERE id = $1 FOR UPDATE', [id]);
  if (!locked) throw new NotFoundError(`event ${id}`);
  return getEvent(tx, id);
}

// ---- Registration ----

export interface Registration {
  id: number;
  event_id: number;
  user_id: number;
  status: RegistrationStatus;
  registered_at: Date;
  status_changed_at: Date;
  attended: boolean | null;
  reminded_at: Date | null;
}

export type RegistrationWindow = 'not_open' | 'open' | 'closed' | 'cancelled';

export function registrationWindow(
  event: Pick<CommunityEvent, 'cancelled_at' | 'registration_opens_at' | 'registration_closes_at' | 'starts_at'>,
  now: Date,
): RegistrationWindow {
  if (event.cancelled_at) return 'cancelled';
  if (now < event.registration_opens_at) return 'not_open';
  if (now >= event.registration_closes_at || now >= event.starts_at) return 'closed';
  return 'open';
}

export async function registrationOf(
  db: Queryable,
  eventId: number,
  userId: number,
): Promise<Registration | undefined> {
  return db.one<Registration>('SELECT * FROM community_registrations WHERE event_id = $1 AND user_id = $2', [
    eventId,
    userId,
  ]);
}

/** A waiting person's place in the queue (1 = next), or null. */
export async function waitingPosition(db: Queryable, registration: Registration): Promise<number | null> {
  if (registration.status !== 'waitlisted') return null;
  const row = await db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM community_registrations WHERE event_id = $1 AND status = 'waitlisted'
     AND (registered_at, id) <= ($2, $3)`,
    [registration.event_id, registration.registered_at, registration.id],
  );
  return row!.n;
}

function localeOf(value: string): Locale {
  return isLocale(value) ? value : 'uk';
}

export function eventUrl(site: Site, id: number): string {
  return `${site.publicUrl.replace(/\/$/, '')}/events/${id}`;
}

/**
 * Registers the person: a seat while there are free ones, else a place on the waiting list.
 * Registering again while registered changes nothing; after cancelling, the person queues anew.
 */
export async function register(
  db: Transactional,
  site: Site,
  eventId: number,
  user: { id: number; email: string; label?: string },
  now: Date,
): Promise<Registration> {
  // What the mail shows is read before the lock; what decides the seat, under it.
  const event = await getEvent(db, eventId);
  const sessions = await listSessions(db, eventId);
  return db.transaction(async (tx) => {
    const seats = await lockSeats(tx, eventId);
    const window = registrationWindow(seats, now);
    if (window !== 'open')
      throw new ValidationError([{ field: 'registration', message: `community.error.registration_${window}` }], 409);
    const existing = await registrationOf(tx, eventId, user.id);
    if (existing && existing.status !== 'cancelled') return existing;
    const status: RegistrationStatus =
      seats.capacity === null || seats.confirmed < seats.capacity ? 'confirmed' : 'waitlisted';
    const registration = (await tx.one<Registration>(
      `INSERT INTO community_registrations (event_id, user_id, status, registered_at, status_changed_at)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (event_id, user_id) DO UPDATE SET status = EXCLUDED.status, registered_at = EXCLUDED.registered_at,
         status_changed_at = EXCLUDED.status_changed_at, attended = NULL, reminded_at = NULL
       RETURNING *`,
      [eventId, user.id, status, now],
    ))!;
    await mailRegistrant(tx, site, event, user.id, status === 'confirmed' ? 'confirmed' : 'waitlisted', sessions);
    await recordAudit(
      tx,
      { userId: user.id, label: user.label ?? user.email },
      'community.registration.create',
      'community_event',
      eventId,
      existing ? { status: existing.status } : null,
      { user_id: user.id, status },
    );
    return registration;
  });
}

/** Gives up the seat or the place in the queue; a freed seat goes to the first person waiting. */
export async function cancelRegistration(
  db: Transactional,
  site: Site,
  eventId: number,
  user: { id: number; email: string; label?: string },
  now: Date,
): Promise<Registration[]> {
  const event = await getEvent(db, eventId);
  const sessions = await listSessions(db, eventId);
  return db.transaction(async (tx) => {
    const seats = await lockSeats(tx, eventId);
    if (now >= seats.starts_at)
      throw new ValidationError([{ field: 'registration', message: 'community.error.already_started' }], 409);
    const existing = await registrationOf(tx, eventId, user.id);
    if (!existing || existing.status === 'cancelled')
      throw new ValidationError([{ field: 'registration', message: 'community.error.not_registered' }], 409);
    await tx.query(`UPDATE community_registrations SET status = 'cancelled', status_changed_at = $2 WHERE id = $1`, [
      existing.id,
      now,
    ]);
    await recordAudit(
      tx,
      { userId: user.id, label: user.label ?? user.email },
      'community.registration.cancel',
      'community_event',
      eventId,
      { user_id: user.id, status: existing.status },
      { user_id: user.id, status: 'cancelled' },
    );
    return fillFreeSeats(tx, site, { ...event, ...seats }, now, sessions);
  });
}

/**
 * Moves people up from the waiting list into free seats, first come first served, and mails
 * them their seat. The caller holds the event's row lock.
 */
export async function fillFreeSeats(
  tx: Queryable,
  site: Site,
  event: CommunityEvent,
  now: Date,
  sessions?: EventSession[],
): Promise<Registration[]> {
  if (event.cancelled_at || now >= event.starts_at) return [];
  const free = event.capacity === null ? null : event.capacity - (await seatsTaken(tx, event.id));
  if (free !== null && free <= 0) return [];
  const promoted = await tx.query<Registration>(
    `UPDATE community_registrations SET status = 'confirmed', status_changed_at = $2
     WHERE id IN (SELECT id FROM community_registrations WHERE event_id = $1 AND status = 'waitlisted'
                  ORDER BY registered_at, id LIMIT $3 FOR UPDATE)
     RETURNING *`,
    [event.id, now, free ?? 2_147_483_647],
  );
  for (const registration of promoted) {
    await mailRegistrant(tx, site, event, registration.user_id, 'promoted', sessions);
    await recordAudit(
      tx,
      { userId: null, label: 'system' },
      'community.registration.promote',
      'community_event',
      event.id,
      { user_id: registration.user_id, status: 'waitlisted' },
      { user_id: registration.user_id, status: 'confirmed' },
    );
  }
  return promoted;
}

/**
 * The .ics for one event (every session a VEVENT of its own). `joinLink`: only the invitation
 * mailed to someone with a seat carries the online join link; every other copy points to the
 * event's page, which shows the link to confirmed registrants only.
 */
export function invitation(site: Site, event: CommunityEvent, sessions: EventSession[], { joinLink = false } = {}) {
  return {
    filename: `event-${event.id}.ics`,
    content_type: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: calendar({ name: event.title, events: calendarEntries(site, event, sessions, { joinLink }) }),
  };
}

async function mailRegistrant(
  tx: Queryable,
  site: Site,
  event: CommunityEvent,
  userId: number,
  what: 'confirmed' | 'waitlisted' | 'promoted' | 'reminder',
  sessions?: EventSession[],
): Promise<void> {
  const person = await tx.one<{ email: string; locale: string }>('SELECT email, locale FROM users WHERE id = $1', [
    userId,
  ]);
  if (!person) return;
  const locale = localeOf(person.locale);
  const t = translator(locale);
  // The join link is for people with a seat; someone waiting gets the event's page.
  const joinLink = what !== 'waitlisted';
  const params = {
    title: event.title,
    when: formatSpan(locale, event.starts_at, event.ends_at, event.time_zone),
    where: eventLocation(site, event, { joinLink }) ?? '—',
    url: eventUrl(site, event.id),
  };
  // A place on the waiting list is not yet a date for the calendar.
  const attachments = joinLink
    ? [invitation(site, event, sessions ?? (await listSessions(tx, event.id)), { joinLink })]
    : [];
  await queueMail(
    tx,
    person.email,
    t(`community.mail.${what}_subject`, params),
    t(`community.mail.${what}_body`, params),
    attachments,
  );
}

export interface RegistrantRow {
  id: number;
  user_id: number;
  display_name: string;
  email: string;
  status: RegistrationStatus;
  registered_at: Date;
  attended: boolean | null;
}

/** Everyone who registered, seats first, then the waiting list in its order, then cancellations. */
export async function listRegistrants(db: Queryable, eventId: number): Promise<RegistrantRow[]> {
  return db.query<RegistrantRow>(
    `SELECT r.id, r.user_id, u.display_name, u.email, r.status, r.registered_at, r.attended
     FROM community_registrations r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1
     ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.registered_at, r.id`,
    [eventId],
  );
}

/** Records who came: the listed registrations attended, the other confirmed ones did not. */
export async function markAttendance(
  db: Transactional,
  actor: Actor,
  event: CommunityEvent,
  attendedIds: number[],
  now: Date,
): Promise<number> {
  if (now < event.starts_at)
    throw new ValidationError([{ field: 'attended', message: 'community.error.attendance_early' }], 409);
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: number; attended: boolean }>(
      `UPDATE community_registrations SET attended = (id = ANY($2::int[]))
       WHERE event_id = $1 AND status = 'confirmed' RETURNING id, attended`,
      [event.id, attendedIds],
    );
    await recordAudit(tx, actor, 'community.attendance', 'community_event', event.id, null, {
      attended: rows.filter((r) => r.attended).map((r) => r.id),
    });
    return rows.filter((r) => r.attended).length;
  });
}

export const AUDIENCES = ['confirmed', 'waitlisted', 'all'] as const;

/** Queues the organisers' message to the chosen registrants; returns how many it goes to. */
export async function messageRegistrants(
  db: Transactional,
  actor: Actor,
  event: CommunityEvent,
  body: unknown,
): Promise<number> {
  const check = new Checker(body);
  const audience = check.oneOf('audience', AUDIENCES) ?? 'confirmed';
  const subject = check.text('subject', { required: true, max: 200 });
  const text = check.text('message', { required: true, max: 10000 });
  check.done();
  return db.transaction(async (tx) => {
    const people = await tx.query<{ email: string }>(
      `SELECT u.email FROM community_registrations r JOIN users u ON u.id = r.user_id
       WHERE r.event_id = $1 AND r.status = ANY($2::text[]) ORDER BY r.id`,
      [event.id, audience === 'all' ? ['confirmed', 'waitlisted'] : [audience]],
    );
    for (const p of people) await queueMail(tx, p.email, `[${event.title}] ${subject}`, text);
    await recordAudit(tx, actor, 'community.message', 'community_event', event.id, null, {
      audience,
      subject,
      recipients: people.length,
    });
    return people.length;
  });
}

/**
 * Reminds everyone with a seat at an event starting within the next `hoursAhead` hours, once.
 * Each registration is claimed by the UPDATE that marks it, so two servers running this at the
 * same moment never send one reminder twice. Returns how many were queued.
 */
export async function sendDueReminders(db: Transactional, site: Site, now: Date, hoursAhead = 24): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx.query<{ event_id: number; user_id: number }>(
      `UPDATE community_registrations r SET reminded_at = $1
       FROM community_events e
       WHERE e.id = r.event_id AND r.status = 'confirmed' AND r.reminded_at IS NULL AND e.cancelled_at IS NULL
         AND e.starts_at > $1 AND e.starts_at <= $1 + make_interval(hours => $2)
       RETURNING r.event_id, r.user_id`,
      [now, hoursAhead],
    );
    const events = new Map<number, CommunityEvent>();
    for (const row of due) {
      let event = events.get(row.event_id);
      if (!event) events.set(row.event_id, (event = await getEvent(tx, row.event_id)));
      await mailRegistrant(tx, site, event, row.user_id, 'reminder');
    }
    return due.length;
  });
}

// ---- After the event ----

export interface Material {
  id: number;
  kind: string;
  title: string;
  url: string | null;
  file_name: string | null;
  mime_type: string | null;
  size_bytes: number | null;
}

export async function listMaterials(db: Queryable, eventId: number): Promise<Material[]> {
  return db.query<Material>(
    'SELECT id, kind, title, url, file_name, mime_type, size_bytes::int AS size_bytes FROM community_event_materials WHERE event_id = $1 ORDER BY id',
    [eventId],
  );
}

export async function addMaterialLink(
  db: Queryable,
  actor: Actor,
  event: CommunityEvent,
  body: unknown,
): Promise<void> {
  const check = new Checker(body);
  const kind = check.oneOf('material_kind', MATERIAL_KINDS) ?? 'link';
  const title = check.text('material_title', { required: true, max: 200 });
  const url = check.url('material_url');
  if (!url && !check.problems.some((p) => p.field === 'material_url'))
    check.fail('material_url', 'validation.required');
  check.done();
  await db.query('INSERT INTO community_event_materials (event_id, kind, title, url) VALUES ($1, $2, $3, $4)', [
    event.id,
    kind,
    title,
    url,
  ]);
  await recordAudit(db, actor, 'community.material.add', 'community_event', event.id, null, { kind, title, url });
}

export interface Photo {
  id: number;
  caption: string;
  mime_type: string;
}

export async function listPhotos(db: Queryable, eventId: number): Promise<Photo[]> {
  return db.query<Photo>('SELECT id, caption, mime_type FROM community_event_photos WHERE event_id = $1 ORDER BY id', [
    eventId,
  ]);
}

export async function saveReport(db: Queryable, actor: Actor, event: CommunityEvent, body: unknown): Promise<void> {
  const check = new Checker(body);
  const report = check.text('report', { max: 20000 });
  check.done();
  await db.query('UPDATE community_events SET report = $2, updated_at = now() WHERE id = $1', [event.id, report]);
  await recordAudit(db, actor, 'community.report', 'community_event', event.id, { report: event.report }, { report });
}

// ---- Calendars ----

/**
 * Where the event takes place, as text: the venue and, for an online event, the join link when
 * `joinLink` (mails to people with a seat), else the event's page (everything public).
 */
export function eventLocation(site: Site, event: CommunityEvent, { joinLink = false } = {}): string | null {
  const online = event.online ? (joinLink && event.online_url) || eventUrl(site, event.id) : null;
  return [event.venue, online].filter(Boolean).join(' · ') || null;
}

/** `joinLink`: only for the invitation mailed to someone with a seat (see invitation). */
export function calendarEntries(
  site: Site,
  event: CommunityEvent,
  sessions: EventSession[],
  { joinLink = false } = {},
): CalendarEvent[] {
  const host = new URL(site.publicUrl).hostname;
  const location = eventLocation(site, event, { joinLink });
  const base = {
    sequence: event.revision,
    stamp: event.updated_at,
    description: [event.description, eventUrl(site, event.id)].filter(Boolean).join('\n\n'),
    location,
    geo:
      event.latitude !== null && event.longitude !== null
        ? { latitude: event.latitude, longitude: event.longitude }
        : null,
    url: eventUrl(site, event.id),
    categories: [event.kind],
    cancelled: event.cancelled_at !== null,
  };
  if (!sessions.length)
    return [
      { ...base, uid: `event-${event.id}@${host}`, starts: event.starts_at, ends: event.ends_at, summary: event.title },
    ];
  return sessions.map((s) => ({
    ...base,
    uid: `event-${event.id}-session-${s.id}@${host}`,
    starts: s.starts_at,
    ends: s.ends_at,
    summary: `${event.title}: ${s.title}`,
  }));
}

/** A feed of many events: each with its sessions. */
export async function calendarFeed(db: Queryable, site: Site, name: string, events: CommunityEvent[]): Promise<string> {
  const entries: CalendarEvent[] = [];
  for (const event of events) entries.push(...calendarEntries(site, event, await listSessions(db, event.id)));
  return calendar({ name, events: entries });
}
