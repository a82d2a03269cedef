// Datathons on community events of kind 'datathon': settings (team sizes, the submission deadline,
// the people's vote), challenges, teams with invitations and join requests, submissions frozen at
// the deadline, the jury's scores with conflicts of interest, and the people's choice vote.
// Every time is the application clock's (`now` passed in), so tests move it.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import { isLocale, translator, type Locale } from '../../platform/i18n/locales.ts';
import { queueMail } from '../../platform/mail.ts';
import { localName } from '../cities/service.ts';
import { getEvent, type CommunityEvent, type Transactional } from '../community/service.ts';
import { fromZonedLocal } from '../community/time.ts';
import { isDisposableDomain } from '../petitions/disposable-domains.ts';
import { addressBlock, type InvalidationInput } from '../petitions/service.ts';
import { assertCanManage, assertJudge, assertTeamMember, voteIdentityProblem } from './policy.ts';
import { ensureDatathonDataset } from './open-data.ts';

export const MAX_CRITERIA = 6;
export const MAX_SCREENSHOTS = 8;
/**
 * The licences a submission may carry: common open-source and open-content licences by their
 * SPDX identifiers (https://spdx.org/licenses/).
 */
export const SUBMISSION_LICENCES = [
  'MIT',
  'Apache-2.0',
  'BSD-3-Clause',
  'MPL-2.0',
  'GPL-3.0-or-later',
  'AGPL-3.0-or-later',
  'EUPL-1.2',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC0-1.0',
] as const;

export interface Criterion {
  id: number;
  name: string;
  weight: number;
}

export interface Datathon {
  event_id: number;
  title: string;
  description: string;
  kind: string;
  city_id: number | null;
  time_zone: string;
  starts_at: Date;
  ends_at: Date;
  organizer_ids: number[];
  team_min: number;
  team_max: number;
  submission_deadline: Date;
  voting_closes_at: Date;
  results_published_at: Date | null;
  judge_ids: number[];
  criteria: Criterion[];
}

const SELECT_DATATHON = `SELECT d.*, e.title, e.description, e.kind, e.city_id, e.time_zone, e.starts_at, e.ends_at,
    coalesce((SELECT array_agg(eo.organization_id ORDER BY eo.organization_id) FROM community_event_organizers eo WHERE eo.event_id = e.id), '{}') AS organizer_ids,
    coalesce((SELECT array_agg(j.user_id ORDER BY j.user_id) FROM datathon_judges j WHERE j.event_id = d.event_id), '{}') AS judge_ids,
    coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'weight', c.weight) ORDER BY c.id)
      FROM datathon_criteria c WHERE c.event_id = d.event_id), '[]') AS criteria
  FROM datathons d JOIN community_events e ON e.id = d.event_id`;

export async function findDatathon(db: Queryable, eventId: number): Promise<Datathon | undefined> {
  return db.one<Datathon>(`${SELECT_DATATHON} WHERE d.event_id = $1`, [eventId]);
}

export async function getDatathon(db: Queryable, eventId: number): Promise<Datathon> {
  const d = await findDatathon(db, eventId);
  if (!d) throw new NotFoundError(`datathon ${eventId}`);
  return d;
}

