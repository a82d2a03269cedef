// Event registration under load (`npm run bench:events`): REGISTRANTS people (default 5,000)
// register for one event of CAPACITY seats (default 500) from 200 concurrent callers spread over
// two "servers" (two connection pools on one PostgreSQL), while a tenth of those who got a seat
// cancel at the same time, so the waiting list moves up under load. Afterwards the seats taken
// must equal the capacity exactly, everyone must hold exactly one registration, and the seats
// freed must have gone to the earliest on the waiting list.
// Baseline in the same run: as many plain INSERTs into the same table from 200 concurrent callers.
import os from 'node:os';
import { startPostgres } from '../scripts/postgres.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { cancelRegistration, createEvent, parseEventInput, register } from '../src/modules/community/service.ts';
import type { CurrentUser } from '../src/platform/auth.ts';
import { percentile } from './support.ts';

const REGISTRANTS = Number(process.env.BENCH_REGISTRANTS ?? 5_000);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 500);
const CALLERS = 200;
const SITE = { publicUrl: 'http://127.0.0.1' };
const ACTOR = { userId: null, label: 'bench' };

const postgres = await startPostgres();
const servers = [
  await openDatabase({ databaseUrl: postgres.url, dataDir: null }),
  await openDatabase({ databaseUrl: postgres.url, dataDir: null }),
];
const [db] = servers as [(typeof servers)[0]];
try {
  await migrate(db);
  await seedDemo(db);
  const admin = (await db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id;
  const operator = (await db.one<{ id: number }>(`SELECT id FROM organizations WHERE slug = 'hromada-operator'`))!.id;
  const organizer: CurrentUser = {
    id: admin,
    email: 'admin@hromada.demo',
    displayName: 'admin',
    locale: 'uk',
    emailConfirmed: true,
    memberships: [],
    isAdmin: true,
    via: 'session',
  };
  // The real time: registrations are stamped as they come, so the queue has an order to keep.
  const kyiv = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);
  const newEvent = async (title: string) =>
    createEvent(
      db,
      ACTOR,
      await parseEventInput(
        db,
        {
          kind: 'forum',
          title,
          organizers: String(operator),
          city: 'kyiv',
          time_zone: 'Europe/Kyiv',
          starts_at: kyiv(30),
          ends_at: kyiv(31),
          capacity: String(CAPACITY),
          registration_opens_at: kyiv(-1),
          registration_closes_at: kyiv(29),
        },
        organizer,
      ),
    );
  const event = await newEvent('Bench forum');
  const baselineEvent = await newEvent('Bench baseline');
  const people = await db.query<{ id: number; email: string }>(
    `INSERT INTO users (email, display_name, password_hash, email_confirmed_at)
     SELECT 'reg' || n || '@bench.example', 'Bench ' || n, 'no-login', now() FROM generate_series(1, $1::int) AS n
     RETURNING id, email`,
    [REGISTRANTS],
  );

  // Registrations, each through one of the two servers. Once the seats are gone, people who got
  // one cancel (one after every tenth registration, up to a tenth of the seats), racing the
  // registrations still coming in, so each cancellation moves someone up from the queue.
  const seated: { id: number; email: string }[] = [];
  const latencies: number[] = [];
  let cursor = 0;
  let cancellations = 0;
  let queueStarted = false;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const server = servers[caller % servers.length]!;
      while (cursor < people.length) {
        const index = cursor++;
        const person = people[index]!;
        const t0 = performance.now();
        const registration = await register(server, SITE, event.id, person, new Date());
        latencies.push(performance.now() - t0);
        if (registration.status === 'confirmed') seated.push(person);
        else queueStarted = true;
        if (queueStarted && index % 10 === 0 && cancellations < CAPACITY / 10 && seated.length) {
          cancellations++;
          await cancelRegistration(server, SITE, event.id, seated.shift()!, new Date());
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);

  const counts = (await db.one<{
    confirmed: number;
    waitlisted: number;
    cancelled: number;
    rows: number;
    people: number;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted,
       count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled, count(*)::int AS rows, count(DISTINCT user_id)::int AS people
     FROM community_registrations WHERE event_id = $1`,
    [event.id],
  ))!;
  // Nobody still waiting was ahead in the queue of someone who got a seat from it: already in the
  // queue (a smaller row id) and earlier in its order (registered_at, id).
  const order = (await db.one<{ unfair: number; promoted: number }>(
    `WITH promoted AS (
       SELECT r.* FROM community_registrations r
       WHERE r.event_id = $1 AND r.user_id IN (
         SELECT (after->>'user_id')::int FROM audit_events
         WHERE action = 'community.registration.promote' AND entity_id = $1::text))
     SELECT (SELECT count(*)::int FROM promoted) AS promoted,
       (SELECT count(*)::int FROM community_registrations w JOIN promoted c ON w.id < c.id
        WHERE w.event_id = $1 AND w.status = 'waitlisted' AND (w.registered_at, w.id) < (c.registered_at, c.id)) AS unfair`,
    [event.id],
  ))!;

  // Baseline: the same number of plain INSERTs into the same table, 200 callers at once.
  const baselineLatencies: number[] = [];
  let next = 0;
  const baselineStart = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const server = servers[caller % servers.length]!;
      while (next < people.length) {
        const person = people[next++]!;
        const t0 = performance.now();
        await server.query(
          `INSERT INTO community_registrations (event_id, user_id, status, registered_at, status_changed_at) VALUES ($1, $2, 'confirmed', $3, $3)`,
          [baselineEvent.id, person.id, new Date()],
        );
        baselineLatencies.push(performance.now() - t0);
      }
    }),
  );
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  baselineLatencies.sort((a, b) => a - b);

  const exact =
    counts.confirmed === CAPACITY &&
    counts.rows === REGISTRANTS &&
    counts.people === REGISTRANTS &&
    counts.cancelled === cancellations &&
    counts.waitlisted === REGISTRANTS - CAPACITY - cancellations &&
    order.unfair === 0 &&
    order.promoted === cancellations;
  const rate = REGISTRANTS / seconds;
  const baselineRate = REGISTRANTS / baselineSeconds;
  console.log(
    `\nHromada event registration — ${REGISTRANTS} people for ${CAPACITY} seats, ${cancellations} cancellations racing them, ${CALLERS} callers over 2 pools, PostgreSQL, ${os.cpus().length} cores\n`,
  );
  console.log(
    `registering (row lock, seat or queue, mail with .ics, audit): ${REGISTRANTS} in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} registrations/s; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );
  console.log(
    `baseline, plain INSERTs: ${REGISTRANTS} in ${baselineSeconds.toFixed(1)} s = ${baselineRate.toFixed(0)} rows/s; p50 ${percentile(baselineLatencies, 0.5).toFixed(1)} ms, p99 ${percentile(baselineLatencies, 0.99).toFixed(1)} ms`,
  );
  console.log(`ratio: ${((rate / baselineRate) * 100).toFixed(0)}% of the baseline's rate`);
  console.log(
    `seats taken ${counts.confirmed}/${CAPACITY}, waiting ${counts.waitlisted}, cancelled ${counts.cancelled}, registrations ${counts.rows} of ${counts.people} people, moved up from the queue ${order.promoted}, queue jumped ${order.unfair} times: ${exact ? 'EXACT' : 'MISMATCH'}`,
  );
  if (!exact) process.exitCode = 1;
} finally {
  for (const server of servers) await server.close();
  postgres.stop();
}
