// Datathons: the jury's normalisation worked by hand, one team per person held by the database,
// team sizes under concurrent acceptances, submissions frozen at the deadline on the application
// clock, judges' conflicts and another datathon's judge, the people's vote (one per account,
// petitions' integrity rules, bulk invalidation), and the pages, forms and /api/v1 through HTTP.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, ENGINES, multipartBody } from '../../../test/helpers.ts';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import { FakeClock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import { createEvent, parseEventInput } from '../community/service.ts';
import {
  addCriterion,
  addJudge,
  castVote,
  createTeam,
  decideRequest,
  getDatathon,
  getSubmission,
  getTeam,
  invalidateVotes,
  inviteToTeam,
  parseSettings,
  rankSubmissions,
  requestToJoin,
  saveSettings,
  saveSubmission,
  removeCriterion,
  scoreSubmission,
  voteCounts,
} from './service.ts';

const ACTOR = { userId: null, label: 'test' };

function person(id: number, email: string, extra: Partial<CurrentUser> = {}): CurrentUser {
  return {
    id,
    email,
    displayName: email,
    locale: 'en',
    emailConfirmed: true,
    memberships: [],
    isAdmin: false,
    via: 'session',
    ...extra,
  };
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

describe('the jury’s ranking', () => {
  test('normalises each judge’s scale: a worked example computed by hand', () => {
    // Criteria: A weight 2, B weight 1. Two submissions (1, 2), two judges.
    // Judge 10 (lenient, wide): S1 A=5 B=5, S2 A=3 B=3 → mean 4, population sd 1 → z: S1 +1 +1, S2 −1 −1.
    // Judge 20 (harsh, narrow): S1 A=2 B=1, S2 A=1 B=2 → mean 1.5, sd 0.5 → z: S1 +1 −1, S2 −1 +1.
    // Mapped back as 3 + z: judge 10 → S1 4 4, S2 2 2; judge 20 → S1 4 2, S2 2 4.
    // S1: A mean (4+4)/2 = 4, B mean (4+2)/2 = 3 → (2·4 + 1·3)/3 = 11/3 ≈ 3.6667.
    // S2: A (2+2)/2 = 2, B (2+4)/2 = 3 → (2·2 + 3)/3 = 7/3 ≈ 2.3333.
    // Raw: S1 A (5+2)/2 = 3.5, B (5+1)/2 = 3 → (7+3)/3 = 10/3; S2 A (3+1)/2 = 2, B (3+2)/2 = 2.5 → 6.5/3.
    const criteria = [
      { id: 1, name: 'A', weight: 2 },
      { id: 2, name: 'B', weight: 1 },
    ];
    const scores = [
      { submission_id: 1, judge_id: 10, criterion_id: 1, score: 5 },
      { submission_id: 1, judge_id: 10, criterion_id: 2, score: 5 },
      { submission_id: 2, judge_id: 10, criterion_id: 1, score: 3 },
      { submission_id: 2, judge_id: 10, criterion_id: 2, score: 3 },
      { submission_id: 1, judge_id: 20, criterion_id: 1, score: 2 },
      { submission_id: 1, judge_id: 20, criterion_id: 2, score: 1 },
      { submission_id: 2, judge_id: 20, criterion_id: 1, score: 1 },
      { submission_id: 2, judge_id: 20, criterion_id: 2, score: 2 },
    ];
    const [first, second] = rankSubmissions(scores, criteria, [1, 2]);
    assert.equal(first!.submission_id, 1);
    assert.ok(Math.abs(first!.score - 11 / 3) < 1e-9, String(first!.score));
    assert.ok(Math.abs(first!.raw_score - 10 / 3) < 1e-9);
    assert.equal(first!.judges, 2);
    assert.equal(second!.submission_id, 2);
    assert.ok(Math.abs(second!.score - 7 / 3) < 1e-9, String(second!.score));
    assert.ok(Math.abs(second!.raw_score - 6.5 / 3) < 1e-9);
  });

  test('normalisation can change the order the raw means give', () => {
    // Judge 1 gives everything 5 except S2 (4): mean 4.8, sd 0.4 → S2 z = −2 → 1, the others 3.5.
    // Judge 2 spreads widely: S1 1, S2 5, S3 3, S4 3, S5 3 → mean 3, sd √(8/5) ≈ 1.2649.
    // Raw: S2 (4+5)/2 = 4.5 beats S1 (5+1)/2 = 3; normalised: S2 (1 + 4.5811)/2 ≈ 2.79,
    // S1 (3.5 + 1.4189)/2 ≈ 2.46, S3–S5 (3.5 + 3)/2 = 3.25: the strict judge's one low mark counts.
    const criteria = [{ id: 1, name: 'A', weight: 1 }];
    const one = [5, 4, 5, 5, 5];
    const two = [1, 5, 3, 3, 3];
    const scores = [1, 2, 3, 4, 5].flatMap((s, i) => [
      { submission_id: s, judge_id: 1, criterion_id: 1, score: one[i]! },
      { submission_id: s, judge_id: 2, criterion_id: 1, score: two[i]! },
    ]);
    const ranked = rankSubmissions(scores, criteria, [1, 2, 3, 4, 5]);
    // S3, S4, S5 tie on both scores and judges: the earlier submission first.
    assert.deepEqual(
      ranked.map((r) => r.submission_id),
      [3, 4, 5, 2, 1],
    );
    const s2 = ranked.find((r) => r.submission_id === 2)!;
    assert.ok(Math.abs(s2.score - (1 + 3 + 2 / Math.sqrt(8 / 5)) / 2) < 1e-9);
    assert.equal(s2.raw_score, 4.5);
  });

  test('a judge who gave every score alike counts as the middle of the scale', () => {
    const ranked = rankSubmissions(
      [
        { submission_id: 1, judge_id: 1, criterion_id: 1, score: 4 },
        { submission_id: 2, judge_id: 1, criterion_id: 1, score: 4 },
      ],
      [{ id: 1, name: 'A', weight: 1 }],
      [1, 2],
    );
    assert.deepEqual(
      ranked.map((r) => [r.submission_id, r.score, r.rank]),
      [
        [1, 3, 1],
        [2, 3, 2],
      ],
    );
  });
});

for (const engine of ENGINES) {
  describe(`datathons on ${engine}`, () => {
    let app: FastifyInstance;
    const clock = new FakeClock('2031-05-01T09:00:00Z');
    let admin: CurrentUser;
    let people: CurrentUser[] = [];
    let eventId: number;
    let otherEventId: number;
    let challengeId: number;
    const orgs: Record<string, number> = {};

    const newDatathon = async (title: string, organizers: string[]) => {
      const event = await createEvent(
        app.db,
        ACTOR,
        await parseEventInput(
          app.db,
          {
            kind: 'datathon',
            title,
            organizers: organizers.map((o) => String(orgs[o])),
            city: 'lviv',
            time_zone: 'Europe/Kyiv',
            starts_at: '2031-06-06T10:00',
            ends_at: '2031-06-07T18:00',
            registration_opens_at: '2031-05-01T10:00',
            registration_closes_at: '2031-06-05T18:00',
          },
          admin,
        ),
      );
      await saveSettings(
        app.db,
        ACTOR,
        admin,
        event,
        parseSettings(
          {
            team_min: '2',
            team_max: '3',
            submission_deadline: '2031-06-07T12:00',
            voting_closes_at: '2031-06-07T18:00',
          },
          'Europe/Kyiv',
        ),
      );
      return event.id;
    };
    const datathon = () => getDatathon(app.db, eventId);

    before(async () => {
      app = await createTestApp(engine, { clock });
      const adminId = (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id;
      admin = person(adminId, 'admin@hromada.demo', { isAdmin: true });
      for (const o of await app.db.query<{ id: number; slug: string }>('SELECT id, slug FROM organizations'))
        orgs[o.slug] = o.id;
      const rows = await app.db.query<{ id: number; email: string }>(
        `INSERT INTO users (email, display_name, password_hash, email_confirmed_at, locale)
         SELECT 'hacker' || n || '@example.org', 'Hacker ' || n, 'x', now(), 'en'
         FROM generate_series(1, 12) AS n RETURNING id, email`,
      );
      people = rows.map((r) => person(r.id, r.email));
      eventId = await newDatathon('Datathon: Lviv transport', ['lviv-city-council']);
      otherEventId = await newDatathon('Datathon: Vinnytsia', ['vinnytsia-city-council']);
    });
    after(() => app.close());

    test('only the organisers pose challenges; the datasets’ pages name them; the city’s catalog lists the data', async () => {
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      assert.equal((await citizen.get(`/datathons/${eventId}/challenges/new`)).statusCode, 403);

      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      // Field errors: an unknown dataset, a missing title.
      let page = await editor.submit(`/datathons/${eventId}/challenges/new`, `/datathons/${eventId}/challenges/new`, {
        organization: 'lviv-city-council',
        title: '',
        statement: 'Buses run late.',
        datasets: 'lviv-public-transport-stops, no-such-dataset',
      });
      assert.equal(page.statusCode, 422);
      assert.match(page.body, /id="title-error"/);
      assert.match(page.body, /no-such-dataset/);
      page = await editor.submit(`/datathons/${eventId}/challenges/new`, `/datathons/${eventId}/challenges/new`, {
        organization: 'lviv-city-council',
        title: 'Buses on time',
        statement: 'Show where buses run late, stop by stop.',
        prize: '10 000 UAH',
        datasets: 'lviv-public-transport-stops',
      });
      assert.equal(page.statusCode, 303, page.body.slice(0, 500));
      challengeId = (await app.db.one<{ id: number }>('SELECT id FROM datathon_challenges WHERE event_id = $1', [
        eventId,
      ]))!.id;
      const dataset = await citizen.get('/datasets/lviv-public-transport-stops');
      assert.match(dataset.body, /id="dataset-challenges"/);
      assert.match(dataset.body, /Buses on time/);
      // Open data: the datathon's dataset in Lviv's catalog, with its CSV resources.
      const open = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = $1`,
        [`lviv-datathon-${eventId}`],
      );
      assert.equal(open!.n, 3);
      const csv = await citizen.get(`/datathons/${eventId}/challenges.csv`);
      assert.match(csv.body, /Buses on time/);
      const api = await citizen.get(`/api/v1/datathons/${eventId}/challenges`);
      assert.equal(api.statusCode, 200);
      assert.deepEqual(api.json()[0].datasets, ['lviv-public-transport-stops']);
      // An organiser of another datathon is not one of this one.
      const vinnytsia = person(people[11]!.id, people[11]!.email, {
        memberships: [
          {
            id: 0,
            role: 'city_editor',
            organizationId: orgs['vinnytsia-city-council']!,
            cityId: null,
            oblastSlug: null,
          },
        ],
      });
      await assert.rejects(
        addJudge(app.db, ACTOR, vinnytsia, await datathon(), { judge_email: 'x@example.org' }),
        /organisers/,
      );
    });

    test('one team per person per datathon, held by the database; team sizes hold under racing acceptances', async () => {
      const d = await datathon();
      const [a, b, c, e, f] = people;
      const teamA = await createTeam(
        app.db,
        ACTOR,
        a!,
        d,
        { name: 'Team A', challenge: String(challengeId) },
        clock.now(),
      );
      await rejectsWith(
        createTeam(app.db, ACTOR, a!, d, { name: 'Team A2', challenge: String(challengeId) }, clock.now()),
        'datathons.error.already_in_team',
        409,
      );
      await rejectsWith(
        createTeam(app.db, ACTOR, b!, d, { name: 'Team A', challenge: String(challengeId) }, clock.now()),
        'datathons.error.team_name_taken',
        409,
      );
      // The constraint itself, not only the code: a second membership in the same datathon fails.
      const teamB = await createTeam(
        app.db,
        ACTOR,
        b!,
        d,
        { name: 'Team B', challenge: String(challengeId) },
        clock.now(),
      );
      await assert.rejects(
        app.db.query(
          'INSERT INTO datathon_team_members (team_id, event_id, user_id, joined_at) VALUES ($1, $2, $3, now())',
          [teamB, eventId, a!.id],
        ),
        /datathon_team_members_event_id_user_id_key|duplicate key/,
      );
      // Max 3: A has 1; c, e and f ask to join; accepting all at once lets exactly two in.
      let team = await getTeam(app.db, eventId, teamA);
      for (const p of [c!, e!, f!]) await requestToJoin(app.db, ACTOR, p, d, team, clock.now());
      const requests = await app.db.query<{ id: number }>(
        `SELECT id FROM datathon_team_requests WHERE team_id = $1 AND status = 'pending' ORDER BY id`,
        [teamA],
      );
      const outcomes = await Promise.allSettled(
        requests.map((r) => decideRequest(app.db, ACTOR, a!, d, r.id, true, clock.now())),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 2, JSON.stringify(outcomes));
      team = await getTeam(app.db, eventId, teamA);
      assert.equal(team.members.length, 3);
      // Someone in team A cannot be invited into team B, and accepting an old invitation fails too.
      const bTeam = await getTeam(app.db, eventId, teamB);
      await rejectsWith(
        inviteToTeam(app.db, app.config, ACTOR, b!, d, bTeam, { email: c!.email }, clock.now()),
        'datathons.error.invitee_in_team',
        409,
      );
      await inviteToTeam(app.db, app.config, ACTOR, b!, d, bTeam, { email: people[5]!.email }, clock.now());
      const mail = await app.db.one<{ subject: string; body_text: string }>(
        'SELECT subject, body_text FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1',
        [people[5]!.email],
      );
      assert.match(mail!.subject, new RegExp(bTeam.name));
      assert.match(mail!.body_text, /\/dashboard/);
      // Only the invitee answers an invitation.
      const invite = await app.db.one<{ id: number }>(
        `SELECT id FROM datathon_team_requests WHERE team_id = $1 AND kind = 'invite' AND status = 'pending'`,
        [teamB],
      );
      await assert.rejects(decideRequest(app.db, ACTOR, a!, d, invite!.id, true, clock.now()), /invited person/);
      await decideRequest(app.db, ACTOR, people[5]!, d, invite!.id, true, clock.now());
      // The same person may be in a team of another datathon.
      const other = await getDatathon(app.db, otherEventId);
      await app.db.query(
        `INSERT INTO datathon_challenges (event_id, organization_id, title, statement) VALUES ($1, $2, 'Schools', 'Find them.')`,
        [otherEventId, orgs['vinnytsia-city-council']],
      );
      const otherChallenge = (await app.db.one<{ id: number }>(
        'SELECT id FROM datathon_challenges WHERE event_id = $1',
        [otherEventId],
      ))!.id;
      await createTeam(app.db, ACTOR, a!, other, { name: 'Team A', challenge: String(otherChallenge) }, clock.now());
    });

    test('submissions: the team’s minimum, editable until the deadline, frozen after it (409)', async () => {
      const d = await datathon();
      const [a, b] = people;
      const teamA = (await app.db.one<{ id: number }>(
        `SELECT id FROM datathon_teams WHERE event_id = $1 AND name = 'Team A'`,
        [eventId],
      ))!.id;
      const teamB = (await app.db.one<{ id: number }>(
        `SELECT id FROM datathon_teams WHERE event_id = $1 AND name = 'Team B'`,
        [eventId],
      ))!.id;
      const input = {
        title: 'Late buses map',
        description: 'A map of delays.',
        repository_url: 'https://github.com/example/late-buses',
        demo_url: null,
        licence: 'MIT',
        dataset_ids: [],
      };
      // Team C with one member is below the minimum of 2.
      const loner = people[6]!;
      const teamC = await createTeam(
        app.db,
        ACTOR,
        loner,
        d,
        { name: 'Team C', challenge: String(challengeId) },
        clock.now(),
      );
      await rejectsWith(
        saveSubmission(app.db, ACTOR, loner, d, await getTeam(app.db, eventId, teamC), input, clock.now()),
        'datathons.error.team_too_small',
      );
      // Not a member: refused.
      await assert.rejects(
        saveSubmission(app.db, ACTOR, b!, d, await getTeam(app.db, eventId, teamA), input, clock.now()),
        /members of this team/,
      );
      const s1 = await saveSubmission(app.db, ACTOR, a!, d, await getTeam(app.db, eventId, teamA), input, clock.now());
      await saveSubmission(
        app.db,
        ACTOR,
        b!,
        d,
        await getTeam(app.db, eventId, teamB),
        { ...input, title: 'Stop finder' },
        clock.now(),
      );

      // Through HTTP: a demo account in team A edits the submission with a field error first.
      const citizenId = (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'citizen@hromada.demo'`))!
        .id;
      await app.db.query(
        `UPDATE datathon_team_members SET user_id = $1 WHERE team_id = $2 AND user_id =
           (SELECT min(user_id) FROM datathon_team_members WHERE team_id = $2 AND user_id <> $3)`,
        [citizenId, teamA, a!.id],
      );
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      let page = await citizen.submit(
        `/datathons/${eventId}/teams/${teamA}`,
        `/datathons/${eventId}/teams/${teamA}/submission`,
        {
          title: 'Late buses map',
          description: 'A map of delays.',
          repository_url: 'ftp://nope',
          licence: 'MIT',
        },
      );
      assert.equal(page.statusCode, 422);
      assert.match(page.body, /id="repository_url-error"/);
      page = await citizen.submit(
        `/datathons/${eventId}/teams/${teamA}`,
        `/datathons/${eventId}/teams/${teamA}/submission`,
        {
          title: 'Late buses map, v2',
          description: 'A map of delays.',
          repository_url: 'https://github.com/example/late-buses',
          licence: 'Apache-2.0',
          datasets: 'lviv-public-transport-stops',
        },
      );
      assert.equal(page.statusCode, 303);
      // A screenshot: a PNG is taken, a text file named .png is not.
      await citizen.get(`/datathons/${eventId}/submissions/${s1}`);
      const png = Buffer.from(
        '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
          '1f15c4890000000d49444154789c6300010000050001' +
          '0d0a2db40000000049454e44ae426082',
        'hex',
      );
      for (const [file, status] of [
        [{ name: 'shot.png', content: 'not an image' }, 422],
        [{ name: 'shot.png', content: png }, 303],
      ] as const) {
        const body = multipartBody({ _csrf: citizen.csrfToken(), caption: 'The map' }, file);
        const response = await app.inject({
          method: 'POST',
          url: `/datathons/${eventId}/submissions/${s1}/screenshots`,
          headers: { cookie: citizen.cookieHeader, 'content-type': body.contentType },
          payload: body.payload,
        });
        assert.equal(response.statusCode, status, response.body.slice(0, 300));
      }
      const shot = await getSubmission(app.db, eventId, s1);
      assert.equal(shot.screenshots.length, 1);
      assert.equal(shot.title, 'Late buses map, v2');
      assert.equal(shot.datasets[0]!.name, 'lviv-public-transport-stops');

      // Before the deadline, the submission is the team's, the organisers' and this datathon's judges' only.
      const anonymous = new Client(app);
      assert.equal((await anonymous.get(`/datathons/${eventId}/submissions/${s1}`)).statusCode, 404);
      const assessor = new Client(app);
      await assessor.login('assessor@hromada.demo', DEMO_PASSWORD);
      const assessorId = (await app.db.one<{ id: number }>(
        `SELECT id FROM users WHERE email = 'assessor@hromada.demo'`,
      ))!.id;
      await app.db.query('INSERT INTO datathon_judges (event_id, user_id) VALUES ($1, $2)', [otherEventId, assessorId]);
      assert.equal(
        (await assessor.get(`/datathons/${eventId}/submissions/${s1}`)).statusCode,
        404,
        'another datathon’s judge',
      );
      await app.db.query('INSERT INTO datathon_judges (event_id, user_id) VALUES ($1, $2)', [eventId, assessorId]);
      assert.equal(
        (await assessor.get(`/datathons/${eventId}/submissions/${s1}`)).statusCode,
        200,
        'this datathon’s judge',
      );

      // The deadline passes on the application clock: the submission is frozen.
      clock.set(d.submission_deadline);
      await rejectsWith(
        saveSubmission(app.db, ACTOR, a!, d, await getTeam(app.db, eventId, teamA), input, clock.now()),
        'datathons.error.deadline_passed',
        409,
      );
      page = await citizen.post(`/datathons/${eventId}/teams/${teamA}/submission`, {
        _csrf: citizen.csrfToken(),
        title: 'Too late',
        description: 'x',
        licence: 'MIT',
      });
      assert.equal(page.statusCode, 409);
      assert.match(page.body, /Строк подання минув/);
      assert.equal((await getSubmission(app.db, eventId, s1)).title, 'Late buses map, v2');
      assert.equal((await anonymous.get(`/datathons/${eventId}/submissions/${s1}`)).statusCode, 200, 'public after');
      clock.set('2031-05-01T09:00:00Z');
    });

    test('judging: criteria up to six, conflicts recorded and refused, another datathon’s judge refused', async () => {
      const d0 = await datathon();
      await addCriterion(app.db, ACTOR, admin, d0, { criterion_name: 'Impact', criterion_weight: '2' });
      await addCriterion(app.db, ACTOR, admin, d0, { criterion_name: 'Use of data', criterion_weight: '1' });
      await rejectsWith(
        addCriterion(app.db, ACTOR, admin, d0, { criterion_name: 'Impact', criterion_weight: '1' }),
        'datathons.error.criterion_taken',
        409,
      );
      // At most six criteria (on the other datathon, whose jury scores nothing here).
      for (let i = 1; i <= 6; i++)
        await addCriterion(app.db, ACTOR, admin, await getDatathon(app.db, otherEventId), {
          criterion_name: `C${i}`,
          criterion_weight: '1',
        });
      await rejectsWith(
        addCriterion(app.db, ACTOR, admin, await getDatathon(app.db, otherEventId), {
          criterion_name: 'C7',
          criterion_weight: '1',
        }),
        'datathons.error.too_many_criteria',
        409,
      );
      const d = await datathon();
      const [s1, s2] = await app.db.query<{ id: number }>(
        'SELECT id FROM datathon_submissions WHERE event_id = $1 ORDER BY id',
        [eventId],
      );
      const judges = people.slice(7, 9);
      for (const j of judges) await addJudge(app.db, ACTOR, admin, d, { judge_email: j.email });
      const jury = await datathon();
      const scores = (a: number, b: number) => [
        { criterion_id: jury.criteria[0]!.id, score: a, comment: '' },
        { criterion_id: jury.criteria[1]!.id, score: b, comment: 'ok' },
      ];
      const sub1 = await getSubmission(app.db, eventId, s1!.id);
      const sub2 = await getSubmission(app.db, eventId, s2!.id);
      // Before the deadline: not yet.
      await rejectsWith(
        scoreSubmission(app.db, ACTOR, judges[0]!, jury, sub1, scores(5, 5), clock.now()),
        'datathons.error.judging_not_open',
        409,
      );
      // A judge is in no team, and a team member judges no one: neither way round.
      const challenge = await app.db.one<{ id: number }>(
        'SELECT id FROM datathon_challenges WHERE event_id = $1 LIMIT 1',
        [eventId],
      );
      await rejectsWith(
        createTeam(
          app.db,
          ACTOR,
          judges[0]!,
          jury,
          { name: 'Суддівська', challenge: String(challenge!.id) },
          clock.now(),
        ),
        'datathons.error.judge_in_team',
        409,
      );
      const member = (await loadUser(app.db, sub1.member_ids[0]!, 'session'))!;
      await rejectsWith(
        addJudge(app.db, ACTOR, admin, jury, { judge_email: member.email }),
        'datathons.error.judge_in_team',
        409,
      );
      // An invitation to an address with no account answers as one to any other (nothing is stored).
      const requestsBefore = await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM datathon_team_requests');
      await inviteToTeam(
        app.db,
        app.config,
        ACTOR,
        member,
        jury,
        await getTeam(app.db, eventId, sub1.team_id),
        {
          email: 'nobody-here@example.org',
        },
        clock.now(),
      );
      assert.deepEqual(await app.db.one('SELECT count(*)::int AS n FROM datathon_team_requests'), requestsBefore);
      clock.set(jury.submission_deadline);
      await scoreSubmission(app.db, ACTOR, judges[0]!, jury, sub1, scores(5, 5), clock.now());
      await scoreSubmission(app.db, ACTOR, judges[0]!, jury, sub2, scores(3, 3), clock.now());
      await scoreSubmission(app.db, ACTOR, judges[1]!, jury, sub1, scores(2, 1), clock.now());
      await scoreSubmission(app.db, ACTOR, judges[1]!, jury, sub2, scores(1, 2), clock.now());
      // A judge who is (somehow) on the team never scores its submission.
      await app.db.query(
        'INSERT INTO datathon_team_members (team_id, event_id, user_id, joined_at) VALUES ($1, $2, $3, now())',
        [sub1.team_id, eventId, judges[1]!.id],
      );
      try {
        await rejectsWith(
          scoreSubmission(
            app.db,
            ACTOR,
            judges[1]!,
            jury,
            await getSubmission(app.db, eventId, sub1.id),
            scores(5, 5),
            clock.now(),
          ),
          'datathons.error.score_own_team',
          403,
        );
      } finally {
        await app.db.query('DELETE FROM datathon_team_members WHERE team_id = $1 AND user_id = $2', [
          sub1.team_id,
          judges[1]!.id,
        ]);
      }
      // Scores stand on their criteria: a criterion judges have used cannot be removed.
      await rejectsWith(
        removeCriterion(app.db, ACTOR, admin, jury, jury.criteria[0]!.id),
        'datathons.error.criterion_scored',
        409,
      );
      // Not a judge of this datathon.
      await assert.rejects(
        scoreSubmission(app.db, ACTOR, people[10]!, jury, sub1, scores(1, 1), clock.now()),
        /judges/,
      );

      // A conflict: the assessor (Transparency Watch) judges; a member of team B joins Transparency Watch.
      await app.db.query(`INSERT INTO memberships (user_id, role, organization_id) VALUES ($1, 'cso_assessor', $2)`, [
        people[1]!.id,
        orgs['transparency-watch'],
      ]);
      const assessor = new Client(app);
      await assessor.login('assessor@hromada.demo', DEMO_PASSWORD);
      let page = await assessor.get(`/datathons/${eventId}/submissions/${sub2.id}`);
      assert.match(page.body, /не можете оцінювати це рішення/);
      page = await assessor.post(`/datathons/${eventId}/submissions/${sub2.id}/score`, {
        _csrf: assessor.csrfToken(),
        [`score_${jury.criteria[0]!.id}`]: '5',
        [`score_${jury.criteria[1]!.id}`]: '5',
      });
      assert.equal(page.statusCode, 403);
      assert.match(page.body, /ГО «Прозорість»/);
      const conflict = await app.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM datathon_conflicts WHERE submission_id = $1',
        [sub2.id],
      );
      assert.equal(conflict!.n, 1);
      // Field errors: a score out of range.
      page = await assessor.get(`/datathons/${eventId}/submissions/${sub1.id}`);
      page = await assessor.post(`/datathons/${eventId}/submissions/${sub1.id}/score`, {
        _csrf: assessor.csrfToken(),
        [`score_${jury.criteria[0]!.id}`]: '6',
        [`score_${jury.criteria[1]!.id}`]: '5',
      });
      assert.equal(page.statusCode, 422);
      assert.match(page.body, new RegExp(`id="score_${jury.criteria[0]!.id}-error"`));
      // Another datathon's judge (Vinnytsia's jury only) may not score here.
      const otherJudge = people[9]!;
      await addJudge(app.db, ACTOR, admin, await getDatathon(app.db, otherEventId), { judge_email: otherJudge.email });
      await assert.rejects(scoreSubmission(app.db, ACTOR, otherJudge, jury, sub1, scores(1, 1), clock.now()), /judges/);
      // The judges' page is this datathon's judges' only.
      const editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
      assert.equal((await editor.get(`/datathons/${eventId}/judging`)).statusCode, 403);
      assert.equal((await assessor.get(`/datathons/${eventId}/judging`)).statusCode, 200);

      // Results: hidden until published (API 409), then the ranking of the worked example and the scoresheet.
      const anonymous = new Client(app);
      assert.equal((await anonymous.get(`/api/v1/datathons/${eventId}/results`)).statusCode, 409);
      assert.doesNotMatch((await anonymous.get(`/datathons/${eventId}/results`)).body, /Scoresheet|Оцінювальний/);
      page = await editor.submit(`/datathons/${eventId}/manage`, `/datathons/${eventId}/publish`, {});
      assert.equal(page.statusCode, 303);
      const results = (await anonymous.get(`/api/v1/datathons/${eventId}/results`)).json();
      assert.deepEqual(
        results.jury.map((r: { submission_id: number }) => r.submission_id),
        [sub1.id, sub2.id],
      );
      assert.ok(Math.abs(results.jury[0].score - 11 / 3) < 1e-9);
      assert.ok(Math.abs(results.jury[1].score - 7 / 3) < 1e-9);
      const resultsPage = await anonymous.get(`/datathons/${eventId}/results`);
      assert.match(resultsPage.body, /3\.67/);
      assert.match(resultsPage.body, /id="dash|<table/);
      const audit = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'datathon.results.publish' AND entity_id = $1`,
        [String(eventId)],
      );
      assert.equal(audit!.n, 1);
      // Scores can no longer change.
      await rejectsWith(
        scoreSubmission(app.db, ACTOR, judges[0]!, await datathon(), sub1, scores(1, 1), clock.now()),
        'datathons.error.results_published',
        409,
      );
    });

    test('the people’s choice: one vote per account, petitions’ integrity rules, bulk invalidation', async () => {
      const d = await datathon();
      const [s1, s2] = await app.db.query<{ id: number }>(
        'SELECT id FROM datathon_submissions WHERE event_id = $1 ORDER BY id',
        [eventId],
      );
      const sub1 = await getSubmission(app.db, eventId, s1!.id);
      const sub2 = await getSubmission(app.db, eventId, s2!.id);
      const voter = people[10]!;
      clock.set('2031-06-07T08:00:00Z'); // 11:00 in Kyiv: before the deadline
      await rejectsWith(
        castVote(app.db, voter, d, sub1, '203.0.113.5', clock.now()),
        'datathons.error.voting_closed',
        409,
      );
      clock.set('2031-06-07T10:00:00Z');
      assert.deepEqual(await castVote(app.db, voter, d, sub1, '203.0.113.5', clock.now()), { voted: true });
      // Racing and repeated votes of one account: one counts, for whichever submission came first.
      const again = await Promise.all([
        castVote(app.db, voter, d, sub2, '203.0.113.5', clock.now()),
        castVote(app.db, voter, d, sub1, '203.0.113.5', clock.now()),
      ]);
      assert.deepEqual(again, [{ voted: false }, { voted: false }]);
      await assert.rejects(
        app.db.query(
          `INSERT INTO datathon_votes (event_id, submission_id, user_id, ip_block, email_domain, created_at) VALUES ($1, $2, $3, 'x', 'y', now())`,
          [eventId, sub2.id, voter.id],
        ),
        /datathon_votes_event_id_user_id_key|duplicate key/,
      );
      // Unconfirmed e-mail, throw-away domain, own team.
      await rejectsWith(
        castVote(app.db, { ...people[11]!, emailConfirmed: false }, d, sub1, '198.51.100.1', clock.now()),
        'petitions.error.confirm_email',
        403,
      );
      await rejectsWith(
        castVote(app.db, { ...people[11]!, email: 'bot@mailinator.com' }, d, sub1, '198.51.100.1', clock.now()),
        'petitions.error.disposable',
        403,
      );
      await rejectsWith(
        castVote(app.db, people[0]!, d, sub1, '198.51.100.1', clock.now()),
        'datathons.error.own_team',
        409,
      );
      // A burst from one domain, then invalidated by an organiser in bulk, audited.
      const bots = await app.db.query<{ id: number; email: string }>(
        `INSERT INTO users (email, display_name, password_hash, email_confirmed_at, locale)
         SELECT 'bot' || n || '@botfarm.example', 'Bot ' || n, 'x', now(), 'en' FROM generate_series(1, 5) AS n RETURNING id, email`,
      );
      for (const bot of bots) await castVote(app.db, person(bot.id, bot.email), d, sub2, '192.0.2.7', clock.now());
      assert.deepEqual(await voteCounts(app.db, eventId), [
        { submission_id: sub2.id, votes: 5 },
        { submission_id: sub1.id, votes: 1 },
      ]);
      const invalidated = await invalidateVotes(
        app.db,
        ACTOR,
        admin,
        d,
        { ipBlock: null, emailDomain: 'botfarm.example', from: null, to: null, reason: 'one farm' },
        clock.now(),
      );
      assert.equal(invalidated, 5);
      assert.deepEqual(await voteCounts(app.db, eventId), [
        { submission_id: sub1.id, votes: 1 },
        { submission_id: sub2.id, votes: 0 },
      ]);
      const audit = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'datathon.votes.invalidate'`,
      );
      assert.equal(audit!.n, 1);
      // Only the organisers invalidate.
      await assert.rejects(
        invalidateVotes(
          app.db,
          ACTOR,
          voter,
          d,
          { ipBlock: '192.0.2.0/24', emailDomain: null, from: null, to: null, reason: 'x' },
          clock.now(),
        ),
        /organisers/,
      );
      // Through HTTP: the coordinator votes once; the second time nothing changes.
      const coordinator = new Client(app, '198.51.100.9');
      await coordinator.login('coordinator.lviv@hromada.demo', DEMO_PASSWORD);
      await coordinator.get(`/datathons/${eventId}/submissions/${sub2.id}`);
      let page = await coordinator.post(`/datathons/${eventId}/submissions/${sub2.id}/vote`, {
        _csrf: coordinator.csrfToken(),
      });
      assert.equal(page.statusCode, 303);
      page = await coordinator.get(page.headers.location as string);
      assert.match(page.body, /your vote is counted|ваш голос враховано|гласът ви е отчетен/);
      page = await coordinator.post(`/datathons/${eventId}/submissions/${sub1.id}/vote`, {
        _csrf: coordinator.csrfToken(),
      });
      assert.match(page.headers.location as string, /already_voted/);
      assert.equal((await getSubmission(app.db, eventId, sub2.id)).votes, 1);
      // After the vote closes.
      clock.set('2031-06-07T15:00:00Z');
      await rejectsWith(
        castVote(app.db, people[11]!, d, sub1, '198.51.100.1', clock.now()),
        'datathons.error.voting_closed',
        409,
      );
    });

    test('the hub’s pages answer in every language, and bad input is a 400, not a crash', async () => {
      const client = new Client(app);
      for (const locale of ['uk', 'en', 'bg'])
        for (const path of ['', '/teams', '/submissions', '/results']) {
          const page = await client.get(`/datathons/${eventId}${path}`, { cookie: `hromada_lang=${locale}` });
          assert.equal(page.statusCode, 200, `${locale} ${path}`);
          assert.doesNotMatch(page.body, /datathons\.[a-z_]+/, `untranslated key on ${path} (${locale})`);
        }
      assert.equal((await client.get('/datathons')).statusCode, 200);
      assert.equal((await client.get('/datathons/abc')).statusCode, 400);
      assert.equal((await client.get('/datathons/999999')).statusCode, 404);
      assert.equal((await client.get(`/api/v1/datathons?limit=0`)).statusCode, 400);
      const list = (await client.get('/api/v1/datathons')).json();
      assert.ok(list.items.some((d: { id: number }) => d.id === eventId));
      const submissions = (await client.get(`/api/v1/datathons/${eventId}/submissions`)).json();
      assert.equal(submissions.length, 2);
      // A form without its CSRF token is refused.
      const citizen = new Client(app);
      await citizen.login('citizen@hromada.demo', DEMO_PASSWORD);
      const forged = await citizen.post(`/datathons/${eventId}/teams`, {
        name: 'Forged',
        challenge: String(challengeId),
      });
      assert.equal(forged.statusCode, 403);
      // The dashboard lists the person's teams (the citizen is in one here and one in the demo's datathon).
      const dashboard = await citizen.get('/dashboard');
      assert.equal(dashboard.statusCode, 200);
      assert.match(dashboard.body, /id="dash-datathons"/);
      const search = await client.get('/search?q=buses%20on');
      assert.match(search.body, /id="search-datathons"/);
      assert.match(search.body, /Buses on time/);
    });
  });
}