export async function listDatathons(
  db: Queryable,
  limit: number,
  offset: number,
): Promise<{ items: Datathon[]; total: number }> {
  const items = await db.query<Datathon>(
    `${SELECT_DATATHON} WHERE e.cancelled_at IS NULL ORDER BY e.starts_at DESC, d.event_id DESC LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
  const count = await db.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM datathons d JOIN community_events e ON e.id = d.event_id WHERE e.cancelled_at IS NULL',
  );
  return { items, total: count!.n };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (e.constraint === constraint || (e.message ?? '').includes(constraint));
}

const conflict = (field: string, message: string, params?: Record<string, string | number>) =>
  new ValidationError([{ field, message, params }], 409);

// ---- Settings ----

export interface SettingsInput {
  team_min: number;
  team_max: number;
  submission_deadline: Date;
  voting_closes_at: Date;
}

/** Times are typed as wall-clock times in the event's zone, like the event's own. */
export function parseSettings(body: unknown, zone: string): SettingsInput {
  const check = new Checker(body);
  const teamMin = check.number('team_min', { min: 1, max: 20, integer: true, required: true });
  const teamMax = check.number('team_max', { min: 1, max: 20, integer: true, required: true });
  const time = (field: string) => {
    const raw = check.text(field, { required: true, max: 40 });
    const parsed = raw ? fromZonedLocal(raw, zone) : null;
    if (raw && !parsed) check.fail(field, 'validation.date');
    return parsed;
  };
  const deadline = time('submission_deadline');
  const votingCloses = time('voting_closes_at');
  if (teamMin !== null && teamMax !== null && teamMin > teamMax) check.fail('team_max', 'datathons.error.team_range');
  if (deadline && votingCloses && votingCloses <= deadline)
    check.fail('voting_closes_at', 'datathons.error.vote_after');
  check.done();
  return { team_min: teamMin!, team_max: teamMax!, submission_deadline: deadline!, voting_closes_at: votingCloses! };
}

/** Makes a community event of kind 'datathon' a datathon with these settings, or changes them. */
export async function saveSettings(
  db: Queryable,
  actor: Actor,
  user: CurrentUser | null,
  event: CommunityEvent,
  input: SettingsInput,
): Promise<void> {
  assertCanManage(user, event);
  if (event.kind !== 'datathon') throw conflict('kind', 'datathons.error.not_datathon');
  const before = await findDatathon(db, event.id);
  if (before?.results_published_at) throw conflict('submission_deadline', 'datathons.error.results_published');
  await db.query(
    `INSERT INTO datathons (event_id, team_min, team_max, submission_deadline, voting_closes_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO UPDATE SET team_min = $2, team_max = $3, submission_deadline = $4, voting_closes_at = $5`,
    [event.id, input.team_min, input.team_max, input.submission_deadline, input.voting_closes_at],
  );
  await recordAudit(
    db,
    actor,
    'datathon.settings',
    'community_event',
    event.id,
    before
      ? {
          team_min: before.team_min,
          team_max: before.team_max,
          submission_deadline: before.submission_deadline,
          voting_closes_at: before.voting_closes_at,
        }
      : null,
    input,
  );
}

// ---- Challenges ----

export interface Challenge {
  id: number;
  event_id: number;
  organization_id: number;
  organization_slug: string;
  organization_name_uk: string;
  organization_name_en: string;
  organization_name_bg: string;
  title: string;
  statement: string;
  prize: string;
  datasets: { id: number; name: string; title_uk: string; title_en: string; title_bg: string }[];
  team_count: number;
}

const SELECT_CHALLENGE = `SELECT ch.*, o.slug AS organization_slug, o.name_uk AS organization_name_uk,
    o.name_en AS organization_name_en, o.name_bg AS organization_name_bg,
    coalesce((SELECT json_agg(json_build_object('id', ds.id, 'name', ds.name, 'title_uk', ds.title_uk, 'title_en', ds.title_en, 'title_bg', ds.title_bg) ORDER BY ds.name)
      FROM datathon_challenge_datasets cd JOIN datasets ds ON ds.id = cd.dataset_id WHERE cd.challenge_id = ch.id AND ds.state = 'published'), '[]') AS datasets,
    (SELECT count(*)::int FROM datathon_teams t WHERE t.challenge_id = ch.id) AS team_count
  FROM datathon_challenges ch JOIN organizations o ON o.id = ch.organization_id`;

export async function listChallenges(db: Queryable, eventId: number): Promise<Challenge[]> {
  return db.query<Challenge>(`${SELECT_CHALLENGE} WHERE ch.event_id = $1 ORDER BY ch.id`, [eventId]);
}

export async function getChallenge(db: Queryable, eventId: number, id: number): Promise<Challenge> {
  const challenge = await db.one<Challenge>(`${SELECT_CHALLENGE} WHERE ch.event_id = $1 AND ch.id = $2`, [eventId, id]);
  if (!challenge) throw new NotFoundError(`challenge ${id}`);
  return challenge;
}

/** The challenges that use this dataset, for its page ("challenge: …"). */
export async function challengesUsingDataset(
  db: Queryable,
  datasetId: number,
): Promise<{ id: number; event_id: number; title: string; event_title: string }[]> {
  return db.query(
    `SELECT ch.id, ch.event_id, ch.title, e.title AS event_title FROM datathon_challenge_datasets cd
     JOIN datathon_challenges ch ON ch.id = cd.challenge_id JOIN community_events e ON e.id = ch.event_id
     WHERE cd.dataset_id = $1 AND e.cancelled_at IS NULL ORDER BY e.starts_at DESC, ch.id LIMIT 20`,
    [datasetId],
  );
}

export interface ChallengeInput {
  organization_id: number;
  title: string;
  statement: string;
  prize: string;
  dataset_ids: number[];
}

/** Catalog datasets named one per line or separated by commas; each must be published. */
async function parseDatasetNames(db: Queryable, check: Checker, field: string): Promise<number[]> {
  const raw = check.text(field, { max: 5000 });
  const names = [
    ...new Set(
      raw
        .split(/[\s,]+/)
        .map((n) => n.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (names.length > 30) {
    check.fail(field, 'datathons.error.too_many_datasets', { max: 30 });
    return [];
  }
  if (!names.length) return [];
  const found = await db.query<{ id: number; name: string }>(
    `SELECT id, name FROM datasets WHERE name = ANY($1::text[]) AND state = 'published'`,
    [names],
  );
  const missing = names.filter((n) => !found.some((f) => f.name === n));
  if (missing.length) check.fail(field, 'datathons.error.unknown_datasets', { names: missing.join(', ') });
  return found.map((f) => f.id);
}

export async function parseChallenge(db: Queryable, body: unknown): Promise<ChallengeInput> {
  const check = new Checker(body);
  const organizationSlug = check.text('organization', { required: true, max: 80 });
  const title = check.text('title', { required: true, max: 200 });
  const statement = check.text('statement', { required: true, max: 20000 });
  const prize = check.text('prize', { max: 500 });
  const datasetIds = await parseDatasetNames(db, check, 'datasets');
  let organizationId = 0;
  if (organizationSlug) {
    const organization = await db.one<{ id: number }>(
      `SELECT id FROM organizations WHERE slug = $1 AND kind IN ('city_council', 'cso')`,
      [organizationSlug],
    );
    if (!organization) check.fail('organization', 'datathons.error.challenge_organization');
    else organizationId = organization.id;
  }
  check.done();
  return { organization_id: organizationId, title, statement, prize, dataset_ids: datasetIds };
}

export async function saveChallenge(
  db: Transactional | Queryable,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  id: number | null,
  input: ChallengeInput,
): Promise<number> {
  assertCanManage(user, datathon);
  const run = async (tx: Queryable) => {
    const before = id ? await getChallenge(tx, datathon.event_id, id) : null;
    const row = id
      ? await tx.one<{ id: number }>(
          `UPDATE datathon_challenges SET organization_id = $3, title = $4, statement = $5, prize = $6
           WHERE id = $1 AND event_id = $2 RETURNING id`,
          [id, datathon.event_id, input.organization_id, input.title, input.statement, input.prize],
        )
      : await tx.one<{ id: number }>(
          `INSERT INTO datathon_challenges (event_id, organization_id, title, statement, prize) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [datathon.event_id, input.organization_id, input.title, input.statement, input.prize],
        );
    await tx.query('DELETE FROM datathon_challenge_datasets WHERE challenge_id = $1', [row!.id]);
    await tx.query(
      'INSERT INTO datathon_challenge_datasets (challenge_id, dataset_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING',
      [row!.id, input.dataset_ids],
    );
    await recordAudit(
      tx,
      actor,
      id ? 'datathon.challenge.update' : 'datathon.challenge.create',
      'datathon_challenge',
      row!.id,
      before,
      input,
    );
    await ensureDatathonDataset(tx, actor, datathon.event_id);
    return row!.id;
  };
  return 'transaction' in db ? db.transaction(run) : run(db);
}

// ---- Teams ----

export interface TeamMember {
  user_id: number;
  display_name: string;
  joined_at: Date;
}

export interface Team {
  id: number;
  event_id: number;
  challenge_id: number;
  challenge_title: string;
  name: string;
  created_at: Date;
  members: TeamMember[];
  submission_id: number | null;
}

