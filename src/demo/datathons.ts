// The demo datathon: a weekend in Lviv two weeks before the demo was created, with three
// challenges on catalog datasets, four teams, their submissions, a jury of three with weighted
// criteria (and one recorded conflict of interest), published results and a people's vote.
// Idempotent: a datathon event that already has challenges is left as it is.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import { loadUser, type CurrentUser } from '../platform/auth.ts';
import { ValidationError } from '../platform/errors.ts';
import { createEvent, getEvent, parseEventInput, type Transactional } from '../modules/community/service.ts';
import { fromZonedLocal, toZonedLocal } from '../modules/community/time.ts';
import {
  addCriterion,
  addJudge,
  castVote,
  createTeam,
  decideRequest,
  getDatathon,
  getSubmission,
  getTeam,
  inviteToTeam,
  parseChallenge,
  parseSettings,
  publishResults,
  saveChallenge,
  saveSettings,
  saveSubmission,
  scoreSubmission,
} from '../modules/datathons/service.ts';

const DAY = 86_400_000;
const TITLE = 'Дататон «Львів на даних»';

/** The seed runs inside one transaction: the services' nested "transactions" run in it. */
function inTransaction(tx: Queryable): Transactional {
  return { ...tx, transaction: (fn) => fn(tx) };
}

const PARTICIPANTS = [
  ['oksana.dev@hromada.demo', 'Оксана Розробниця'],
  ['petro.data@hromada.demo', 'Петро Аналітик'],
  ['iryna.design@hromada.demo', 'Ірина Дизайнерка'],
  ['maksym.gis@hromada.demo', 'Максим Картограф'],
  ['sofia.stats@hromada.demo', 'Софія Статистик'],
  ['taras.web@hromada.demo', 'Тарас Вебмайстер'],
  ['olha.civic@hromada.demo', 'Ольга Активістка'],
  ['andrii.ml@hromada.demo', 'Андрій Дослідник'],
] as const;

/** Invitations mail their invitee: the demo's point at the address `npm start` serves. */
const DEMO_SITE = { publicUrl: process.env.PUBLIC_URL ?? 'http://localhost:3000' };

