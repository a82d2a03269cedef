// Community events: registration windows on the application clock, the waiting list moving up
// (also under concurrent registrations and cancellations), reminders sent once, the iCalendar
// files parsed back by an independent parser (ical.js), time zones, and the pages, forms,
// permissions, CSV export and /api/v1 through HTTP.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { FakeClock } from '../../platform/clock.ts';
import { deliverOutbox } from '../../platform/mail.ts';
import { startSmtpSink } from '../../../test/smtp-sink.ts';
import { ValidationError } from '../../platform/errors.ts';
import {
  cancelEvent,
  cancelRegistration,
  createEvent,
  getEvent,
  listRegistrants,
  markAttendance,
  parseEventInput,
  register,
  sendDueReminders,
  updateEvent,
} from './service.ts';
import { foldLine } from './ical.ts';
import { fromZonedLocal, toZonedLocal } from './time.ts';

const SITE = { publicUrl: 'https://hromada.example.org' };
const ACTOR = { userId: null, label: 'test' };

function admin(id: number): CurrentUser {
  return {
    id,
    email: 'admin@hromada.demo',
    displayName: 'Admin',
    locale: 'uk',
    emailConfirmed: true,
    memberships: [],
    isAdmin: true,
    via: 'session',
  };
}

/** RFC 5545's shape beyond what a lenient parser forgives: CRLF lines of at most 75 octets, required properties. */
function assertWellFormedCalendar(text: string): ICAL.Component {
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/, 'every line ends with CRLF');
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line over 75 octets: ${line}`);
  const calendar = new ICAL.Component(ICAL.parse(text));
  assert.equal(calendar.name, 'vcalendar');
  assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
  assert.ok(calendar.getFirstPropertyValue('prodid'));
  for (const event of calendar.getAllSubcomponents('vevent')) {
    for (const name of ['uid', 'dtstamp', 'dtstart', 'dtend', 'summary'])
      assert.ok(event.getFirstPropertyValue(name), `VEVENT has ${name}`);
  }
  return calendar;
}

async function rejectsWith(promise: Promise<unknown>, message: string, status?: number) {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(
      error.problems.some((p) => p.message === message),
      JSON.stringify(error.problems),
    );
    if (status) assert.equal(error.statusCode, status);
    return true;
  });
}

describe('event times in the event’s zone', () => {
  test('wall-clock times in Kyiv and Sofia become the right instants, summer and winter', () => {
    assert.equal(fromZonedLocal('2031-07-01T10:00', 'Europe/Kyiv')!.toISOString(), '2031-07-01T07:00:00.000Z');
    assert.equal(fromZonedLocal('2031-01-10T10:00', 'Europe/Kyiv')!.toISOString(), '2031-01-10T08:00:00.000Z');
    assert.equal(fromZonedLocal('2031-01-10T10:00', 'Europe/Sofia')!.toISOString(), '2031-01-10T08:00:00.000Z');
    // The first hour after clocks go forward (last Sunday of March, 03:00 → 04:00).
    assert.equal(fromZonedLocal('2031-03-30T04:30', 'Europe/Kyiv')!.toISOString(), '2031-03-30T01:30:00.000Z');
    assert.equal(toZonedLocal(new Date('2031-07-01T07:00:00Z'), 'Europe/Sofia'), '2031-07-01T10:00');
    assert.equal(fromZonedLocal('2031-02-30T10:00', 'Europe/Kyiv'), null, 'no 30 February');
    assert.equal(fromZonedLocal('tomorrow', 'Europe/Kyiv'), null);
  });

  test('lines are folded at 75 octets without splitting a character', () => {
    const line = `SUMMARY:${'Академія даних '.repeat(10)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) assert.ok(Buffer.byteLength(part) <= 75);
    assert.equal(folded.replace(/\r\n /g, ''), line);
  });
});