const SELECT_TEAM = `SELECT t.*, ch.title AS challenge_title,
    coalesce((SELECT json_agg(json_build_object('user_id', m.user_id, 'display_name', u.display_name, 'joined_at', m.joined_at) ORDER BY m.joined_at, m.user_id)
      FROM datathon_team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = t.id), '[]') AS members,
    (SELECT s.id FROM datathon_submissions s WHERE s.team_id = t.id) AS submission_id
  FROM datathon_teams t JOIN datathon_challenges ch ON ch.id = t.challenge_id`;

export async function listTeams(db: Queryable, eventId: number, limit = 500, offset = 0): Promise<Team[]> {
  return db.query<Team>(`${SELECT_TEAM} WHERE t.event_id = $1 ORDER BY ch.id, t.name LIMIT $2 OFFSET $3`, [
    eventId,
    limit,
    offset,
  ]);
}

export async function getTeam(db: Queryable, eventId: number, teamId: number): Promise<Team> {
  const team = await db.one<Team>(`${SELECT_TEAM} WHERE t.event_id = $1 AND t.id = $2`, [eventId, teamId]);
  if (!team) throw new NotFoundError(`team ${teamId}`);
  return team;
}

export async function teamOf(db: Queryable, eventId: number, userId: number): Promise<Team | undefined> {
  return db.one<Team>(
    `${SELECT_TEAM} WHERE t.id = (SELECT team_id FROM datathon_team_members WHERE event_id = $1 AND user_id = $2)`,
    [eventId, userId],
  );
}

const memberIds = (team: Team) => team.members.map((m) => m.user_id);

/** Whether the person judges this datathon: a judge is in no team of it. */
async function isJudge(db: Queryable, eventId: number, userId: number): Promise<boolean> {
  return !!(await db.one('SELECT 1 FROM datathon_judges WHERE event_id = $1 AND user_id = $2', [eventId, userId]));
}

function assertBeforeDeadline(datathon: Datathon, now: Date): void {
  if (now >= datathon.submission_deadline) throw conflict('deadline', 'datathons.error.deadline_passed');
}

/** A person creates a team for a challenge and is its first member. One team per person per datathon. */
export async function createTeam(
  db: Transactional,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  body: unknown,
  now: Date,
): Promise<number> {
  const check = new Checker(body);
  const name = check.text('name', { required: true, max: 100 });
  const challengeId = check.number('challenge', { integer: true, min: 1, max: 2_147_483_647, required: true });
  check.done();
  assertBeforeDeadline(datathon, now);
  if (await isJudge(db, datathon.event_id, user.id)) throw conflict('name', 'datathons.error.judge_in_team');
  await getChallenge(db, datathon.event_id, challengeId!).catch(() => {
    throw new ValidationError([{ field: 'challenge', message: 'datathons.error.unknown_challenge' }]);
  });
  try {
    return await db.transaction(async (tx) => {
      const team = await tx.one<{ id: number }>(
        'INSERT INTO datathon_teams (event_id, challenge_id, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [datathon.event_id, challengeId, name, user.id, now],
      );
      await tx.query(
        'INSERT INTO datathon_team_members (team_id, event_id, user_id, joined_at) VALUES ($1, $2, $3, $4)',
        [team!.id, datathon.event_id, user.id, now],
      );
      await recordAudit(tx, actor, 'datathon.team.create', 'datathon_team', team!.id, null, {
        name,
        challenge_id: challengeId,
      });
      return team!.id;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'datathon_team_members_event_id_user_id_key'))
      throw conflict('name', 'datathons.error.already_in_team');
    if (isUniqueViolation(error, 'datathon_teams_event_id_name_key'))
      throw conflict('name', 'datathons.error.team_name_taken');
    throw error;
  }
}

/** A member invites an account by its e-mail; the invitee accepts or declines. */
export async function inviteToTeam(
  db: Queryable,
  site: { publicUrl: string },
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  team: Team,
  body: unknown,
  now: Date,
): Promise<void> {
  assertTeamMember(user, memberIds(team));
  const check = new Checker(body);
  const email = check.email('email');
  check.done();
  assertBeforeDeadline(datathon, now);
  const invitee = await db.one<{ id: number }>('SELECT id FROM users WHERE lower(email) = $1', [email]);
  // The same answer whether or not the address has an account: a team form must not tell anyone
  // which addresses are registered here.
  if (!invitee) return;
  if (await isJudge(db, datathon.event_id, invitee.id)) throw conflict('email', 'datathons.error.judge_in_team');
  if (
    await db.one('SELECT 1 FROM datathon_team_members WHERE event_id = $1 AND user_id = $2', [
      datathon.event_id,
      invitee.id,
    ])
  )
    throw conflict('email', 'datathons.error.invitee_in_team');
  if (team.members.length >= datathon.team_max)
    throw conflict('email', 'datathons.error.team_full', { max: datathon.team_max });
  const row = await db.one<{ id: number }>(
    `INSERT INTO datathon_team_requests (team_id, user_id, kind, created_at) VALUES ($1, $2, 'invite', $3)
     ON CONFLICT (team_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING id`,
    [team.id, invitee.id, now],
  );
  if (!row) throw conflict('email', 'datathons.error.already_pending');
  await recordAudit(db, actor, 'datathon.team.invite', 'datathon_team', team.id, null, { user_id: invitee.id });
  // The invitee hears of it by mail too (in their language), not only on their dashboard.
  const person = (await db.one<{ email: string; locale: string }>('SELECT email, locale FROM users WHERE id = $1', [
    invitee.id,
  ]))!;
  const t = translator(isLocale(person.locale) ? person.locale : 'uk');
  await queueMail(
    db,
    person.email,
    t('datathons.mail.invited_subject', { team: team.name, datathon: datathon.title }),
    t('datathons.mail.invited_body', {
      inviter: user.displayName,
      team: team.name,
      datathon: datathon.title,
      url: `${site.publicUrl}/dashboard`,
    }),
  );
}

