import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { createApiToken, type CurrentUser } from '../../platform/auth.ts';
import { ValidationError } from '../../platform/errors.ts';
import {
  computeResults,
  countVotes,
  createCycle,
  enterPaperBallot,
  getCycle,
  getProject,
  parseBallotInput,
  parseCycleInput,
  proposeProject,
  reviewProject,
  saveBallot,
  type Cycle,
} from './service.ts';

const ACTOR = { userId: null, label: 'test' };
const DAY = 86_400_000;
const START = Date.UTC(2031, 2, 2, 8); // information

function person(id: number, overrides: Partial<CurrentUser> = {}): CurrentUser {
  return {
    id,
    email: `p${id}@example.org`,
    displayName: `P${id}`,
    locale: 'uk',
    emailConfirmed: true,
    memberships: [],
    isAdmin: false,
    via: 'session',
    ...overrides,
  };
}

const at = (day: number) => new Date(START + day * DAY);
const dates = (offset = 0) =>
  Object.fromEntries(
    ['information', 'proposals', 'review', 'voting', 'ballot_review', 'results', 'implementation'].map((phase, i) => [
      `${phase}_at`,
      at(offset + i * 10).toISOString(),
    ]),
  );

async function rejects(promise: Promise<unknown>, message: RegExp | string, status?: number) {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.ok(
      error.problems.some((p) => (typeof message === 'string' ? p.message === message : message.test(p.message))),
      JSON.stringify(error.problems),
    );
    if (status) assert.equal(error.statusCode, status);
    return true;
  });
}

