// The security review's findings on community events, each pinned by a test: who may name an
// organisation as organiser, where the online join link may appear, and which events make a city's
// catalog publish a dataset.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES } from '../../../test/helpers.ts';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import { FakeClock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import { cancelEvent, createEvent, parseEventInput, register, updateEvent } from './service.ts';

const SITE = { publicUrl: 'https://hromada.example.org' };
const ACTOR = { userId: null, label: 'test' };

async function rejectsWith(promise: Promise<unknown>, message: string) {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(
      error.problems.some((p) => p.message === message),
      JSON.stringify(error.problems),
    );
    return true;
  });
}

for (const engine of ENGINES) {
  describe(`community events: the security review on ${engine}`, () => {
    let app: FastifyInstance;
    let admin: CurrentUser;
    let assessor: CurrentUser; // a member of Transparency Watch only
    const org: Record<string, number> = {};
    const clock = new FakeClock('2031-05-01T09:00:00Z');

    before(async () => {
      app = await createTestApp(engine, { clock });
      const userId = async (email: string) =>
        (await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]))!.id;
      admin = (await loadUser(app.db, await userId('admin@hromada.demo'), 'session'))!;
      assessor = (await loadUser(app.db, await userId('assessor@hromada.demo'), 'session'))!;
      for (const row of await app.db.query<{ id: number; slug: string }>('SELECT id, slug FROM organizations'))
        org[row.slug] = row.id;
    });
    after(() => app.close());

    const fields = (extra: Record<string, unknown> = {}) => ({
      kind: 'meetup',
      title: 'Security review meetup',
      city: 'lviv',
      venue: 'Lviv, Rynok Square 1',
      time_zone: 'Europe/Kyiv',
      starts_at: '2031-06-10T18:00',
      ends_at: '2031-06-10T20:00',
      capacity: '2',
      registration_opens_at: '2031-05-01T10:00',
      registration_closes_at: '2031-06-10T12:00',
      ...extra,
    });

    test('finding 1: every organising organisation must be one the person belongs to; co-organisers may stay', async () => {
      const watch = org['transparency-watch']!;
      const lvivCouncil = org['lviv-city-council']!;
      const vinnytsiaCouncil = org['vinnytsia-city-council']!;
      // Naming another organisation next to one's own is refused on create.
      await rejectsWith(
        parseEventInput(app.db, fields({ organizers: [String(watch), String(lvivCouncil)] }), assessor),
        'community.error.organizers_yours',
      );
      const own = await parseEventInput(app.db, fields({ organizers: String(watch) }), assessor);
      assert.deepEqual(own.organizer_ids, [watch]);
      // Admins may name any.
      await parseEventInput(app.db, fields({ organizers: [String(watch), String(lvivCouncil)] }), admin);

      // An event the council and the watch organise together: the assessor may edit it keeping the
      // council, may drop it, but may not add an organisation they do not belong to.
      const joint = await createEvent(
        app.db,
        ACTOR,
        await parseEventInput(app.db, fields({ organizers: [String(lvivCouncil), String(watch)] }), admin),
      );
      const keep = await parseEventInput(
        app.db,
        fields({ organizers: [String(lvivCouncil), String(watch)], title: 'Renamed' }),
        assessor,
        joint.organizer_ids,
      );
      const edited = await updateEvent(app.db, ACTOR, SITE, joint.id, keep, clock.now());
      assert.deepEqual(
        edited.organizer_ids,
        [lvivCouncil, watch].sort((a, b) => a - b),
      );
      await rejectsWith(
        parseEventInput(
          app.db,
          fields({ organizers: [String(lvivCouncil), String(watch), String(vinnytsiaCouncil)] }),
          assessor,
          joint.organizer_ids,
        ),
        'community.error.organizers_yours',
      );

      // Through the forms: the new event is refused with the field's error; the edit form offers
      // the council (kept ticked) though the assessor is not its member, and refuses a new one.
      const client = new Client(app, '10.0.1.1');
      await client.login('assessor@hromada.demo', DEMO_PASSWORD);
      await client.get('/events/new');
      const refused = await client.post('/events/new', {
        _csrf: client.csrfToken(),
        ...fields({ organizers: String(lvivCouncil) }),
        organizers: String(lvivCouncil),
      } as Record<string, string>);
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /id="organizers-error"/);
      const form = await client.get(`/events/${joint.id}/edit`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, new RegExp(`value="${lvivCouncil}"[^>]*checked`));
      const addition = await client.post(`/events/${joint.id}/edit`, {
        _csrf: client.csrfToken(),
        ...(fields() as Record<string, string>),
        organizers: String(vinnytsiaCouncil),
      });
      assert.equal(addition.statusCode, 422);
      assert.deepEqual(
        (
          await app.db.query<{ organization_id: number }>(
            'SELECT organization_id FROM community_event_organizers WHERE event_id = $1 ORDER BY organization_id',
            [joint.id],
          )
        ).map((r) => r.organization_id),
        [lvivCouncil, watch].sort((a, b) => a - b),
        'nothing changed',
      );
    });

    test('finding 2: the online join link goes only to people with a seat, never into public pages or feeds', async () => {
      const secret = 'https://meet.example.org/secret-room-42';
      const watch = org['transparency-watch']!;
      const event = await createEvent(
        app.db,
        ACTOR,
        await parseEventInput(
          app.db,
          fields({ organizers: String(watch), online: 'on', online_url: secret, capacity: '1' }),
          admin,
        ),
      );
      const [seated, waiting] = await app.db.query<{ id: number; email: string }>(
        `INSERT INTO users (email, display_name, password_hash, email_confirmed_at, locale)
         VALUES ('seated@example.org', 'Seated', 'x', now(), 'en'), ('waiting@example.org', 'Waiting', 'x', now(), 'en')
         RETURNING id, email`,
      );
      assert.equal((await register(app.db, SITE, event.id, seated!, clock.now())).status, 'confirmed');
      assert.equal((await register(app.db, SITE, event.id, waiting!, clock.now())).status, 'waitlisted');
      const mailsTo = (email: string) =>
        app.db.query<{ body_text: string; attachments: { content: string }[] | null }>(
          'SELECT body_text, attachments FROM outbox WHERE to_address = $1 ORDER BY id',
          [email],
        );
      const unfold = (text: string) => text.replace(/\r\n /g, '');
      // The seat's mail and its invitation carry the link.
      const seatMail = (await mailsTo(seated!.email)).at(-1)!;
      assert.ok(seatMail.body_text.includes(secret), seatMail.body_text);
      assert.ok(unfold(seatMail.attachments![0]!.content).includes(secret));
      // A place in the queue does not.
      const queueMail = (await mailsTo(waiting!.email)).at(-1)!;
      assert.ok(!queueMail.body_text.includes(secret), queueMail.body_text);
      assert.ok(queueMail.body_text.includes(`/events/${event.id}`), 'the event’s page instead');

      // Public: the page (JSON-LD), the event's .ics, the city's and the organisation's feeds.
      const page = await app.inject(`/events/${event.id}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(secret), 'not on the public page');
      const jsonLd = JSON.parse(/<script type="application\/ld\+json">([^<]+)<\/script>/.exec(page.body)![1]!);
      const virtual = jsonLd.location.find((l: { '@type': string }) => l['@type'] === 'VirtualLocation');
      assert.equal(virtual.url, jsonLd.url, 'the virtual location is the event’s page');
      const ics = unfold((await app.inject(`/events/${event.id}/event.ics`)).body);
      assert.ok(!ics.includes(secret), ics);
      assert.match(ics, new RegExp(`LOCATION:.*/events/${event.id}`));
      for (const feed of [
        '/events/calendar/cities/lviv.ics',
        '/events/calendar/organizations/transparency-watch.ics',
      ]) {
        const body = unfold((await app.inject(feed)).body);
        assert.match(body, /Security review meetup/, feed);
        assert.ok(!body.includes(secret), feed);
        assert.ok(!body.includes('meet.example.org'), `${feed}: neither the demo event’s link`);
      }

      // The event's page shows the link to a confirmed registrant only (the demo online event:
      // the Lviv editor has a seat, the citizen is waiting).
      const demo = (await app.db.one<{ id: number; online_url: string }>(
        'SELECT id, online_url FROM community_events WHERE online_url IS NOT NULL AND id <> $1 ORDER BY id LIMIT 1',
        [event.id],
      ))!;
      const editor = new Client(app, '10.0.1.2');
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.ok((await editor.get(`/events/${demo.id}`)).body.includes(demo.online_url));
      const citizen = new Client(app, '10.0.1.3');
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.ok(!(await citizen.get(`/events/${demo.id}`)).body.includes(demo.online_url));

      // Cancelling mails everyone, the queue too: that calendar file has no link.
      await cancelEvent(app.db, ACTOR, SITE, event.id, clock.now());
      const cancelled = (await mailsTo(waiting!.email)).at(-1)!;
      assert.ok(!unfold(cancelled.attachments![0]!.content).includes(secret));
      assert.ok(!cancelled.body_text.includes(secret));
    });

    test('finding 3: only the city council’s events are published in the city’s catalog', async () => {
      const datasetOf = (city: string) =>
        app.db.one<{ id: number }>('SELECT id FROM datasets WHERE name = $1', [`${city}-community-events`]);
      // A member of a civic organisation creating an event in Odesa publishes nothing in Odesa's catalog.
      const client = new Client(app, '10.0.1.4');
      await client.login('assessor@hromada.demo', DEMO_PASSWORD);
      await client.get('/events/new');
      const created = await client.post('/events/new', {
        _csrf: client.csrfToken(),
        ...(fields({ city: 'odesa', title: 'Watch meetup in Odesa' }) as Record<string, string>),
        organizers: String(org['transparency-watch']),
      });
      assert.equal(created.statusCode, 303);
      assert.equal(await datasetOf('odesa'), undefined, 'no dataset in Odesa’s catalog');
      // Neither did the demo's Kyiv course, organised by the operator and Transparency Watch.
      assert.equal(await datasetOf('kyiv'), undefined);

      // The Lviv council's events published Lviv's dataset; its resources list the council's
      // events only, not one of a civic organisation in the same city.
      await createEvent(
        app.db,
        ACTOR,
        await parseEventInput(
          app.db,
          fields({ organizers: String(org['lviv-city-council']), title: 'Council meetup in Lviv' }),
          admin,
        ),
      );
      await createEvent(
        app.db,
        ACTOR,
        await parseEventInput(
          app.db,
          fields({ organizers: String(org['transparency-watch']), title: 'Watch-only meetup in Lviv' }),
          assessor,
        ),
      );
      const lviv = await datasetOf('lviv');
      assert.ok(lviv, 'the council’s events are published');
      const resources = await app.db.query<{ format: string; url: string }>(
        'SELECT format, url FROM resources WHERE dataset_id = $1 ORDER BY position',
        [lviv.id],
      );
      assert.deepEqual(
        resources.map((r) => r.format),
        ['CSV', 'ICS'],
      );
      for (const resource of resources) {
        const body = (await app.inject(resource.url)).body.replace(/\r\n /g, '');
        assert.match(body, /Council meetup in Lviv/, resource.url);
        assert.doesNotMatch(body, /Watch-only meetup/, resource.url);
      }
    });
  });
}