/** A person asks to join a team; one of its members accepts or declines. */
export async function requestToJoin(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  team: Team,
  now: Date,
): Promise<void> {
  assertBeforeDeadline(datathon, now);
  if (await isJudge(db, datathon.event_id, user.id)) throw conflict('team', 'datathons.error.judge_in_team');
  if (await teamOf(db, datathon.event_id, user.id)) throw conflict('team', 'datathons.error.already_in_team');
  const row = await db.one<{ id: number }>(
    `INSERT INTO datathon_team_requests (team_id, user_id, kind, created_at) VALUES ($1, $2, 'request', $3)
     ON CONFLICT (team_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING id`,
    [team.id, user.id, now],
  );
  if (!row) throw conflict('team', 'datathons.error.already_pending');
  await recordAudit(db, actor, 'datathon.team.request', 'datathon_team', team.id, null, { user_id: user.id });
}

export interface TeamRequest {
  id: number;
  team_id: number;
  team_name: string;
  event_id: number;
  event_title: string;
  user_id: number;
  display_name: string;
  kind: 'invite' | 'request';
  created_at: Date;
}

const SELECT_REQUEST = `SELECT r.id, r.team_id, t.name AS team_name, t.event_id, e.title AS event_title, r.user_id,
    u.display_name, r.kind, r.created_at
  FROM datathon_team_requests r JOIN datathon_teams t ON t.id = r.team_id JOIN users u ON u.id = r.user_id
  JOIN community_events e ON e.id = t.event_id`;

/** The pending invitations this person received. */
export async function invitationsFor(db: Queryable, userId: number): Promise<TeamRequest[]> {
  return db.query<TeamRequest>(
    `${SELECT_REQUEST} WHERE r.user_id = $1 AND r.kind = 'invite' AND r.status = 'pending' ORDER BY r.id`,
    [userId],
  );
}

/** A team's pending invitations and join requests. */
export async function pendingRequests(db: Queryable, teamId: number): Promise<TeamRequest[]> {
  return db.query<TeamRequest>(`${SELECT_REQUEST} WHERE r.team_id = $1 AND r.status = 'pending' ORDER BY r.id`, [
    teamId,
  ]);
}

/**
 * Accepts or declines an invitation (the invitee) or a join request (a member of the team).
 * Accepting counts the members under the team's row lock, so two acceptances racing for the
 * last seat cannot both win; the unique key keeps a person in one team per datathon.
 */
export async function decideRequest(
  db: Transactional,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  requestId: number,
  accept: boolean,
  now: Date,
): Promise<number> {
  try {
    return await db.transaction(async (tx) => {
      const request = await tx.one<{ id: number; team_id: number; user_id: number; kind: string }>(
        `SELECT r.id, r.team_id, r.user_id, r.kind FROM datathon_team_requests r JOIN datathon_teams t ON t.id = r.team_id
         WHERE r.id = $1 AND t.event_id = $2 AND r.status = 'pending'`,
        [requestId, datathon.event_id],
      );
      if (!request) throw new NotFoundError(`request ${requestId}`);
      await tx.one('SELECT id FROM datathon_teams WHERE id = $1 FOR UPDATE', [request.team_id]);
      const team = await getTeam(tx, datathon.event_id, request.team_id);
      if (request.kind === 'invite' && request.user_id !== user.id)
        throw new ForbiddenError('only the invited person may answer an invitation');
      if (request.kind === 'request') assertTeamMember(user, memberIds(team));
      if (accept) {
        assertBeforeDeadline(datathon, now);
        if (await isJudge(tx, datathon.event_id, request.user_id))
          throw conflict('request', 'datathons.error.judge_in_team');
        if (team.members.length >= datathon.team_max)
          throw conflict('request', 'datathons.error.team_full', { max: datathon.team_max });
        await tx.query(
          'INSERT INTO datathon_team_members (team_id, event_id, user_id, joined_at) VALUES ($1, $2, $3, $4)',
          [team.id, datathon.event_id, request.user_id, now],
        );
      }
      await tx.query('UPDATE datathon_team_requests SET status = $2, decided_at = $3 WHERE id = $1', [
        request.id,
        accept ? 'accepted' : 'declined',
        now,
      ]);
      await recordAudit(
        tx,
        actor,
        accept ? 'datathon.team.join' : 'datathon.team.decline',
        'datathon_team',
        team.id,
        null,
        { user_id: request.user_id, kind: request.kind },
      );
      return team.id;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'datathon_team_members_event_id_user_id_key'))
      throw conflict('request', 'datathons.error.invitee_in_team');
    throw error;
  }
}

/** A member leaves before the deadline; a team left empty without a submission is removed. */
export async function leaveTeam(
  db: Transactional,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  team: Team,
  now: Date,
): Promise<void> {
  assertTeamMember(user, memberIds(team));
  assertBeforeDeadline(datathon, now);
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM datathon_team_members WHERE team_id = $1 AND user_id = $2', [team.id, user.id]);
    await tx.query(
      `DELETE FROM datathon_teams t WHERE t.id = $1 AND NOT EXISTS (SELECT 1 FROM datathon_team_members m WHERE m.team_id = t.id)
       AND NOT EXISTS (SELECT 1 FROM datathon_submissions s WHERE s.team_id = t.id)`,
      [team.id],
    );
    await recordAudit(tx, actor, 'datathon.team.leave', 'datathon_team', team.id, null, { user_id: user.id });
  });
}

// ---- Submissions ----

export interface Submission {
  id: number;
  event_id: number;
  team_id: number;
  team_name: string;
  challenge_id: number;
  challenge_title: string;
  title: string;
  description: string;
  repository_url: string | null;
  demo_url: string | null;
  licence: string;
  created_at: Date;
  updated_at: Date;
  member_ids: number[];
  datasets: { id: number; name: string; title_uk: string; title_en: string; title_bg: string }[];
  screenshots: { id: number; caption: string; mime_type: string }[];
  votes: number;
}

const SELECT_SUBMISSION = `SELECT s.*, t.name AS team_name, t.challenge_id, ch.title AS challenge_title,
    coalesce((SELECT array_agg(m.user_id ORDER BY m.user_id) FROM datathon_team_members m WHERE m.team_id = s.team_id), '{}') AS member_ids,
    coalesce((SELECT json_agg(json_build_object('id', ds.id, 'name', ds.name, 'title_uk', ds.title_uk, 'title_en', ds.title_en, 'title_bg', ds.title_bg) ORDER BY ds.name)
      FROM datathon_submission_datasets sd JOIN datasets ds ON ds.id = sd.dataset_id WHERE sd.submission_id = s.id AND ds.state = 'published'), '[]') AS datasets,
    coalesce((SELECT json_agg(json_build_object('id', sc.id, 'caption', sc.caption, 'mime_type', sc.mime_type) ORDER BY sc.id)
      FROM datathon_screenshots sc WHERE sc.submission_id = s.id), '[]') AS screenshots,
    (SELECT count(*)::int FROM datathon_votes v WHERE v.submission_id = s.id AND v.valid) AS votes
  FROM datathon_submissions s JOIN datathon_teams t ON t.id = s.team_id JOIN datathon_challenges ch ON ch.id = t.challenge_id`;