for (const engine of ENGINES) {
  describe(`community events on ${engine}`, () => {
    let app: FastifyInstance;
    let people: { id: number; email: string }[] = [];
    let organizer: CurrentUser;
    let operatorId: number;
    const clock = new FakeClock('2031-05-01T09:00:00Z');

    before(async () => {
      app = await createTestApp(engine, { clock });
      organizer = admin(
        (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id,
      );
      operatorId = (await app.db.one<{ id: number }>(`SELECT id FROM organizations WHERE slug = 'hromada-operator'`))!
        .id;
      people = await app.db.query<{ id: number; email: string }>(
        `INSERT INTO users (email, display_name, password_hash, email_confirmed_at, locale)
         SELECT 'person' || n || '@example.org', 'Person ' || n, 'x', now(), (ARRAY['uk', 'en', 'bg'])[1 + n % 3]
         FROM generate_series(1, 12) AS n RETURNING id, email`,
      );
    });
    after(() => app.close());

    const newEvent = async (fields: Record<string, string> = {}) =>
      createEvent(
        app.db,
        ACTOR,
        await parseEventInput(
          app.db,
          {
            kind: 'meetup',
            title: 'Meetup: budgets, contracts; and data',
            organizers: String(operatorId),
            city: 'lviv',
            venue: 'Lviv, Rynok Square 1',
            latitude: '49.8418',
            longitude: '24.0316',
            time_zone: 'Europe/Kyiv',
            starts_at: '2031-06-10T18:00',
            ends_at: '2031-06-10T20:00',
            capacity: '2',
            registration_opens_at: '2031-05-01T10:00',
            registration_closes_at: '2031-06-10T12:00',
            ...fields,
          },
          organizer,
        ),
      );
    const outboxTo = (email: string) =>
      app.db.query<{ subject: string; body_text: string; attachments: { filename: string; content: string }[] | null }>(
        'SELECT subject, body_text, attachments FROM outbox WHERE to_address = $1 ORDER BY id',
        [email],
      );

    test('the community hub shows each part with a live figure, and its pages sit under Community in the menu', async () => {
      const hub = await app.inject('/community');
      assert.equal(hub.statusCode, 200);
      for (const [id, href] of [
        ['events', '/events'],
        ['datathons', '/datathons'],
        ['showcase', '/showcase'],
        ['data-requests', '/data-requests'],
        ['academy', '/academy'],
        ['handbook', '/handbook'],
      ])
        assert.match(hub.body, new RegExp(`id="hub-${id}"><h2><a href="${href}">`), id);
      const upcoming = await app.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM community_events WHERE cancelled_at IS NULL AND ends_at >= $1',
        [clock.now()],
      );
      assert.match(hub.body, new RegExp(`<span class="stat">${upcoming!.n} (подія|події|подій) попереду</span>`));
      for (const path of [
        '/community',
        '/events',
        '/datathons',
        '/showcase',
        '/academy',
        '/handbook',
        '/data-requests',
      ])
        assert.match(
          (await app.inject(path)).body,
          /<a href="\/community" aria-current="page">Спільнота<\/a>/,
          `${path} is under Community`,
        );
    });

    test('the form’s input is checked field by field', async () => {
      await assert.rejects(
        parseEventInput(
          app.db,
          {
            kind: 'party',
            title: '',
            organizers: '',
            online_url: 'javascript:alert(1)',
            starts_at: '2031-06-10T18:00',
            ends_at: '2031-06-10T17:00',
            registration_opens_at: 'soon',
            registration_closes_at: '2031-06-11T12:00',
            sessions: 'not a session',
          },
          organizer,
        ),
        (error: ValidationError) => {
          const fields = new Set(error.problems.map((p) => p.field));
          for (const field of [
            'kind',
            'title',
            'organizers',
            'online_url',
            'ends_at',
            'registration_opens_at',
            'city',
            'sessions',
          ])
            assert.ok(fields.has(field), `${field}: ${JSON.stringify(error.problems)}`);
          return true;
        },
      );
      // Someone who belongs to no organising organisation cannot name another's.
      const outsider = { ...admin(people[0]!.id), isAdmin: false };
      await rejectsWith(
        parseEventInput(app.db, { organizers: String(operatorId), title: 'x' }, outsider),
        'community.error.organizers_yours',
      );
    });

    test('registration opens and closes at its times on the application clock', async () => {
      const event = await newEvent();
      clock.set('2031-05-01T06:59:00Z'); // 09:59 in Kyiv
      await rejectsWith(
        register(app.db, SITE, event.id, people[0]!, clock.now()),
        'community.error.registration_not_open',
        409,
      );
      clock.set('2031-06-10T09:00:00Z'); // 12:00 in Kyiv: closed
      await rejectsWith(
        register(app.db, SITE, event.id, people[0]!, clock.now()),
        'community.error.registration_closed',
        409,
      );
      clock.set('2031-05-02T09:00:00Z');
      assert.equal((await register(app.db, SITE, event.id, people[0]!, clock.now())).status, 'confirmed');
    });

    test('seats first, then the waiting list, which moves up when a seat frees, with .ics mails', async () => {
      clock.set('2031-05-02T09:00:00Z');
      const event = await newEvent();
      const [a, b, c, d] = people.slice(4, 8) as { id: number; email: string }[];
      const statuses = [];
      for (const p of [a, b, c, d]) {
        statuses.push((await register(app.db, SITE, event.id, p!, clock.now())).status);
        clock.set(new Date(clock.now().getTime() + 60_000));
      }
      assert.deepEqual(statuses, ['confirmed', 'confirmed', 'waitlisted', 'waitlisted']);
      // Registering twice changes nothing.
      assert.equal((await register(app.db, SITE, event.id, b!, clock.now())).status, 'confirmed');
      const confirmation = (await outboxTo(a!.email)).at(-1)!;
      assert.equal(confirmation.attachments?.length, 1);
      const ics = assertWellFormedCalendar(confirmation.attachments![0]!.content);
      const vevent = new ICAL.Event(ics.getFirstSubcomponent('vevent')!);
      assert.equal(vevent.summary, 'Meetup: budgets, contracts; and data', 'TEXT escaping survives a round trip');
      assert.equal(vevent.startDate.toJSDate().toISOString(), '2031-06-10T15:00:00.000Z');
      assert.equal(vevent.location, 'Lviv, Rynok Square 1');
      assert.equal((await outboxTo(c!.email)).at(-1)!.attachments, null, 'a waiting place has no invitation');

      const promoted = await cancelRegistration(app.db, SITE, event.id, a!, clock.now());
      assert.deepEqual(
        promoted.map((r) => r.user_id),
        [c!.id],
        'the first in the queue gets the seat',
      );
      const promotion = (await outboxTo(c!.email)).at(-1)!;
      assert.ok(promotion.attachments?.length, 'the promotion carries the invitation');
      const list = await listRegistrants(app.db, event.id);
      assert.deepEqual(
        list.map((r) => [r.user_id, r.status]),
        [
          [b!.id, 'confirmed'],
          [c!.id, 'confirmed'],
          [d!.id, 'waitlisted'],
          [a!.id, 'cancelled'],
        ],
      );
      // Re-registering after cancelling queues anew, behind d.
      assert.equal((await register(app.db, SITE, event.id, a!, clock.now())).status, 'waitlisted');
      // More seats: the queue moves up in order.
      const input = await parseEventInput(
        app.db,
        {
          kind: 'meetup',
          title: 'Meetup: budgets, contracts; and data',
          organizers: String(operatorId),
          city: 'lviv',
          time_zone: 'Europe/Kyiv',
          starts_at: '2031-06-10T18:00',
          ends_at: '2031-06-10T20:00',
          capacity: '3',
          registration_opens_at: '2031-05-01T10:00',
          registration_closes_at: '2031-06-10T12:00',
        },
        organizer,
      );
      await updateEvent(app.db, ACTOR, SITE, event.id, input, clock.now());
      const after = await listRegistrants(app.db, event.id);
      assert.deepEqual(
        after.filter((r) => r.status === 'confirmed').map((r) => r.user_id),
        [b!.id, c!.id, d!.id],
      );
      assert.equal((await getEvent(app.db, event.id)).revision, 1, 'the change is a new iCalendar SEQUENCE');
    });

    test('the .ics invitation reaches the mail server as a text/calendar attachment', async () => {
      const sink = await startSmtpSink();
      try {
        const person = people[4]!; // registered and seated in the test above
        while ((await deliverOutbox(app.db, sink.url, 'Hromada <no-reply@example.org>', { limit: 500 })) > 0);
        const raw = sink.received.find(
          (m) => m.includes(`To: ${person.email}`) && /filename=event-\d+\.ics|filename="event-\d+\.ics"/.test(m),
        );
        assert.ok(raw, 'a mail with the invitation was delivered');
        assert.match(raw, /Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/i);
        const part = raw.split(/\r?\n--/).find((p) => /Content-Type: text\/calendar/i.test(p))!;
        const [head, ...body] = part.split(/\r?\n\r?\n/);
        const encoded = body.join('\n\n').trim();
        const text = /base64/i.test(head!) ? Buffer.from(encoded, 'base64').toString('utf8') : encoded;
        const calendar = new ICAL.Component(ICAL.parse(text));
        assert.equal(
          calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('summary'),
          'Meetup: budgets, contracts; and data',
        );
      } finally {
        await sink.close();
      }
    });

    test('registrations at the same moment never give away more seats than the capacity', async () => {
      clock.set('2031-05-03T09:00:00Z');
      const event = await newEvent({ capacity: '3' });
      const results = await Promise.all(
        people.slice(0, 10).map((p) => register(app.db, SITE, event.id, p, clock.now())),
      );
      assert.equal(results.filter((r) => r.status === 'confirmed').length, 3);
      assert.equal(results.filter((r) => r.status === 'waitlisted').length, 7);
      // Three cancel at once: exactly three people move up, each once.
      const confirmed = results
        .filter((r) => r.status === 'confirmed')
        .map((r) => people.find((p) => p.id === r.user_id)!);
      const promoted = (
        await Promise.all(confirmed.map((p) => cancelRegistration(app.db, SITE, event.id, p, clock.now())))
      ).flat();
      assert.equal(promoted.length, 3);
      assert.equal(new Set(promoted.map((r) => r.user_id)).size, 3);
      const final = await getEvent(app.db, event.id);
      assert.equal(final.confirmed_count, 3);
      assert.equal(final.waitlisted_count, 4);
    });

    test('reminders go out once a day ahead, even when two servers run them at once', async () => {
      clock.set('2031-05-04T09:00:00Z');
      const event = await newEvent({
        starts_at: '2031-05-20T18:00',
        ends_at: '2031-05-20T20:00',
        registration_closes_at: '2031-05-20T12:00',
        capacity: '5',
      });
      for (const p of people.slice(8, 11)) await register(app.db, SITE, event.id, p, clock.now());
      assert.equal(await sendDueReminders(app.db, SITE, clock.now()), 0, 'not yet due');
      clock.set('2031-05-19T16:00:00Z'); // 19:00 in Kyiv the day before
      const counts = await Promise.all([
        sendDueReminders(app.db, SITE, clock.now()),
        sendDueReminders(app.db, SITE, clock.now()),
      ]);
      assert.equal(counts[0]! + counts[1]!, 3);
      for (const p of people.slice(8, 11)) {
        const reminders = (await outboxTo(p.email)).filter((m) => /^(Нагадування|Reminder|Напомняне):/.test(m.subject));
        assert.equal(reminders.length, 1, p.email);
        assert.ok(reminders[0]!.attachments?.length, 'the reminder carries the invitation');
      }
      assert.equal(await sendDueReminders(app.db, SITE, clock.now()), 0, 'nobody is reminded twice');
    });

    test('attendance only from the start; cancelling tells everyone with a cancelling .ics', async () => {
      clock.set('2031-05-05T09:00:00Z');
      const event = await newEvent({ capacity: '1' });
      await register(app.db, SITE, event.id, people[1]!, clock.now());
      await register(app.db, SITE, event.id, people[2]!, clock.now());
      await rejectsWith(markAttendance(app.db, ACTOR, event, [], clock.now()), 'community.error.attendance_early', 409);
      await cancelEvent(app.db, ACTOR, SITE, event.id, clock.now());
      for (const p of [people[1]!, people[2]!]) {
        const last = (await outboxTo(p.email)).at(-1)!;
        const calendar = assertWellFormedCalendar(last.attachments![0]!.content);
        assert.equal(calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('status'), 'CANCELLED');
      }
      await rejectsWith(
        register(app.db, SITE, event.id, people[3]!, clock.now()),
        'community.error.registration_cancelled',
      );
    });

    test('a course: each session is an event of the .ics, at its time', async () => {
      const event = await newEvent({
        kind: 'training',
        time_zone: 'Europe/Sofia',
        starts_at: '2031-06-07T10:00',
        ends_at: '2031-06-15T17:00',
        registration_closes_at: '2031-06-06T18:00',
        sessions:
          '2031-06-07 10:00 - 17:00 Aggregating\n2031-06-08 10:00 - 17:00 Visualising\n2031-06-14 10:00 - 2031-06-15 17:00 Analysing',
      });
      const response = await app.inject(`/events/${event.id}/event.ics`);
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^text\/calendar/);
      const calendar = assertWellFormedCalendar(response.body);
      const sessions = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      assert.deepEqual(
        sessions.map((s) => [s.summary, s.startDate.toJSDate().toISOString(), s.endDate.toJSDate().toISOString()]),
        [
          [`${event.title}: Aggregating`, '2031-06-07T07:00:00.000Z', '2031-06-07T14:00:00.000Z'],
          [`${event.title}: Visualising`, '2031-06-08T07:00:00.000Z', '2031-06-08T14:00:00.000Z'],
          [`${event.title}: Analysing`, '2031-06-14T07:00:00.000Z', '2031-06-15T14:00:00.000Z'],
        ],
      );
      assert.equal(new Set(sessions.map((s) => s.uid)).size, 3);
    });

    test('pages: the list with filters, the event with JSON-LD, the city’s and organiser’s feeds, the API', async () => {
      clock.set(new Date());
      const list = await app.inject('/events');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Академія даних/);
      const trainings = await app.inject('/events?kind=training');
      assert.doesNotMatch(trainings.body, /Онлайн-зустріч/);
      const past = await app.inject('/events?when=past&city=lviv');
      assert.match(past.body, /Зустріч спільноти відкритих даних Львова/);
      assert.equal((await app.inject('/events?city=atlantis')).statusCode, 400);
      const unknownCity = await app.inject('/api/v1/events?city=atlantis');
      assert.equal(unknownCity.statusCode, 400);
      assert.equal(unknownCity.json().errors[0].pointer, '/city');

      const api = (await app.inject('/api/v1/events?kind=training')).json();
      const academy = api.items.find((e: { title: string }) => /Академія даних/.test(e.title));
      assert.ok(academy, 'the demo course is listed');
      assert.equal(academy.sessions.length, 4);
      const page = await app.inject(`/events/${academy.id}`);
      const jsonLd = JSON.parse(/<script type="application\/ld\+json">([^<]+)<\/script>/.exec(page.body)![1]!);
      assert.equal(jsonLd['@type'], 'Event');
      assert.equal(jsonLd.startDate, academy.starts_at);
      assert.equal(jsonLd.subEvent.length, 4);
      assert.equal(jsonLd.location[0].geo['@type'], 'GeoCoordinates');

      const feed = await app.inject('/events/calendar/cities/kyiv.ics');
      const calendar = assertWellFormedCalendar(feed.body);
      assert.ok(
        calendar
          .getAllSubcomponents('vevent')
          .some((v) => /Академія даних/.test(String(v.getFirstPropertyValue('summary')))),
      );
      const orgFeed = await app.inject('/events/calendar/organizations/civic-lviv.ics');
      assertWellFormedCalendar(orgFeed.body);
      assert.match(orgFeed.body.replace(/\r\n /g, ''), /Зустріч спільноти відкритих даних Львова/);
      assert.equal((await app.inject('/events/calendar/organizations/nobody.ics')).statusCode, 404);

      // Open data: a city whose council organises events has a dataset whose resources are the live exports.
      const dataset = (await app.inject('/api/v1/datasets/lviv-community-events')).json();
      assert.deepEqual(
        dataset.resources.map((r: { format: string }) => r.format),
        ['CSV', 'ICS'],
      );
      const csv = await app.inject('/events.csv?city=lviv');
      assert.match(csv.headers['content-type'] as string, /^text\/csv/);
      const [header, ...rows] = csv.body.trim().split('\r\n');
      assert.equal(
        header,
        'id,kind,title,city,online,venue,latitude,longitude,time_zone,starts_at,ends_at,capacity,registered,waiting,attended,cancelled,organizers,url',
      );
      assert.ok(
        rows.some((r) =>
          /Зустріч спільноти відкритих даних Львова.*,3,0,2,false,lviv-city-council civic-lviv,/.test(r),
        ),
        rows.join('\n'),
      );
      assert.doesNotMatch(csv.body, /@/, 'no personal data');

      const missing = await app.inject('/api/v1/events/999999');
      assert.equal(missing.statusCode, 404);
      assert.match(missing.headers['content-type'] as string, /problem\+json/);
      const bad = await app.inject('/api/v1/events?when=someday');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().detail, /when/);
    });

    test('a resident registers through the form; only organisers see the list and its CSV', async () => {
      clock.set(new Date());
      const academy = (await app.inject('/api/v1/events?kind=training')).json().items[0] as { id: number };
      const citizen = new Client(app, '10.0.0.21');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      await citizen.get(`/events/${academy.id}`);
      assert.match(citizen.lastBody, /Ваше місце підтверджено/, 'the demo citizen already has a seat');
      const cancel = await citizen.post(`/events/${academy.id}/cancel-registration`, { _csrf: citizen.csrfToken() });
      assert.equal(cancel.statusCode, 303);
      await citizen.get(`/events/${academy.id}`);
      const again = await citizen.post(`/events/${academy.id}/register`, { _csrf: citizen.csrfToken() });
      assert.equal(again.statusCode, 303);
      assert.match(again.headers.location as string, /done=registered/);
      const noToken = await citizen.post(`/events/${academy.id}/register`, {});
      assert.equal(noToken.statusCode, 403, 'no CSRF token, no registration');

      assert.equal((await citizen.get(`/events/${academy.id}/manage`)).statusCode, 403);
      assert.equal((await citizen.get(`/events/${academy.id}/registrations.csv`)).statusCode, 403);
      const anonymous = await app.inject(`/events/${academy.id}/manage`);
      assert.equal(anonymous.statusCode, 302, 'anonymous readers are sent to log in');

      // The assessor belongs to Transparency Watch, one of the course's organisers.
      const assessor = new Client(app, '10.0.0.22');
      await assessor.login('assessor@hromada.demo', DEMO_PASSWORD);
      assert.equal((await assessor.get(`/events/${academy.id}/manage`)).statusCode, 200);
      const csv = await assessor.get(`/events/${academy.id}/registrations.csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers['content-type'] as string, /^text\/csv/);
      assert.match(csv.body, /^name,email,status,registered_at,attended\r\n/);
      assert.match(csv.body, /citizen@hromada\.demo,confirmed/);
      await assessor.get(`/events/${academy.id}/manage`);
      const message = await assessor.post(`/events/${academy.id}/message`, {
        _csrf: assessor.csrfToken(),
        audience: 'confirmed',
        subject: 'Bring a laptop',
        message: 'See you on Saturday.',
      });
      assert.equal(message.statusCode, 303);
      assert.ok(
        await app.db.one(
          `SELECT 1 FROM outbox WHERE to_address = 'citizen@hromada.demo' AND subject LIKE '%Bring a laptop'`,
        ),
      );
      assert.ok(
        await app.db.one(`SELECT 1 FROM audit_events WHERE action = 'community.message' AND entity_id = $1`, [
          String(academy.id),
        ]),
      );
      await assessor.get(`/events/${academy.id}/manage`);
      const empty = await assessor.post(`/events/${academy.id}/message`, {
        _csrf: assessor.csrfToken(),
        audience: 'confirmed',
        subject: '',
        message: '',
      });
      assert.equal(empty.statusCode, 422);
      assert.match(empty.body, /field-error/);

      // The Lviv editor organises Lviv's past meetup (through the city council), not the course.
      const editor = new Client(app, '10.0.0.23');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.equal((await editor.get(`/events/${academy.id}/edit`)).statusCode, 403);
      const lviv = (await app.inject('/api/v1/events?city=lviv&when=past')).json().items[0] as { id: number };
      await editor.get(`/events/${lviv.id}/manage`);
      const report = await editor.post(`/events/${lviv.id}/report`, {
        _csrf: editor.csrfToken(),
        report: 'Thirty people came.',
      });
      assert.equal(report.statusCode, 303);
      assert.match((await app.inject(`/events/${lviv.id}`)).body, /Thirty people came\./);

      // Photos of the report and files among the materials: checked by their bytes, organisers only.
      const upload = async (
        client: Client,
        path: string,
        fields: Record<string, string>,
        name: string,
        content: Uint8Array | string,
      ) => {
        await client.get(`/events/${lviv.id}/manage`);
        const form = multipartBody({ _csrf: client.csrfToken(), ...fields }, { name, content });
        return app.inject({
          method: 'POST',
          url: `/events/${lviv.id}/${path}`,
          payload: form.payload,
          headers: { 'content-type': form.contentType, cookie: client.cookieHeader },
          remoteAddress: client.remoteAddress,
        });
      };
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
      const pdf = '%PDF-1.4\n%test\n';
      assert.equal(
        (await upload(editor, 'photos', { caption: 'The room' }, 'room.png', '<svg onload="alert(1)"/>')).statusCode,
        422,
      );
      assert.equal(
        (await upload(editor, 'photos', { caption: '' }, 'room.png', png)).statusCode,
        422,
        'a caption is required',
      );
      assert.equal((await upload(editor, 'photos', { caption: 'The room' }, 'room.png', png)).statusCode, 303);
      assert.equal(
        (await upload(editor, 'materials/file', { file_title: 'Slides' }, 'slides.pdf', pdf)).statusCode,
        303,
      );
      assert.equal((await upload(assessor, 'photos', { caption: 'Not mine' }, 'x.png', png)).statusCode, 403);
      const page = (await app.inject(`/events/${lviv.id}`)).body;
      const photo = /<img src="(\/events\/\d+\/photos\/\d+)" alt="The room"/.exec(page);
      assert.ok(photo, 'the photo is in the report');
      const image = await app.inject(photo[1]!);
      assert.equal(image.headers['content-type'], 'image/png');
      assert.deepEqual(new Uint8Array(image.rawPayload), png);
      const file = /<a href="(\/events\/\d+\/materials\/\d+)">Slides<\/a>/.exec(page);
      assert.ok(file, 'the file is among the materials');
      const download = await app.inject(file[1]!);
      assert.equal(download.headers['content-type'], 'application/pdf');
      assert.match(download.headers['content-disposition'] as string, /attachment; filename="slides\.pdf"/);
    });

    test('registering and cancelling are limited per account: the 31st change in an hour is refused', async () => {
      clock.set(new Date());
      const academy = (await app.inject('/api/v1/events?kind=training')).json().items[0] as { id: number };
      const person = new Client(app, '10.0.0.31');
      await person.login('coordinator.lviv@hromada.demo', DEMO_PASSWORD);
      await person.get(`/events/${academy.id}`);
      const token = person.csrfToken();
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const action = i % 2 === 0 ? 'register' : 'cancel-registration';
        statuses.push((await person.post(`/events/${academy.id}/${action}`, { _csrf: token })).statusCode);
      }
      assert.deepEqual(statuses.slice(0, 30), Array(30).fill(303));
      assert.equal(statuses[30], 429);
    });

    test('an organisation’s member creates an event through the form', async () => {
      clock.set('2031-05-01T09:00:00Z');
      const assessor = new Client(app, '10.0.0.24');
      await assessor.login('assessor@hromada.demo', DEMO_PASSWORD);
      const form = await assessor.get('/events/new');
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /id="point-picker"/);
      const watch = (await app.db.one<{ id: number }>(
        `SELECT id FROM organizations WHERE slug = 'transparency-watch'`,
      ))!.id;
      const fields = {
        _csrf: assessor.csrfToken(),
        kind: 'datathon',
        title: 'Datathon: <script>alert(1)</script>',
        organizers: String(watch),
        city: 'odesa',
        time_zone: 'Europe/Kyiv',
        starts_at: '2031-06-21T10:00',
        ends_at: '2031-06-22T18:00',
        capacity: '60',
        registration_opens_at: '2031-05-01T10:00',
        registration_closes_at: '2031-06-20T18:00',
      };
      const wrong = await assessor.post('/events/new', { ...fields, ends_at: '2031-06-20T10:00' });
      assert.equal(wrong.statusCode, 422);
      assert.match(wrong.body, /id="ends_at-error"/);
      const created = await assessor.post('/events/new', { ...fields, _csrf: assessor.csrfToken() });
      assert.equal(created.statusCode, 303);
      const page = await app.inject(created.headers.location as string);
      assert.match(page.body, /Datathon: &lt;script&gt;/);
      assert.doesNotMatch(page.body, /<script>alert/);
      const citizen = new Client(app, '10.0.0.25');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal(
        (await citizen.get('/events/new')).statusCode,
        403,
        'a resident of no organisation creates no event',
      );
    });
  });
}
