// The people's choice under load (`npm run bench:datathon-votes`): VOTERS people (default 10,000)
// vote in one datathon from 200 concurrent callers spread over two "servers" (two connection pools
// on one PostgreSQL server), for three submissions, with a tenth of them trying again at once (a
// repeat racing their first vote, for another submission). Each vote goes through the service's
// checks (confirmed e-mail, throw-away domains, the voting window, own team) and its one guarded
// INSERT. Afterwards the valid votes must equal the voters exactly, one per person.
// Baseline in the same run: as many plain INSERTs into the same table from 200 concurrent callers.
import os from 'node:os';
import { startPostgres } from '../scripts/postgres.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createEvent, parseEventInput } from '../src/modules/community/service.ts';
import { toZonedLocal } from '../src/modules/community/time.ts';
import {
  castVote,
  createTeam,
  getDatathon,
  getSubmission,
  getTeam,
  parseChallenge,
  parseSettings,
  saveChallenge,
  saveSettings,
  saveSubmission,
  type Submission,
} from '../src/modules/datathons/service.ts';
import type { CurrentUser } from '../src/platform/auth.ts';
import { percentile } from './support.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 10_000);
const CALLERS = 200;
const ACTOR = { userId: null, label: 'bench' };
const HOUR = 3_600_000;

const person = (id: number, email: string): CurrentUser => ({
  id,
  email,
  displayName: email,
  locale: 'uk',
  emailConfirmed: true,
  memberships: [],
  isAdmin: false,
  via: 'session',
});