export async function listSubmissions(db: Queryable, eventId: number, limit = 500, offset = 0): Promise<Submission[]> {
  return db.query<Submission>(`${SELECT_SUBMISSION} WHERE s.event_id = $1 ORDER BY ch.id, s.id LIMIT $2 OFFSET $3`, [
    eventId,
    limit,
    offset,
  ]);
}

export async function countSubmissions(db: Queryable, eventId: number): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM datathon_submissions WHERE event_id = $1', [
    eventId,
  ]))!.n;
}

export async function getSubmission(db: Queryable, eventId: number, id: number): Promise<Submission> {
  const submission = await db.one<Submission>(`${SELECT_SUBMISSION} WHERE s.event_id = $1 AND s.id = $2`, [
    eventId,
    id,
  ]);
  if (!submission) throw new NotFoundError(`submission ${id}`);
  return submission;
}

export interface SubmissionInput {
  title: string;
  description: string;
  repository_url: string | null;
  demo_url: string | null;
  licence: string;
  dataset_ids: number[];
}

export async function parseSubmission(db: Queryable, body: unknown): Promise<SubmissionInput> {
  const check = new Checker(body);
  const title = check.text('title', { required: true, max: 200 });
  const description = check.text('description', { required: true, max: 20000 });
  const repositoryUrl = check.url('repository_url');
  const demoUrl = check.url('demo_url');
  const licence = check.oneOf('licence', SUBMISSION_LICENCES) ?? '';
  const datasetIds = await parseDatasetNames(db, check, 'datasets');
  check.done();
  return { title, description, repository_url: repositoryUrl, demo_url: demoUrl, licence, dataset_ids: datasetIds };
}

/**
 * Creates or changes the team's submission. The deadline is checked in the same statement that
 * writes (against the datathon's row), so a save that arrives after it changes nothing: 409.
 */
export async function saveSubmission(
  db: Transactional,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  team: Team,
  input: SubmissionInput,
  now: Date,
): Promise<number> {
  assertTeamMember(user, memberIds(team));
  assertBeforeDeadline(datathon, now);
  if (team.members.length < datathon.team_min)
    throw new ValidationError([
      { field: 'title', message: 'datathons.error.team_too_small', params: { min: datathon.team_min } },
    ]);
  return db.transaction(async (tx) => {
    const row = await tx.one<{ id: number }>(
      `INSERT INTO datathon_submissions (event_id, team_id, title, description, repository_url, demo_url, licence, created_at, updated_at)
       SELECT d.event_id, $2, $3, $4, $5, $6, $7, $8, $8 FROM datathons d WHERE d.event_id = $1 AND $8 < d.submission_deadline
       ON CONFLICT (team_id) DO UPDATE SET title = $3, description = $4, repository_url = $5, demo_url = $6, licence = $7, updated_at = $8
       RETURNING id`,
      [
        datathon.event_id,
        team.id,
        input.title,
        input.description,
        input.repository_url,
        input.demo_url,
        input.licence,
        now,
      ],
    );
    if (!row) throw conflict('deadline', 'datathons.error.deadline_passed');
    await tx.query('DELETE FROM datathon_submission_datasets WHERE submission_id = $1', [row.id]);
    await tx.query(
      'INSERT INTO datathon_submission_datasets (submission_id, dataset_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING',
      [row.id, input.dataset_ids],
    );
    await recordAudit(tx, actor, 'datathon.submission.save', 'datathon_submission', row.id, null, input);
    return row.id;
  });
}

/** Whether the team may still change its submission (screenshots included), or why not. */
export function assertEditable(user: CurrentUser, datathon: Datathon, submission: Submission, now: Date): void {
  assertTeamMember(user, submission.member_ids);
  assertBeforeDeadline(datathon, now);
}