export async function seedDemoDatathon(tx: Queryable, actor: Actor, now: Date = new Date()): Promise<void> {
  const db = inTransaction(tx);
  const existing = await tx.one<{ id: number }>(
    `SELECT id FROM community_events WHERE kind = 'datathon' AND cancelled_at IS NULL ORDER BY id LIMIT 1`,
  );
  if (existing && (await tx.one('SELECT 1 FROM datathon_challenges WHERE event_id = $1', [existing.id]))) return;
  const id = async (email: string) =>
    (await tx.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]))!.id;
  const user = async (email: string) => (await loadUser(tx, await id(email), 'session'))!;
  const org = async (slug: string) =>
    (await tx.one<{ id: number }>('SELECT id FROM organizations WHERE slug = $1', [slug]))!.id;
  const admin = await user('admin@hromada.demo');
  // Participants sign in with the demo password: they share the citizen's password hash.
  for (const [email, name] of PARTICIPANTS)
    await tx.query(
      `INSERT INTO users (email, display_name, password_hash, locale, email_confirmed_at)
       SELECT $1, $2, password_hash, 'uk', now() FROM users WHERE email = 'citizen@hromada.demo'
       ON CONFLICT DO NOTHING`,
      [email, name],
    );
  // Olha is a member of Transparency Watch, as is the assessor on the jury: a conflict of interest.
  await tx.query(
    `INSERT INTO memberships (user_id, role, organization_id) VALUES ($1, 'cso_assessor', $2) ON CONFLICT DO NOTHING`,
    [await id('olha.civic@hromada.demo'), await org('transparency-watch')],
  );

  const kyiv = (days: number, time: string) =>
    `${toZonedLocal(new Date(now.getTime() + days * DAY), 'Europe/Kyiv').slice(0, 10)}T${time}`;
  const eventId =
    existing?.id ??
    (
      await createEvent(
        db,
        actor,
        await parseEventInput(
          tx,
          {
            kind: 'datathon',
            time_zone: 'Europe/Kyiv',
            title: TITLE,
            description:
              'Два дні, щоб зробити з відкритих даних Львова інструменти для мешканців: транспорт, бюджет і садочки. Команди по 2–4 особи, журі з міської ради й громадських організацій, приз глядацьких симпатій.',
            organizers: [String(await org('lviv-city-council')), String(await org('civic-lviv'))],
            city: 'lviv',
            venue: 'Львів, пл. Ринок, 1 — зала ради',
            latitude: '49.8418',
            longitude: '24.0316',
            starts_at: kyiv(-15, '10:00'),
            ends_at: kyiv(-14, '18:00'),
            capacity: '60',
            registration_opens_at: kyiv(-40, '09:00'),
            registration_closes_at: kyiv(-16, '18:00'),
          },
          admin,
        ),
      )
    ).id;
  const event = await getEvent(tx, eventId);
  // The weekend as it happened: the clock of each step is a moment of that weekend.
  const at = (days: number, time: string) => fromZonedLocal(kyiv(days, time), 'Europe/Kyiv')!;
  const during = at(-15, '12:00');
  await saveSettings(
    tx,
    actor,
    admin,
    event,
    parseSettings(
      {
        team_min: '2',
        team_max: '4',
        submission_deadline: kyiv(-14, '12:00'),
        voting_closes_at: kyiv(-14, '17:00'),
      },
      'Europe/Kyiv',
    ),
  );
  let d = await getDatathon(tx, eventId);
  const challenge = async (fields: Record<string, string>) =>
    saveChallenge(db, actor, admin, d, null, await parseChallenge(tx, fields));
  const transport = await challenge({
    organization: 'lviv-city-council',
    title: 'Зупинки без бар’єрів',
    statement:
      'Які зупинки громадського транспорту недоступні для людей на візках і з дитячими візками? Покажіть це на мапі й запропонуйте, з чого почати ремонт.',
    prize: '30 000 грн і пілот у міській раді',
    datasets: 'lviv-public-transport-stops',
  });
  const budget = await challenge({
    organization: 'civic-lviv',
    title: 'Бюджет зрозумілою мовою',
    statement:
      'Як пояснити мешканцям, куди йдуть гроші міста, за одну хвилину? Зробіть інтерактивну історію з бюджету.',
    prize: 'Менторство від громадської ради',
    datasets: 'lviv-budget-2024',
  });
  const kindergartens = await challenge({
    organization: 'transparency-watch',
    title: 'Черги в садочки',
    statement: 'Де бракує місць у дитячих садках? Зіставте садочки з тим, де живуть сім’ї, і покажіть прогалини.',
    prize: '',
    datasets: 'vinnytsia-kindergartens',
  });

  const team = async (lead: string, name: string, challengeId: number, members: string[]) => {
    const leader = await user(lead);
    const teamId = await createTeam(db, actor, leader, d, { name, challenge: String(challengeId) }, during);
    for (const email of members) {
      await inviteToTeam(tx, DEMO_SITE, actor, leader, d, await getTeam(tx, eventId, teamId), { email }, during);
      const invite = await tx.one<{ id: number }>(
        `SELECT r.id FROM datathon_team_requests r JOIN users u ON u.id = r.user_id WHERE r.team_id = $1 AND u.email = $2 AND r.status = 'pending'`,
        [teamId, email],
      );
      await decideRequest(db, actor, await user(email), d, invite!.id, true, during);
    }
    return { teamId, leader };
  };
  const teams = [
    await team('oksana.dev@hromada.demo', 'Рампа', transport, ['maksym.gis@hromada.demo', 'citizen@hromada.demo']),
    await team('petro.data@hromada.demo', 'Гривня за хвилину', budget, ['iryna.design@hromada.demo']),
    await team('sofia.stats@hromada.demo', 'Садочок поруч', kindergartens, ['olha.civic@hromada.demo']),
    await team('taras.web@hromada.demo', 'Маршрут для всіх', transport, ['andrii.ml@hromada.demo']),
  ];
  const entries = [
    {
      title: 'Мапа доступних зупинок',
      description:
        'Мапа, на якій кожна зупинка позначена за доступністю, з фото від мешканців і списком першочергових ремонтів.',
      repository_url: 'https://github.com/example/rampa-stops',
      demo_url: 'https://rampa.example.org',
      licence: 'MIT',
      datasets: 'lviv-public-transport-stops',
    },
    {
      title: 'Бюджет Львова за хвилину',
      description: 'Інтерактивна історія: звідки місто бере гроші і на що витрачає, у порівнянні з минулим роком.',
      repository_url: 'https://github.com/example/budget-minute',
      demo_url: 'https://budget-minute.example.org',
      licence: 'Apache-2.0',
      datasets: 'lviv-budget-2024',
    },
    {
      title: 'Садочок поруч',
      description: 'Калькулятор відстані до найближчого садочка з вільними місцями і мапа районів, де їх бракує.',
      repository_url: 'https://github.com/example/sadochok',
      demo_url: '',
      licence: 'AGPL-3.0-or-later',
      datasets: 'vinnytsia-kindergartens',
    },
    {
      title: 'Маршрут для всіх',
      description: 'Планувальник поїздок, що оминає недоступні зупинки й пропонує найближчу доступну.',
      repository_url: 'https://github.com/example/route-for-all',
      demo_url: 'https://route-for-all.example.org',
      licence: 'GPL-3.0-or-later',
      datasets: 'lviv-public-transport-stops',
    },
  ];
  const submissions: number[] = [];
  for (const [i, t] of teams.entries()) {
    const input = {
      title: entries[i]!.title,
      description: entries[i]!.description,
      repository_url: entries[i]!.repository_url,
      demo_url: entries[i]!.demo_url || null,
      licence: entries[i]!.licence,
      dataset_ids: (
        await tx.query<{ id: number }>('SELECT id FROM datasets WHERE name = $1', [entries[i]!.datasets])
      ).map((r) => r.id),
    };
    submissions.push(await saveSubmission(db, actor, t.leader, d, await getTeam(tx, eventId, t.teamId), input, during));
  }

  // The jury and its criteria.
  for (const email of ['assessor@hromada.demo', 'editor.lviv@hromada.demo', 'coordinator.lviv@hromada.demo'])
    await addJudge(tx, actor, admin, d, { judge_email: email });
  for (const [name, weight] of [
    ['Користь для мешканців', '3'],
    ['Використання відкритих даних', '2'],
    ['Якість прототипу', '1'],
  ] as const)
    await addCriterion(db, actor, admin, d, { criterion_name: name, criterion_weight: weight });
  d = await getDatathon(tx, eventId);
  const judging = at(-14, '14:00');
  // Each judge's scores per submission, one per criterion in order.
  const sheet: Record<string, number[][]> = {
    'assessor@hromada.demo': [
      [5, 5, 4],
      [4, 3, 5],
      [4, 4, 3],
      [3, 4, 4],
    ],
    'editor.lviv@hromada.demo': [
      [4, 4, 3],
      [3, 3, 4],
      [3, 2, 2],
      [3, 3, 3],
    ],
    'coordinator.lviv@hromada.demo': [
      [5, 4, 4],
      [5, 4, 5],
      [2, 3, 2],
      [4, 5, 3],
    ],
  };
  const comments = ['Переконливо для мешканців.', 'Добре використано дані.', 'Прототип працює.'];
  for (const [email, rows] of Object.entries(sheet)) {
    const judge: CurrentUser = await user(email);
    for (const [i, row] of rows.entries()) {
      const submission = await getSubmission(tx, eventId, submissions[i]!);
      const scores = row.map((score, c) => ({ criterion_id: d.criteria[c]!.id, score, comment: comments[c]! }));
      try {
        await scoreSubmission(db, actor, judge, d, submission, scores, judging);
      } catch (error) {
        // The assessor's conflict with "Садочок поруч" (Olha, Transparency Watch): recorded, not scored.
        if (!(error instanceof ValidationError) || error.statusCode !== 403) throw error;
      }
    }
  }

  // The people's choice, during the afternoon of the second day.
  const voters = [
    'citizen@hromada.demo',
    'iryna.design@hromada.demo',
    'sofia.stats@hromada.demo',
    'olha.civic@hromada.demo',
    'andrii.ml@hromada.demo',
    'petro.data@hromada.demo',
    'taras.web@hromada.demo',
    'maksym.gis@hromada.demo',
  ];
  const choices = [3, 0, 0, 1, 0, 3, 1, 1];
  for (const [i, email] of voters.entries()) {
    const submission = await getSubmission(tx, eventId, submissions[choices[i]!]!);
    const voter = await user(email);
    if (submission.member_ids.includes(voter.id)) continue;
    await castVote(tx, voter, d, submission, `198.51.100.${10 + i}`, new Date(judging.getTime() + i * 60_000));
  }
  await publishResults(tx, actor, admin, d, at(-13, '10:00'));
}