const postgres = await startPostgres();
const servers = [
  await openDatabase({ databaseUrl: postgres.url, dataDir: null }),
  await openDatabase({ databaseUrl: postgres.url, dataDir: null }),
];
const [db] = servers as [(typeof servers)[0]];
try {
  await migrate(db);
  await seedDemo(db);
  const adminId = (await db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id;
  const admin = { ...person(adminId, 'admin@hromada.demo'), isAdmin: true };
  const council = (await db.one<{ id: number }>(`SELECT id FROM organizations WHERE slug = 'lviv-city-council'`))!.id;
  const now = Date.now();
  const kyiv = (ms: number) => toZonedLocal(new Date(now + ms), 'Europe/Kyiv');
  // A datathon whose submissions closed an hour ago and whose vote runs for another day.
  const newDatathon = async (title: string) => {
    const event = await createEvent(
      db,
      ACTOR,
      await parseEventInput(
        db,
        {
          kind: 'datathon',
          title,
          organizers: String(council),
          city: 'lviv',
          time_zone: 'Europe/Kyiv',
          starts_at: kyiv(-30 * HOUR),
          ends_at: kyiv(24 * HOUR),
          registration_opens_at: kyiv(-60 * HOUR),
          registration_closes_at: kyiv(-31 * HOUR),
        },
        admin,
      ),
    );
    await saveSettings(
      db,
      ACTOR,
      admin,
      event,
      parseSettings(
        { team_min: '1', team_max: '4', submission_deadline: kyiv(-HOUR), voting_closes_at: kyiv(24 * HOUR) },
        'Europe/Kyiv',
      ),
    );
    return getDatathon(db, event.id);
  };
  const datathon = await newDatathon('Bench datathon');
  const baseline = await newDatathon('Bench baseline');
  const people = await db.query<{ id: number; email: string }>(
    `INSERT INTO users (email, display_name, password_hash, email_confirmed_at)
     SELECT 'voter' || n || '@bench.example', 'Voter ' || n, 'no-login', now() FROM generate_series(1, $1::int) AS n
     RETURNING id, email`,
    [VOTERS + 6],
  );
  // Three teams of two and their submissions, made while submissions were open.
  const earlier = new Date(now - 2 * HOUR);
  const submissions: Submission[] = [];
  for (const d of [datathon, baseline]) {
    const challenge = await saveChallenge(
      db,
      ACTOR,
      admin,
      d,
      null,
      await parseChallenge(db, { organization: 'lviv-city-council', title: 'Bench', statement: 'Bench.' }),
    );
    for (let t = 0; t < 3; t++) {
      const lead = people[VOTERS + t]!;
      const teamId = await createTeam(
        db,
        ACTOR,
        person(lead.id, lead.email),
        d,
        { name: `Team ${t}`, challenge: String(challenge) },
        earlier,
      );
      const id = await saveSubmission(
        db,
        ACTOR,
        person(lead.id, lead.email),
        d,
        await getTeam(db, d.event_id, teamId),
        {
          title: `Submission ${t}`,
          description: 'Bench.',
          repository_url: null,
          demo_url: null,
          licence: 'MIT',
          dataset_ids: [],
        },
        earlier,
      );
      if (d === datathon) submissions.push(await getSubmission(db, d.event_id, id));
    }
  }
  const voters = people.slice(0, VOTERS);

  // Every voter once; after every tenth, a repeat by one a few places back, for another submission.
  const order: { voter: number; submission: number }[] = [];
  for (let i = 0; i < VOTERS; i++) {
    order.push({ voter: i, submission: i % 3 });
    if (i % 10 === 9) order.push({ voter: i - 3, submission: (i + 1) % 3 });
  }
  const latencies: number[] = [];
  let cursor = 0;
  let accepted = 0;
  let refusedRepeats = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const server = servers[caller % servers.length]!;
      while (cursor < order.length) {
        const { voter, submission } = order[cursor++]!;
        const who = voters[voter]!;
        const t0 = performance.now();
        const { voted } = await castVote(
          server,
          person(who.id, who.email),
          datathon,
          submissions[submission]!,
          `10.${(voter >> 16) & 255}.${(voter >> 8) & 255}.${voter & 255}`,
          new Date(),
        );
        latencies.push(performance.now() - t0);
        if (voted) accepted++;
        else refusedRepeats++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const counts = (await db.one<{ valid: number; rows: number; people: number }>(
    `SELECT count(*) FILTER (WHERE valid)::int AS valid, count(*)::int AS rows, count(DISTINCT user_id)::int AS people
     FROM datathon_votes WHERE event_id = $1`,
    [datathon.event_id],
  ))!;

  // Baseline: the same number of plain INSERTs into the same table, 200 callers at once.
  const baselineLatencies: number[] = [];
  let next = 0;
  const baselineSubmissions = await db.query<{ id: number }>(
    'SELECT id FROM datathon_submissions WHERE event_id = $1 ORDER BY id',
    [baseline.event_id],
  );
  const baselineStart = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const server = servers[caller % servers.length]!;
      while (next < VOTERS) {
        const i = next++;
        const t0 = performance.now();
        await server.query(
          `INSERT INTO datathon_votes (event_id, submission_id, user_id, ip_block, email_domain, created_at) VALUES ($1, $2, $3, '10.0.0.0/24', 'bench.example', $4)`,
          [baseline.event_id, baselineSubmissions[i % 3]!.id, voters[i]!.id, new Date()],
        );
        baselineLatencies.push(performance.now() - t0);
      }
    }),
  );
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  baselineLatencies.sort((a, b) => a - b);
  const baselineCount = (await db.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM datathon_votes WHERE event_id = $1',
    [baseline.event_id],
  ))!.n;

  const exact =
    counts.valid === VOTERS &&
    counts.rows === VOTERS &&
    counts.people === VOTERS &&
    accepted === VOTERS &&
    refusedRepeats === order.length - VOTERS &&
    baselineCount === VOTERS;
  const rate = VOTERS / seconds;
  const baselineRate = VOTERS / baselineSeconds;
  console.log(
    `\nHromada people's choice — ${VOTERS} voters + ${order.length - VOTERS} repeated attempts, ${CALLERS} callers over 2 pools, PostgreSQL, ${os.cpus().length} cores\n`,
  );
  console.log(
    `voting (identity and domain checks, window, one guarded INSERT): ${order.length} attempts in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} votes/s; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );
  console.log(
    `baseline, plain INSERTs: ${VOTERS} in ${baselineSeconds.toFixed(1)} s = ${baselineRate.toFixed(0)} rows/s; p50 ${percentile(baselineLatencies, 0.5).toFixed(1)} ms, p99 ${percentile(baselineLatencies, 0.99).toFixed(1)} ms`,
  );
  console.log(`ratio: ${((rate / baselineRate) * 100).toFixed(0)}% of the baseline's rate`);
  console.log(
    `valid votes ${counts.valid} of ${VOTERS} voters (rows ${counts.rows}, distinct people ${counts.people}), repeats refused ${refusedRepeats}: ${exact ? 'EXACT' : 'MISMATCH'}`,
  );
  if (!exact) process.exitCode = 1;
} finally {
  for (const server of servers) await server.close();
  postgres.stop();
}