export async function addScreenshot(
  db: Queryable,
  actor: Actor,
  submission: Submission,
  file: { key: string; mime_type: string; size: number; caption: string },
  now: Date,
): Promise<void> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO datathon_screenshots (submission_id, caption, file_key, mime_type, size_bytes)
     SELECT $1, $2, $3, $4, $5 FROM datathons d WHERE d.event_id = $6 AND $7 < d.submission_deadline
       AND (SELECT count(*) FROM datathon_screenshots WHERE submission_id = $1) < $8
     RETURNING id`,
    [submission.id, file.caption, file.key, file.mime_type, file.size, submission.event_id, now, MAX_SCREENSHOTS],
  );
  if (!row) throw conflict('file', 'datathons.error.screenshot_refused', { max: MAX_SCREENSHOTS });
  await recordAudit(db, actor, 'datathon.screenshot.add', 'datathon_submission', submission.id, null, {
    screenshot: row.id,
    caption: file.caption,
  });
}

export async function removeScreenshot(
  db: Queryable,
  actor: Actor,
  submission: Submission,
  screenshotId: number,
  now: Date,
): Promise<string | null> {
  const row = await db.one<{ file_key: string }>(
    `DELETE FROM datathon_screenshots sc USING datathons d WHERE sc.id = $1 AND sc.submission_id = $2
       AND d.event_id = $3 AND $4 < d.submission_deadline RETURNING sc.file_key`,
    [screenshotId, submission.id, submission.event_id, now],
  );
  if (row)
    await recordAudit(db, actor, 'datathon.screenshot.remove', 'datathon_submission', submission.id, null, {
      screenshot: screenshotId,
    });
  return row?.file_key ?? null;
}

// ---- The jury ----

export async function listJudges(
  db: Queryable,
  eventId: number,
): Promise<{ user_id: number; display_name: string; email: string }[]> {
  return db.query(
    `SELECT j.user_id, u.display_name, u.email FROM datathon_judges j JOIN users u ON u.id = j.user_id
     WHERE j.event_id = $1 ORDER BY u.display_name, j.user_id`,
    [eventId],
  );
}

export async function addJudge(
  db: Queryable,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  body: unknown,
): Promise<void> {
  assertCanManage(user, datathon);
  const check = new Checker(body);
  const email = check.email('judge_email');
  check.done();
  const judge = await db.one<{ id: number }>('SELECT id FROM users WHERE lower(email) = $1', [email]);
  if (!judge) throw new ValidationError([{ field: 'judge_email', message: 'datathons.error.no_account' }]);
  if (await teamOf(db, datathon.event_id, judge.id)) throw conflict('judge_email', 'datathons.error.judge_in_team');
  await db.query('INSERT INTO datathon_judges (event_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    datathon.event_id,
    judge.id,
  ]);
  await recordAudit(db, actor, 'datathon.judge.add', 'community_event', datathon.event_id, null, {
    user_id: judge.id,
  });
}

export async function removeJudge(
  db: Queryable,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  judgeId: number,
): Promise<void> {
  assertCanManage(user, datathon);
  if (datathon.results_published_at) throw conflict('judge_email', 'datathons.error.results_published');
  await db.query(
    'DELETE FROM datathon_scores WHERE judge_id = $2 AND submission_id IN (SELECT id FROM datathon_submissions WHERE event_id = $1)',
    [datathon.event_id, judgeId],
  );
  await db.query('DELETE FROM datathon_judges WHERE event_id = $1 AND user_id = $2', [datathon.event_id, judgeId]);
  await recordAudit(
    db,
    actor,
    'datathon.judge.remove',
    'community_event',
    datathon.event_id,
    { user_id: judgeId },
    null,
  );
}

/** Adds a criterion; at most six, counted under the datathon's row lock. */
export async function addCriterion(
  db: Transactional,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  body: unknown,
): Promise<void> {
  assertCanManage(user, datathon);
  const check = new Checker(body);
  const name = check.text('criterion_name', { required: true, max: 100 });
  const weight = check.number('criterion_weight', { integer: true, min: 1, max: 10, required: true });
  check.done();
  if (datathon.results_published_at) throw conflict('criterion_name', 'datathons.error.results_published');
  try {
    await db.transaction(async (tx) => {
      await tx.one('SELECT event_id FROM datathons WHERE event_id = $1 FOR UPDATE', [datathon.event_id]);
      const count = await tx.one<{ n: number }>(
        'SELECT count(*)::int AS n FROM datathon_criteria WHERE event_id = $1',
        [datathon.event_id],
      );
      if (count!.n >= MAX_CRITERIA)
        throw conflict('criterion_name', 'datathons.error.too_many_criteria', { max: MAX_CRITERIA });
      await tx.query('INSERT INTO datathon_criteria (event_id, name, weight) VALUES ($1, $2, $3)', [
        datathon.event_id,
        name,
        weight,
      ]);
      await recordAudit(tx, actor, 'datathon.criterion.add', 'community_event', datathon.event_id, null, {
        name,
        weight,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'datathon_criteria_event_id_name_key'))
      throw conflict('criterion_name', 'datathons.error.criterion_taken');
    throw error;
  }
}

export async function removeCriterion(
  db: Queryable,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  criterionId: number,
): Promise<void> {
  assertCanManage(user, datathon);
  if (datathon.results_published_at) throw conflict('criterion_name', 'datathons.error.results_published');
  // Judges' scores on it would go with it: once scoring has begun, the criteria stay as they are.
  if (await db.one('SELECT 1 FROM datathon_scores WHERE criterion_id = $1 LIMIT 1', [criterionId]))
    throw conflict('criterion_name', 'datathons.error.criterion_scored');
  await db.query('DELETE FROM datathon_criteria WHERE id = $1 AND event_id = $2', [criterionId, datathon.event_id]);
  await recordAudit(
    db,
    actor,
    'datathon.criterion.remove',
    'community_event',
    datathon.event_id,
    {
      criterion: criterionId,
    },
    null,
  );
}

/**
 * The organisation the judge shares with a member of the team, if any: that judge may not score
 * the submission.
 */
export async function sharedOrganization(
  db: Queryable,
  judgeId: number,
  teamId: number,
): Promise<{ id: number; name_uk: string; name_en: string; name_bg: string } | undefined> {
  return db.one(
    `SELECT o.id, o.name_uk, o.name_en, o.name_bg FROM memberships jm JOIN organizations o ON o.id = jm.organization_id
     WHERE jm.user_id = $1 AND EXISTS (
       SELECT 1 FROM datathon_team_members tm JOIN memberships mm ON mm.user_id = tm.user_id
       WHERE tm.team_id = $2 AND mm.organization_id = jm.organization_id)
     ORDER BY o.id LIMIT 1`,
    [judgeId, teamId],
  );
}

export interface ScoreInput {
  criterion_id: number;
  score: number;
  comment: string;
}

export function parseScores(body: unknown, criteria: Criterion[]): ScoreInput[] {
  const check = new Checker(body);
  const scores = criteria.map((c) => ({
    criterion_id: c.id,
    score: check.number(`score_${c.id}`, { integer: true, min: 1, max: 5, required: true }) ?? 0,
    comment: check.text(`comment_${c.id}`, { max: 2000 }),
  }));
  if (!criteria.length) check.fail('scores', 'datathons.error.no_criteria');
  check.done();
  return scores;
}

/**
 * A judge scores a submission on every criterion. Only this datathon's judges, after the
 * submission deadline and before the results; a judge sharing an organisation with a member of
 * the team is refused, and the conflict is recorded for the organisers.
 */
export async function scoreSubmission(
  db: Transactional,
  actor: Actor,
  user: CurrentUser,
  datathon: Datathon,
  submission: Submission,
  scores: ScoreInput[],
  now: Date,
  locale: Locale = 'uk',
): Promise<void> {
  assertJudge(user, datathon);
  if (now < datathon.submission_deadline) throw conflict('scores', 'datathons.error.judging_not_open');
  if (datathon.results_published_at) throw conflict('scores', 'datathons.error.results_published');
  // Never one's own team, whatever else (the rules above keep judges out of teams; this holds
  // even for a team joined before its member became a judge).
  if (
    await db.one('SELECT 1 FROM datathon_team_members WHERE team_id = $1 AND user_id = $2', [
      submission.team_id,
      user.id,
    ])
  )
    throw new ValidationError([{ field: 'scores', message: 'datathons.error.score_own_team' }], 403);
  const shared = await sharedOrganization(db, user.id, submission.team_id);
  if (shared) {
    await db.query(
      `INSERT INTO datathon_conflicts (submission_id, judge_id, organization_id, recorded_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (submission_id, judge_id) DO NOTHING`,
      [submission.id, user.id, shared.id, now],
    );
    await recordAudit(db, actor, 'datathon.conflict', 'datathon_submission', submission.id, null, {
      judge: user.id,
      organization: shared.id,
    });
    throw new ValidationError(
      [{ field: 'scores', message: 'datathons.error.conflict', params: { organization: localName(shared, locale) } }],
      403,
    );
  }
  await db.transaction(async (tx) => {
    for (const s of scores)
      await tx.query(
        `INSERT INTO datathon_scores (submission_id, judge_id, criterion_id, score, comment, scored_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (submission_id, judge_id, criterion_id) DO UPDATE SET score = $4, comment = $5, scored_at = $6`,
        [submission.id, user.id, s.criterion_id, s.score, s.comment, now],
      );
    await recordAudit(tx, actor, 'datathon.score', 'datathon_submission', submission.id, null, { scores });
  });
}

export interface ScoreRow {
  submission_id: number;
  judge_id: number;
  judge_name: string;
  criterion_id: number;
  score: number;
  comment: string;
}

export async function listScores(db: Queryable, eventId: number, judgeId?: number): Promise<ScoreRow[]> {
  return db.query<ScoreRow>(
    `SELECT sc.submission_id, sc.judge_id, u.display_name AS judge_name, sc.criterion_id, sc.score, sc.comment
     FROM datathon_scores sc JOIN datathon_submissions s ON s.id = sc.submission_id JOIN users u ON u.id = sc.judge_id
     JOIN datathon_criteria c ON c.id = sc.criterion_id
     WHERE s.event_id = $1 ${judgeId === undefined ? '' : 'AND sc.judge_id = $2'}
     ORDER BY sc.submission_id, u.display_name, sc.judge_id, sc.criterion_id`,
    judgeId === undefined ? [eventId] : [eventId, judgeId],
  );
}

export async function listConflicts(
  db: Queryable,
  eventId: number,
): Promise<
  { submission_id: number; submission_title: string; judge_name: string; organization: string; recorded_at: Date }[]
> {
  return db.query(
    `SELECT c.submission_id, s.title AS submission_title, u.display_name AS judge_name, o.name_uk AS organization, c.recorded_at
     FROM datathon_conflicts c JOIN datathon_submissions s ON s.id = c.submission_id JOIN users u ON u.id = c.judge_id
     JOIN organizations o ON o.id = c.organization_id WHERE s.event_id = $1 ORDER BY c.recorded_at, c.submission_id`,
    [eventId],
  );
}

// ---- Results ----

export interface RankedSubmission {
  submission_id: number;
  rank: number;
  /** The weighted mean of the criteria's means of normalised scores, on the 1–5 scale. */
  score: number;
  /** The same of the judges' scores as given, shown beside it and used to break ties. */
  raw_score: number;
  judges: number;
}

/**
 * The jury's ranking.
 *
 * Judges' scales are normalised: each judge's scores (over every criterion and submission of the
 * datathon) become z-scores, z = (score − that judge's mean) / that judge's standard deviation
 * (population, dividing by n; a judge who gave every score alike has z = 0 throughout), mapped
 * back to the 1–5 scale as 3 + z (the scale's middle, one standard deviation a point), limited to
 * 1…5. A submission's criterion score is the mean over the judges who scored it; its score is the
 * weighted mean of its criteria with the criteria's weights.
 *
 * Ties (scores equal to 1e-9) are broken by, in order: the higher raw weighted mean (the same
 * computed on the scores as given), more judges who scored it, then the earlier submission id
 * (the team that submitted first). Equal rank numbers are never given.
 */
export function rankSubmissions(
  scores: Pick<ScoreRow, 'submission_id' | 'judge_id' | 'criterion_id' | 'score'>[],
  criteria: Criterion[],
  submissionIds: number[],
): RankedSubmission[] {
  const byJudge = new Map<number, number[]>();
  for (const s of scores) byJudge.set(s.judge_id, [...(byJudge.get(s.judge_id) ?? []), s.score]);
  const scale = new Map<number, { mean: number; sd: number }>();
  for (const [judge, list] of byJudge) {
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    const variance = list.reduce((a, b) => a + (b - mean) ** 2, 0) / list.length;
    scale.set(judge, { mean, sd: Math.sqrt(variance) });
  }
  const normalised = (judge: number, score: number) => {
    const { mean, sd } = scale.get(judge)!;
    const z = sd === 0 ? 0 : (score - mean) / sd;
    return Math.min(5, Math.max(1, 3 + z));
  };
  const weightOf = new Map(criteria.map((c) => [c.id, c.weight]));
  const results = submissionIds.map((id) => {
    const mine = scores.filter((s) => s.submission_id === id && weightOf.has(s.criterion_id));
    const weighted = (value: (s: (typeof mine)[number]) => number) => {
      let sum = 0;
      let weights = 0;
      for (const c of criteria) {
        const list = mine.filter((s) => s.criterion_id === c.id);
        if (!list.length) continue;
        sum += c.weight * (list.reduce((a, s) => a + value(s), 0) / list.length);
        weights += c.weight;
      }
      return weights ? sum / weights : 0;
    };
    return {
      submission_id: id,
      rank: 0,
      score: weighted((s) => normalised(s.judge_id, s.score)),
      raw_score: weighted((s) => s.score),
      judges: new Set(mine.map((s) => s.judge_id)).size,
    };
  });
  results.sort(
    (a, b) =>
      (Math.abs(b.score - a.score) > 1e-9 ? b.score - a.score : 0) ||
      (Math.abs(b.raw_score - a.raw_score) > 1e-9 ? b.raw_score - a.raw_score : 0) ||
      b.judges - a.judges ||
      a.submission_id - b.submission_id,
  );
  results.forEach((r, i) => {
    r.rank = i + 1;
  });
  return results;
}

export async function datathonResults(db: Queryable, datathon: Datathon): Promise<RankedSubmission[]> {
  const [scores, submissions] = await Promise.all([
    listScores(db, datathon.event_id),
    db.query<{ id: number }>('SELECT id FROM datathon_submissions WHERE event_id = $1 ORDER BY id', [
      datathon.event_id,
    ]),
  ]);
  return rankSubmissions(
    scores,
    datathon.criteria,
    submissions.map((s) => s.id),
  );
}

export async function publishResults(
  db: Queryable,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  now: Date,
): Promise<void> {
  assertCanManage(user, datathon);
  if (now < datathon.submission_deadline) throw conflict('publish', 'datathons.error.judging_not_open');
  const row = await db.one(
    'UPDATE datathons SET results_published_at = $2 WHERE event_id = $1 AND results_published_at IS NULL RETURNING event_id',
    [datathon.event_id, now],
  );
  if (!row) throw conflict('publish', 'datathons.error.results_published');
  const results = await datathonResults(db, datathon);
  await recordAudit(db, actor, 'datathon.results.publish', 'community_event', datathon.event_id, null, { results });
  await ensureDatathonDataset(db, actor, datathon.event_id);
}

// ---- The people's choice ----

export function votingOpen(datathon: Datathon, now: Date): boolean {
  return now >= datathon.submission_deadline && now < datathon.voting_closes_at;
}

/**
 * Casts the person's vote for a submission, with the integrity rules of petition signatures: a
 * confirmed e-mail (petitions' identity check), no throw-away mail domain (petitions' list), the
 * address block and domain kept for bulk invalidation. One INSERT guarded by the unique
 * (datathon, account) key and by the voting window, so racing requests cannot vote twice. A
 * member of the team cannot vote for it.
 */
export async function castVote(
  db: Queryable,
  user: CurrentUser,
  datathon: Datathon,
  submission: Submission,
  ip: string,
  now: Date,
): Promise<{ voted: boolean }> {
  const identity = voteIdentityProblem(user);
  if (identity) throw new ValidationError([{ field: 'identity', message: identity }], 403);
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1).toLowerCase();
  if (isDisposableDomain(domain))
    throw new ValidationError([{ field: 'email', message: 'petitions.error.disposable', params: { domain } }], 403);
  if (!votingOpen(datathon, now)) throw conflict('vote', 'datathons.error.voting_closed');
  if (submission.member_ids.includes(user.id)) throw conflict('vote', 'datathons.error.own_team');
  const row = await db.one(
    `INSERT INTO datathon_votes (event_id, submission_id, user_id, ip_block, email_domain, created_at)
     SELECT d.event_id, $2, $3, $4, $5, $6 FROM datathons d
      WHERE d.event_id = $1 AND $6 >= d.submission_deadline AND $6 < d.voting_closes_at
     ON CONFLICT (event_id, user_id) DO NOTHING RETURNING id`,
    [datathon.event_id, submission.id, user.id, addressBlock(ip), domain, now],
  );
  return { voted: row !== undefined };
}

export async function voteOf(
  db: Queryable,
  eventId: number,
  userId: number,
): Promise<{ submission_id: number; valid: boolean } | undefined> {
  return db.one('SELECT submission_id, valid FROM datathon_votes WHERE event_id = $1 AND user_id = $2', [
    eventId,
    userId,
  ]);
}

/** Valid votes per submission, most first (ties: earlier submission). */
export async function voteCounts(db: Queryable, eventId: number): Promise<{ submission_id: number; votes: number }[]> {
  return db.query(
    `SELECT s.id AS submission_id, count(v.id)::int AS votes FROM datathon_submissions s
     LEFT JOIN datathon_votes v ON v.submission_id = s.id AND v.valid
     WHERE s.event_id = $1 GROUP BY s.id ORDER BY votes DESC, s.id`,
    [eventId],
  );
}

/** Invalidates the valid votes matching every given criterion (petitions' form of criteria). Audited. */
export async function invalidateVotes(
  db: Transactional,
  actor: Actor,
  user: CurrentUser | null,
  datathon: Datathon,
  input: InvalidationInput,
  now: Date,
): Promise<number> {
  assertCanManage(user, datathon);
  return db.transaction(async (tx) => {
    const record = await tx.one<{ id: number }>(
      `INSERT INTO datathon_vote_invalidations (event_id, by_user_id, ip_block, email_domain, from_time, to_time, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [datathon.event_id, user?.id ?? null, input.ipBlock, input.emailDomain, input.from, input.to, input.reason],
    );
    const result = await tx.query<{ id: number }>(
      `UPDATE datathon_votes SET valid = false, invalidated_at = $2, invalidation_id = $3
       WHERE event_id = $1 AND valid
         AND ($4::text IS NULL OR ip_block = $4) AND ($5::text IS NULL OR email_domain = $5)
         AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at <= $7)
       RETURNING id`,
      [datathon.event_id, now, record!.id, input.ipBlock, input.emailDomain, input.from, input.to],
    );
    await tx.query('UPDATE datathon_vote_invalidations SET invalidated = $2 WHERE id = $1', [
      record!.id,
      result.length,
    ]);
    await recordAudit(tx, actor, 'datathon.votes.invalidate', 'community_event', datathon.event_id, null, {
      invalidated: result.length,
      criteria: input,
    });
    return result.length;
  });
}

export async function listInvalidations(
  db: Queryable,
  eventId: number,
): Promise<
  {
    id: number;
    ip_block: string | null;
    email_domain: string | null;
    reason: string;
    invalidated: number;
    created_at: Date;
  }[]
> {
  return db.query(
    'SELECT id, ip_block, email_domain, reason, invalidated, created_at FROM datathon_vote_invalidations WHERE event_id = $1 ORDER BY id DESC',
    [eventId],
  );
}

/** The datathon event for a hub, or the event to set one up on (its settings still missing). */
export async function datathonOrEvent(
  db: Queryable,
  eventId: number,
): Promise<{ datathon: Datathon | undefined; event: CommunityEvent }> {
  const event = await getEvent(db, eventId);
  if (event.kind !== 'datathon') throw new NotFoundError(`event ${eventId} is no datathon`);
  return { datathon: await findDatathon(db, eventId), event };
}