for (const engine of ENGINES) {
  describe(`participatory budget on ${engine}`, () => {
    let app: FastifyInstance;
    let admin: CurrentUser;
    let cycle: Cycle;
    const voters: CurrentUser[] = [];
    const projects: Record<string, number> = {};

    before(async () => {
      app = await createTestApp(engine);
      admin = person(
        (await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'admin@hromada.demo'`))!.id,
        { isAdmin: true },
      );
      const ids = await app.db.query<{ id: number }>(
        `INSERT INTO users (email, display_name, password_hash, email_confirmed_at) SELECT 'voter' || n || '@example.org', 'Voter ' || n, 'x', now()
         FROM generate_series(1, 8) AS n RETURNING id`,
      );
      for (const { id } of ids) voters.push(person(id));
      const lviv = (await app.db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))!.id;
      const input = parseCycleInput({
        slug: 'gromadskyi-2031',
        title_uk: 'Громадський бюджет 2031',
        title_en: 'Participatory budget 2031',
        title_bg: 'Граждански бюджет 2031',
        ...dates(),
        voting_rule: 'knapsack',
        min_spend_share: '50',
        min_age: '16',
        residents_only: 'on',
        districts: 'Сихів; 1 000 000\nЦентр; 500000',
        categories: 'Дороги\nПарки\nШколи',
        size_classes: 'Малі; 400000\nВеликі; 1000000',
      });
      cycle = await getCycle(app.db, await createCycle(app.db, ACTOR, admin, lviv, input));
    });
    after(() => app.close());

    const district = (name: string) => cycle.districts.find((d) => d.name === name)!.id;
    const category = (name: string) => cycle.categories.find((c) => c.name === name)!.id;
    const proposal = (title: string, where: string, what: string, items: string) => ({
      title,
      description: `${title}: опис проєкту, достатньо довгий, щоб пояснити, що саме і навіщо буде зроблено.`,
      district_id: String(district(where)),
      category_id: String(category(what)),
      cost_items: items,
    });

    test('the cycle: districts add up to the total; phases are in order; bad amounts are explained', async () => {
      assert.equal(cycle.total_amount, 1_500_000);
      assert.deepEqual(
        cycle.districts.map((d) => d.amount),
        [1_000_000, 500_000],
      );
      const withShares = parseCycleInput({
        ...dates(),
        slug: 'shares',
        title_uk: 'a',
        title_en: 'a',
        title_bg: 'a',
        voting_rule: 'knapsack',
        districts: 'A; 10',
        categories: 'Дороги; 500 000\nПарки',
        size_classes: 'S; 10',
      });
      assert.deepEqual(withShares.categories, [
        { name: 'Дороги', amount: 500_000 },
        { name: 'Парки', amount: null },
      ]);
      assert.throws(
        () =>
          parseCycleInput({
            ...dates(),
            slug: 'x-y',
            title_uk: 'a',
            title_en: 'a',
            title_bg: 'a',
            voting_rule: 'approval',
            max_choices: '3',
            districts: 'Сихів; -5\nЦентр; абв',
            categories: 'A',
            size_classes: 'S; 10',
            review_at: at(-100).toISOString(),
          }),
        (error: ValidationError) => {
          const fields = error.problems.map((p) => p.field);
          assert.ok(fields.includes('districts') && fields.includes('review_at'), fields.join());
          return true;
        },
      );
    });

    test('proposals: only in their phase, within the cycle’s districts and size classes, cost from the breakdown', async () => {
      await rejects(
        proposeProject(
          app.db,
          ACTOR,
          voters[0]!,
          cycle,
          proposal('Сквер на Сихові', 'Сихів', 'Парки', 'Лавки; 100000'),
          at(1),
        ),
        'budgets.error.phase',
        409,
      );
      const now = at(11);
      projects.square = await proposeProject(
        app.db,
        ACTOR,
        voters[0]!,
        cycle,
        proposal('Сквер на Сихові', 'Сихів', 'Парки', 'Лавки; 100000\nДерева; 300000'),
        now,
      );
      projects.road = await proposeProject(
        app.db,
        ACTOR,
        voters[1]!,
        cycle,
        proposal('Тротуар на Зеленій', 'Сихів', 'Дороги', 'Плитка; 600000'),
        now,
      );
      projects.school = await proposeProject(
        app.db,
        ACTOR,
        voters[2]!,
        cycle,
        proposal('Стадіон школи №5', 'Сихів', 'Школи', 'Покриття; 400000'),
        now,
      );
      projects.dup = await proposeProject(
        app.db,
        ACTOR,
        voters[3]!,
        cycle,
        proposal('Ще один сквер', 'Сихів', 'Парки', 'Лавки; 50000'),
        now,
      );
      projects.centre = await proposeProject(
        app.db,
        ACTOR,
        voters[4]!,
        cycle,
        proposal('Фонтан у центрі', 'Центр', 'Парки', 'Фонтан; 500000'),
        now,
      );
      assert.equal((await getProject(app.db, cycle.id, projects.square)).cost, 400_000);
      await rejects(
        proposeProject(app.db, ACTOR, voters[0]!, cycle, proposal('Палац', 'Центр', 'Парки', 'Палац; 2000000'), now),
        'budgets.error.too_expensive',
      );
      await rejects(
        proposeProject(app.db, ACTOR, voters[0]!, cycle, proposal('Міст', 'Центр', 'Дороги', 'Міст; -1'), now),
        'budgets.error.amount_line',
      );
      await rejects(
        proposeProject(
          app.db,
          ACTOR,
          voters[0]!,
          cycle,
          { ...proposal('Чужий район', 'Центр', 'Дороги', 'X; 10'), district_id: '999999' },
          now,
        ),
        'budgets.error.not_in_cycle',
      );
    });

    test('review by the city’s experts: infeasible needs a reason, a new cost needs a reason, duplicates merge', async () => {
      const now = at(21);
      const review = (key: string, body: Record<string, string>, who = admin) =>
        getProject(app.db, cycle.id, projects[key]!).then((p) =>
          reviewProject(app.db, ACTOR, who, cycle, p, body, now),
        );
      await assert.rejects(review('square', { verdict: 'feasible' }, voters[0]!), { statusCode: 403 });
      await rejects(review('road', { verdict: 'infeasible' }), 'budgets.error.reason_required');
      await rejects(
        review('square', { verdict: 'feasible', adjusted_cost: '450000' }),
        'budgets.error.reason_required',
      );
      await review('square', {
        verdict: 'feasible',
        adjusted_cost: '450000',
        cost_reason: 'Дерева дорожчі, ніж у кошторисі',
      });
      await review('road', { verdict: 'feasible' });
      await review('school', { verdict: 'feasible' });
      await review('centre', { verdict: 'feasible' });
      await rejects(
        review('dup', { verdict: 'merged', merged_into: String(projects.dup) }),
        'budgets.error.merge_target',
      );
      await review('dup', { verdict: 'merged', merged_into: String(projects.square) });
      assert.equal((await getProject(app.db, cycle.id, projects.square!)).adjusted_cost, 450_000);
    });

    test('ballots: eligibility, the knapsack at its edge, changes until confirmed, one per person even when racing', async () => {
      const voting = at(31);
      const ballot = (choices: number[], confirm = false, extra: Record<string, unknown> = {}) =>
        parseBallotInput({
          projects: choices.map(String),
          birth_year: '1990',
          resident: 'on',
          ...(confirm ? { confirm: 'on' } : {}),
          ...extra,
        });
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!]), at(21)),
        'budgets.error.phase',
        409,
      );
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!], false, { birth_year: '2020' }), voting),
        'budgets.error.too_young',
        403,
      );
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!], false, { resident: '' }), voting),
        'budgets.error.resident',
        403,
      );
      await rejects(
        saveBallot(app.db, ACTOR, { ...voters[0]!, emailConfirmed: false }, cycle, ballot([projects.square!]), voting),
        'petitions.error.confirm_email',
        403,
      );
      // Sykhiv has 1,000,000: square (450,000 adjusted) + road (600,000) is over; square + school (400,000) fits.
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!, projects.road!]), voting),
        'budgets.ballot.over_budget',
      );
      await assert.rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!, projects.road!]), voting),
        (error: ValidationError) => error.problems[0]?.params?.district === 'Сихів',
        'the message names the district',
      );
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!, projects.centre!]), voting),
        'budgets.ballot.two_districts',
      );
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.dup!]), voting),
        'budgets.ballot.not_votable',
      );
      const draft = await saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.square!]), voting);
      assert.equal(draft.confirmed_at, null);
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.school!], true), voting),
        'budgets.ballot.under_share',
        422,
      );
      const final = await saveBallot(
        app.db,
        ACTOR,
        voters[0]!,
        cycle,
        ballot([projects.square!, projects.school!], true),
        voting,
      );
      assert.ok(final.confirmed_at);
      await rejects(
        saveBallot(app.db, ACTOR, voters[0]!, cycle, ballot([projects.road!], true), voting),
        'budgets.ballot.confirmed',
        409,
      );

      // Racing: the same person confirms from several tabs at once; one ballot, counted once.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          saveBallot(
            app.db,
            ACTOR,
            voters[1]!,
            cycle,
            ballot(i % 2 ? [projects.road!] : [projects.square!, projects.school!], true),
            voting,
          ),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one confirmation wins');
      const rows = await app.db.query('SELECT id FROM budget_ballots WHERE cycle_id = $1 AND user_id = $2', [
        cycle.id,
        voters[1]!.id,
      ]);
      assert.equal(rows.length, 1);
      for (const voter of voters.slice(2, 5))
        await saveBallot(app.db, ACTOR, voter, cycle, ballot([projects.road!], true), voting);
      await saveBallot(app.db, ACTOR, voters[5]!, cycle, ballot([projects.centre!], true), voting);
      await saveBallot(app.db, ACTOR, voters[6]!, cycle, ballot([projects.school!]), voting); // never confirmed: not counted
    });

    test('paper ballots: entered by officials only, checked by the same rule, each number once', async () => {
      const now = at(41);
      const paper = (reference: string, choices: number[], who = admin) =>
        enterPaperBallot(app.db, ACTOR, who, cycle, { paper_reference: reference, projects: choices.map(String) }, now);
      await assert.rejects(paper('P-1', [projects.square!], voters[0]!), { statusCode: 403 });
      await rejects(paper('P-1', [projects.square!, projects.road!]), 'budgets.ballot.over_budget');
      await paper('P-1', [projects.square!, projects.school!]);
      await rejects(paper('P-1', [projects.square!, projects.school!]), 'budgets.error.paper_duplicate', 409);
      const audit = await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'budget.paper_ballot'`,
      );
      assert.equal(audit!.n, 1);
    });

    test('results: winners by votes while the money lasts, matching a recount from the ballot table', async () => {
      await assert.rejects(computeResults(app.db, ACTOR, cycle, at(41)), { statusCode: 409 });
      const winners = await computeResults(app.db, ACTOR, cycle, at(51));
      // The stored counts equal a recount from the ballot table.
      const votes = await countVotes(app.db, cycle.id);
      const stored = await app.db.query<{ id: number; votes: number; winner: boolean }>(
        'SELECT id, votes, winner FROM budget_projects WHERE cycle_id = $1',
        [cycle.id],
      );
      for (const p of stored) assert.equal(p.votes, votes.get(p.id) ?? 0, `project ${p.id}`);
      const confirmedBallots = await app.db.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM budget_ballots WHERE cycle_id = $1 AND confirmed_at IS NOT NULL',
        [cycle.id],
      );
      assert.equal(confirmedBallots!.n, 7, 'six online confirmations and one paper ballot');
      assert.deepEqual(winners.get(district('Центр')), [projects.centre]);
      const sykhiv = winners.get(district('Сихів'))!;
      assert.ok(sykhiv.length >= 1);
      const costOf = async (id: number) => {
        const p = await getProject(app.db, cycle.id, id);
        return p.adjusted_cost ?? p.cost;
      };
      const total = (await Promise.all(sykhiv.map(costOf))).reduce((a, b) => a + b, 0);
      assert.ok(total <= 1_000_000, `winners cost ${total}`);
      assert.deepEqual(
        stored
          .filter((p) => p.winner)
          .map((p) => p.id)
          .sort(),
        [...sykhiv, projects.centre!].sort(),
      );
    });
  });
}

for (const engine of ENGINES) {
  describe(`participatory budget over HTTP on ${engine}`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await createTestApp(engine);
    });
    after(() => app.close());

    test('every role against the city’s actions; a ballot through the API; exports', async () => {
      const { Client, DEMO_PASSWORD, multipartBody } = await import('../../../test/helpers.ts');
      const lviv = (await app.db.one<{ id: number }>(`SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`))!
        .id;
      const kyiv = (await app.db.one<{ id: number }>(`SELECT id FROM budget_cycles WHERE slug = 'hromadskyi-proekt'`))!
        .id;
      const lvivProject = (await app.db.one<{ id: number }>(
        'SELECT id FROM budget_projects WHERE cycle_id = $1 ORDER BY id LIMIT 1',
        [lviv],
      ))!.id;
      const kyivWinner = (await app.db.one<{ id: number }>(
        'SELECT id FROM budget_projects WHERE cycle_id = $1 AND winner ORDER BY id LIMIT 1',
        [kyiv],
      ))!.id;
      const clients: Record<string, InstanceType<typeof Client>> = {};
      for (const [role, email] of [
        ['citizen', 'citizen@hromada.demo'],
        ['lviv editor', 'editor.lviv@hromada.demo'],
        ['assessor', 'assessor@hromada.demo'],
      ] as const) {
        clients[role] = new Client(app, `203.0.113.${Object.keys(clients).length + 20}`);
        await clients[role]!.login(email, DEMO_PASSWORD);
      }
      const send = async (client: InstanceType<typeof Client>, url: string, fields: Record<string, string> = {}) => {
        await client.get('/budgets');
        return client.post(url, { _csrf: client.csrfToken(), ...fields });
      };
      const before = await app.db.query(
        'SELECT id, review_state, votes, winner, implementation_status, spent FROM budget_projects ORDER BY id',
      );
      const ballotsBefore = await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM budget_ballots');
      // Kyiv's actions by people who do not run Kyiv's budget: refused, nothing changes.
      for (const role of ['citizen', 'lviv editor', 'assessor']) {
        const client = clients[role]!;
        assert.equal((await send(client, `/budgets/${kyiv}/results`)).statusCode, 403, role);
        assert.equal(
          (await send(client, `/budgets/${kyiv}/paper`, { paper_reference: 'X1', projects: String(kyivWinner) }))
            .statusCode,
          403,
          role,
        );
        assert.equal(
          (
            await send(client, `/budgets/${kyiv}/projects/${kyivWinner}/progress`, {
              implementation_status: 'done',
              spent: '1',
              note: 'x',
            })
          ).statusCode,
          403,
          role,
        );
        assert.equal((await client.get(`/budgets/${kyiv}/manage`)).statusCode, 403, role);
      }
      // Creating a cycle: a citizen may not; Lviv's editor may not for Kyiv.
      assert.equal((await clients.citizen!.get('/budgets/new')).statusCode, 403);
      assert.equal((await send(clients.citizen!, '/budgets/new', { city: 'lviv', slug: 'x-cycle' })).statusCode, 403);
      const cyclesBefore = await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM budget_cycles');
      const foreign = await send(clients['lviv editor']!, '/budgets/new', {
        city: 'kyiv',
        slug: 'foreign',
        title_uk: 'a',
        title_en: 'a',
        title_bg: 'a',
        districts: 'A; 10',
        categories: 'B',
        size_classes: 'S; 10',
        voting_rule: 'approval',
        max_choices: '1',
        ...Object.fromEntries(
          ['information', 'proposals', 'review', 'voting', 'ballot_review', 'results', 'implementation'].map((p, i) => [
            `${p}_at`,
            `2040-0${i + 1}-01`,
          ]),
        ),
      });
      assert.equal(foreign.statusCode, 422);
      assert.equal(
        (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM budget_cycles'))!.n,
        cyclesBefore!.n,
      );
      const anonymous = new Client(app);
      assert.equal((await anonymous.get(`/budgets/${lviv}/ballot`)).statusCode, 302, 'login first');
      assert.deepEqual(
        await app.db.query(
          'SELECT id, review_state, votes, winner, implementation_status, spent FROM budget_projects ORDER BY id',
        ),
        before,
      );
      assert.equal(
        (await app.db.one<{ n: number }>('SELECT count(*)::int AS n FROM budget_ballots'))!.n,
        ballotsBefore!.n,
      );
      // Lviv's editor may review only in the review phase: it is voting now.
      assert.equal(
        (
          await send(clients['lviv editor']!, `/budgets/${lviv}/projects/${lvivProject}/review`, {
            verdict: 'infeasible',
            review_note: 'x',
          })
        ).statusCode,
        409,
      );

      // The citizen votes through the page: choices in two districts are refused with the reason, then a valid ballot is cast.
      const lvivProjects = await app.db.query<{ id: number; district_id: number }>(
        `SELECT id, district_id FROM budget_projects WHERE cycle_id = $1 ORDER BY id`,
        [lviv],
      );
      const citizen = clients.citizen!;
      const vote = async (ids: number[]) => {
        await citizen.get(`/budgets/${lviv}/ballot`);
        const body = new URLSearchParams({
          _csrf: citizen.csrfToken(),
          birth_year: '1990',
          resident: 'on',
          confirm: 'on',
        });
        for (const id of ids) body.append('projects', String(id));
        return app.inject({
          method: 'POST',
          url: `/budgets/${lviv}/ballot`,
          payload: body.toString(),
          remoteAddress: citizen.remoteAddress,
          headers: { cookie: citizen.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        });
      };
      const sykhiv = lvivProjects.filter((p) => p.district_id === lvivProjects[0]!.district_id).map((p) => p.id);
      const galytskyi = lvivProjects.filter((p) => p.district_id !== lvivProjects[0]!.district_id).map((p) => p.id);
      const mixed = await vote([sykhiv[0]!, galytskyi[0]!]);
      assert.equal(mixed.statusCode, 422);
      assert.match(mixed.body, /лише одного району/);
      assert.equal((await vote(sykhiv)).statusCode, 303);
      assert.match((await citizen.get(`/budgets/${lviv}/ballot`)).body, /id="confirmed"/);
      assert.equal((await vote([sykhiv[0]!])).statusCode, 409, 'a cast ballot cannot change');

      // Through the API with a token: a hand-crafted ballot over the rule, then a valid one.
      const assessor = await app.db.one<{ id: number }>(`SELECT id FROM users WHERE email = 'assessor@hromada.demo'`);
      const { token } = await createApiToken(app.db, assessor!.id, 'test');
      const put = (payload: unknown) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/budgets/${lviv}/ballot`,
          headers: { authorization: `Bearer ${token}` },
          payload: payload as object,
        });
      const over = await put({ projects: [...sykhiv, galytskyi[0]!], birth_year: 1980, resident: true, confirm: true });
      assert.equal(over.statusCode, 422);
      assert.equal(over.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(
        (await put({ projects: [lvivProjects[0]!.id], birth_year: 1980, resident: true, user_id: 1 })).statusCode,
        400,
        'no voting for someone else',
      );
      const cast = await put({ projects: [lvivProjects[0]!.id], birth_year: 1980, resident: true, confirm: true });
      assert.equal(cast.statusCode, 200, cast.body);
      assert.ok(cast.json().confirmed_at);
      assert.equal(
        (await put({ projects: [lvivProjects[1]!.id], birth_year: 1980, resident: true, confirm: true })).statusCode,
        409,
      );

      // Photos of a winning project's works: the city's people only, images only, each described.
      const admin = new Client(app, '203.0.113.40');
      await admin.login('admin@hromada.demo', DEMO_PASSWORD);
      const upload = async (
        client: InstanceType<typeof Client>,
        name: string,
        content: Uint8Array | string,
        description = 'Нові лавки в сквері',
      ) => {
        await client.get(`/budgets/${kyiv}/projects/${kyivWinner}`);
        const form = multipartBody({ _csrf: client.csrfToken(), description }, { name, content });
        return app.inject({
          method: 'POST',
          url: `/budgets/${kyiv}/projects/${kyivWinner}/files`,
          payload: form.payload,
          headers: { 'content-type': form.contentType, cookie: client.cookieHeader },
        });
      };
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
      assert.equal((await upload(clients.citizen!, 'photo.png', png)).statusCode, 403);
      assert.equal((await upload(admin, 'photo.png', '<svg onload="alert(1)"/>')).statusCode, 422, 'not an image');
      assert.equal((await upload(admin, 'photo.png', png, '')).statusCode, 422, 'a description is required');
      assert.equal((await upload(admin, 'photo.png', png)).statusCode, 303);
      const page = await app.inject(`/budgets/${kyiv}/projects/${kyivWinner}`);
      const src = /<img src="([^"]+)" alt="Нові лавки в сквері"/.exec(page.body)?.[1];
      assert.ok(src);
      const image = await app.inject(src);
      assert.equal(image.headers['content-type'], 'image/png');

      const pabulib = await app.inject(
        `/budgets/${kyiv}/pabulib?district=${(await getCycle(app.db, kyiv)).districts[0]!.id}`,
      );
      assert.equal(pabulib.statusCode, 200);
      assert.match(pabulib.body, /^META\nkey;value\n/);
      assert.match(pabulib.body, /\nvote_type;approval\n/);
      assert.match(pabulib.body, /\nmax_sum_cost;2000000\n/);
      assert.equal((await app.inject(`/budgets/${lviv}/pabulib?district=1`)).statusCode, 409, 'no results yet');
      const csv = await app.inject(`/budgets/${lviv}/projects.csv`);
      assert.match(csv.body, /^id,title,district,category,cost,voted_cost,review_state,votes,winner/);
      assert.equal(
        (await app.inject('/api/3/action/package_show?id=kyiv-participatory-budget-' + kyiv)).json().success,
        true,
        'published as a portal dataset',
      );
      assert.equal(
        (await app.inject(`/api/v1/budgets/${lviv}/projects`)).json().items[0].votes !== null,
        true,
        'live totals are on for Lviv',
      );
    });

    test('saving a ballot through the API is rate limited per account, with a problem+json 429', async () => {
      const limit = app.config.ballotRateLimitPerAccount;
      app.config.ballotRateLimitPerAccount = 5;
      try {
        const lviv = (await app.db.one<{ id: number }>(
          `SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`,
        ))!.id;
        const project = (await app.db.one<{ id: number }>(
          `SELECT id FROM budget_projects WHERE cycle_id = $1 AND review_state = 'feasible' ORDER BY id LIMIT 1`,
          [lviv],
        ))!.id;
        const tokenOf = async (email: string) => {
          const user = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
          return (await createApiToken(app.db, user!.id, 'ballots')).token;
        };
        const put = (token: string) =>
          app.inject({
            method: 'PUT',
            url: `/api/v1/budgets/${lviv}/ballot`,
            headers: { authorization: `Bearer ${token}` },
            payload: { projects: [project], birth_year: 1980, resident: true },
          });
        // The attacker's replay: one token saving its ballot over and over.
        const token = await tokenOf('coordinator.lviv@hromada.demo');
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await put(token)).statusCode);
        assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
        const limited = await put(token);
        assert.equal(limited.statusCode, 429);
        assert.equal(limited.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(limited.json().status, 429);
        assert.match(limited.json().title, /Too Many Requests/);
        // A second token of the same account shares the limit; another account does not.
        assert.equal((await put(await tokenOf('coordinator.lviv@hromada.demo'))).statusCode, 429);
        assert.equal((await put(await tokenOf('editor.lviv@hromada.demo'))).statusCode, 200);
      } finally {
        app.config.ballotRateLimitPerAccount = limit;
      }
    });

    test('the ballot page: cards by district with category, image and cost, a meter, a review step, every rule named', async () => {
      const { Client, DEMO_PASSWORD } = await import('../../../test/helpers.ts');
      const lviv = (await app.db.one<{ id: number }>(`SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`))!
        .id;
      const cycle = await getCycle(app.db, lviv);
      const sykhiv = cycle.districts.find((d) => d.name === 'Сихівський')!.id;
      const transport = cycle.categories.find((c) => c.name === 'Транспорт')!.id;
      const own = await app.db.query<{ id: number; title: string; category_id: number; cost: number }>(
        `SELECT id, title, category_id, coalesce(adjusted_cost, cost)::float8 AS cost FROM budget_projects
         WHERE cycle_id = $1 AND district_id = $2 AND review_state = 'feasible' ORDER BY id`,
        [lviv, sykhiv],
      );
      const other = (await app.db.one<{ id: number }>(
        `SELECT id FROM budget_projects WHERE cycle_id = $1 AND district_id <> $2 AND review_state = 'feasible' ORDER BY id LIMIT 1`,
        [lviv, sykhiv],
      ))!.id;
      const bus = own.find((p) => p.category_id === transport)!;
      const [first, second] = own.filter((p) => p.category_id !== transport);
      // A second transport project in Sykhiv, with an image.
      const bike = (await app.db.one<{ id: number }>(
        `INSERT INTO budget_projects (cycle_id, title, description, district_id, category_id, cost, review_state)
         VALUES ($1, 'Велодоріжка на Сихові', $2, $3, $4, 210000, 'feasible') RETURNING id`,
        [lviv, `Безпечна велодоріжка вздовж проспекту. ${'Дуже довгий опис проєкту. '.repeat(20)}`, sykhiv, transport],
      ))!.id;
      await app.db.query(
        `INSERT INTO budget_files (project_id, kind, description, file_key, file_name, mime_type, size_bytes, sha256)
         VALUES ($1, 'image', 'Проспект сьогодні, без доріжки', 'k', 'a.png', 'image/png', 1, 'x')`,
        [bike],
      );

      const voter = new Client(app, '203.0.113.61');
      await voter.login('admin@hromada.demo', DEMO_PASSWORD);
      const url = `/budgets/${lviv}/ballot`;
      const send = async (ids: number[], fields: Record<string, string>) => {
        await voter.get(url);
        const body = new URLSearchParams({ _csrf: voter.csrfToken(), birth_year: '1990', resident: 'on', ...fields });
        for (const id of ids) body.append('projects', String(id));
        return app.inject({
          method: 'POST',
          url,
          payload: body.toString(),
          remoteAddress: voter.remoteAddress,
          headers: { cookie: voter.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        });
      };
      const ballotRow = () =>
        app.db.one<{ confirmed_at: Date | null; choices: number[] }>(
          `SELECT b.confirmed_at, ARRAY(SELECT project_id FROM budget_ballot_choices c WHERE c.ballot_id = b.id ORDER BY project_id) AS choices
           FROM budget_ballots b JOIN users u ON u.id = b.user_id WHERE b.cycle_id = $1 AND u.email = 'admin@hromada.demo'`,
          [lviv],
        );

      const page = await voter.get(url);
      assert.equal(page.statusCode, 200);
      assert.match(
        page.body,
        /<fieldset class="ballot-district" data-district="\d+" data-amount="1500000" data-name="Сихівський">/,
      );
      assert.match(page.body, /<span class="badge">Транспорт<\/span>/);
      assert.match(
        page.body,
        /<img src="\/budgets\/\d+\/projects\/\d+\/files\/\d+" alt="Проспект сьогодні, без доріжки"/,
      );
      assert.match(
        page.body,
        /<p>Безпечна велодоріжка вздовж проспекту\. Дуже довгий[^<]{100,180}…<\/p>/,
        'a short description',
      );
      assert.match(page.body, /210\s000 грн/);
      assert.match(page.body, /Додати до мого бюлетеня<span class="visually-hidden">: Велодоріжка на Сихові<\/span>/);
      assert.match(page.body, /<progress id="ballot-meter" max="3" value="0"/);
      assert.match(page.body, /Обрано 0 з 3 проєктів/);
      assert.match(page.body, /\/static\/build\/ballot-meter\.[0-9a-f]+\.js/);
      assert.match(page.body, /<button type="submit" name="save" value="1" class="secondary">/);
      assert.match(page.body, /<button type="submit" name="review" value="on">Переглянути й подати<\/button>/);
      assert.doesNotMatch(page.body, /name="confirm"/, 'no casting straight from the choices');

      // Every rule, checked on the server whatever the page sent, names what breaks it.
      const twoInCategory = await send([bus.id, bike], { review: 'on' });
      assert.equal(twoInCategory.statusCode, 422);
      assert.ok(
        twoInCategory.body.includes(
          `Оберіть не більше одного проєкту в категорії «Транспорт»: ви обрали «${bus.title}», «Велодоріжка на Сихові».`,
        ),
        twoInCategory.body,
      );
      assert.match(
        twoInCategory.body,
        /<progress id="ballot-meter" max="3" value="2"/,
        'the meter shows what was sent',
      );
      const tooMany = await send([...own.map((p) => p.id), bike], { save: '1' });
      assert.equal(tooMany.statusCode, 422);
      assert.match(tooMany.body, /Ви обрали 4 проєктів; оберіть не більше 3\./);
      assert.match(tooMany.body, /категорії «Транспорт»/, 'both problems are listed');
      assert.match(tooMany.body, /Обрано 4 проєктів: більше за 3/);
      const districts = await send([first!.id, other], { review: 'on' });
      assert.equal(districts.statusCode, 422);
      assert.match(districts.body, /ви обрали проєкти в районах Сихівський, Галицький/);
      assert.match(
        districts.body,
        /<p id="ballot-meter-text" aria-live="polite">Обрані проєкти в різних районах\.<\/p>/,
      );
      const unknown = await send([first!.id, 2_000_000_000_000], { review: 'on' });
      assert.equal(unknown.statusCode, 422);
      assert.match(unknown.body, /«#2000000000000» обрати не можна/);
      const empty = await send([], { review: 'on' });
      assert.equal(empty.statusCode, 422, 'an empty ballot cannot go to review');
      assert.match(empty.body, /Оберіть хоча б один проєкт/);
      const young = await send([first!.id], { review: 'on', birth_year: String(new Date().getUTCFullYear() - 5) });
      assert.equal(young.statusCode, 403);
      assert.equal(await ballotRow(), undefined, 'nothing was saved');

      // Save keeps a draft: the page shows it ticked and the meter counts it, without JavaScript.
      const saved = await send([first!.id], { save: '1' });
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, `${url}?done=saved`);
      const draft = await voter.get(`${url}?done=saved`);
      assert.match(
        draft.body,
        new RegExp(`id="project-${first!.id}" name="projects" value="${first!.id}" data-cost="\\d+" checked`),
      );
      assert.match(draft.body, /<progress id="ballot-meter" max="3" value="1"/);
      assert.match(draft.body, /Обрано 1 з 3 проєктів/);
      assert.equal((await voter.get(`${url}/review`)).statusCode, 200);

      // Review: saved as a draft, not cast; the page lists the choices and their total.
      const toReview = await send([first!.id, second!.id], { review: 'on' });
      assert.equal(toReview.statusCode, 303);
      assert.equal(toReview.headers.location, `${url}/review`);
      assert.deepEqual(await ballotRow(), {
        confirmed_at: null,
        choices: [first!.id, second!.id].sort((a, b) => a - b),
      });
      const review = await voter.get(`${url}/review`);
      assert.equal(review.statusCode, 200);
      assert.match(review.body, /<h1>Перевірте бюлетень<\/h1>/);
      for (const p of [first!, second!]) {
        assert.ok(review.body.includes(p.title), p.title);
        assert.ok(review.body.includes(`<input type="hidden" name="projects" value="${p.id}">`));
      }
      assert.ok(
        review.body.includes(`<strong>${new Intl.NumberFormat('uk').format(first!.cost + second!.cost)} грн</strong>`),
        'the total',
      );
      assert.match(review.body, /id="irreversible">Подання остаточне/);
      assert.match(review.body, /Ви задекларували: рік народження 1990, мешкаєте в цьому місті\./);
      assert.match(review.body, /<button type="submit" name="confirm" value="on">Подати бюлетень<\/button>/);
      assert.match(review.body, new RegExp(`<a class="button secondary" href="${url}">Повернутися до вибору</a>`));

      // Cast: the review form as the browser sends it.
      const form = review.body.slice(review.body.indexOf(`<form method="post" action="${url}"`));
      const fields = [...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)];
      const body = new URLSearchParams([...fields.map((m) => [m[1]!, m[2]!] as [string, string]), ['confirm', 'on']]);
      const cast = await app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        remoteAddress: voter.remoteAddress,
        headers: { cookie: voter.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(cast.statusCode, 303, cast.body);
      assert.equal(cast.headers.location, `${url}?done=confirmed`);
      const row = await ballotRow();
      assert.ok(row?.confirmed_at);
      assert.deepEqual(
        row.choices,
        [first!.id, second!.id].sort((a, b) => a - b),
      );
      const done = await voter.get(`${url}?done=confirmed`);
      assert.equal(done.body.match(/class="notice/g)?.length, 1, 'one confirmation');
      assert.match(done.body, /id="confirmed">Дякуємо: ваш бюлетень подано /);
      assert.ok(done.body.includes(first!.title) && done.body.includes(second!.title));
      assert.doesNotMatch(done.body, /name="projects"/, 'nothing left to tick');
      assert.equal((await voter.get(`${url}/review`)).headers.location, url, 'no review of a cast ballot');
      assert.equal((await send([first!.id], { save: '1' })).statusCode, 409);

      // Under the knapsack rule the meter weighs the cost against the district's money (Kyiv, moved to voting).
      const kyiv = await getCycle(
        app.db,
        (await app.db.one<{ id: number }>(`SELECT id FROM budget_cycles WHERE slug = 'hromadskyi-proekt'`))!.id,
      );
      const phases = ['information', 'proposals', 'review', 'voting', 'ballot_review', 'results', 'implementation'];
      const shift = (days: number) =>
        app.db.query(
          `UPDATE budget_cycles SET ${phases.map((p) => `${p}_at = ${p}_at + $2 * interval '1 day'`).join(', ')} WHERE id = $1`,
          [kyiv.id, days],
        );
      const back = Math.ceil((Date.now() - kyiv.starts.voting.getTime()) / 86_400_000) - 1;
      await shift(back);
      try {
        const kyivUrl = `/budgets/${kyiv.id}/ballot`;
        const fresh = await voter.get(kyivUrl);
        assert.match(fresh.body, /<progress id="ballot-meter" max="1" value="0"/);
        assert.match(fresh.body, /Ще нічого не обрано\./);
        assert.match(
          fresh.body,
          /&quot;meter_cost&quot;:&quot;Обрано на {spent} грн з {amount} грн \({district}\)&quot;/,
        );
        const obolon = kyiv.districts.find((d) => d.name === 'Оболонський')!;
        const pick = (await app.db.one<{ id: number; cost: number }>(
          `SELECT id, coalesce(adjusted_cost, cost)::float8 AS cost FROM budget_projects
           WHERE cycle_id = $1 AND district_id = $2 AND review_state = 'feasible' ORDER BY id LIMIT 1`,
          [kyiv.id, obolon.id],
        ))!;
        await voter.get(kyivUrl);
        const body = new URLSearchParams({ _csrf: voter.csrfToken(), birth_year: '1990', resident: 'on', save: '1' });
        body.append('projects', String(pick.id));
        const saved = await app.inject({
          method: 'POST',
          url: kyivUrl,
          payload: body.toString(),
          remoteAddress: voter.remoteAddress,
          headers: { cookie: voter.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(saved.statusCode, 303, saved.body);
        const draft = await voter.get(kyivUrl);
        const format = (n: number) => new Intl.NumberFormat('uk').format(n);
        assert.match(draft.body, new RegExp(`<progress id="ballot-meter" max="2000000" value="${pick.cost}"`));
        assert.ok(
          draft.body.includes(`Обрано на ${format(pick.cost)} грн з ${format(2_000_000)} грн (Оболонський)`),
          'the meter after Save, without JavaScript',
        );
      } finally {
        await shift(-back);
      }
    });
  });
}
