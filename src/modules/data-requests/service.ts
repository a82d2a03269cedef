// Data requests: a resident asks a city for a dataset, the city's editors answer (accepted with a
// planned date, published with the catalog dataset, or declined with a reason), people comment and
// follow, and followers are mailed through the outbox on every answer. Every function takes `now`
// from the application clock, so the answer period can be tested.
//
// States follow ckanext-datarequests (github.com/conwetlab/ckanext-datarequests, actions.py: a
// request is open or closed, closed with an `accepted_dataset_id`), with the city's answer made
// explicit: new → accepted → published | declined; new → published | declined; a closed request
// may be reopened (back to new, with a new answer period).
import type { Queryable } from '../../platform/db/index.ts';
import { likePattern } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { kyivDate } from '../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { searchFold } from '../../platform/i18n/collation.ts';
import { isLocale, translator } from '../../platform/i18n/locales.ts';
import { queueMail } from '../../platform/mail.ts';
import { Checker } from '../../platform/validate.ts';
import { addWorkingDays, daysBetween } from '../petitions/calendar.ts';
import { getRules as getPetitionRules } from '../petitions/service.ts';
import { assertCanAnswer, assertCanEditRequest, assertCanModerate, canAnswer } from './policy.ts';

export const STATES = ['new', 'accepted', 'published', 'declined'] as const;
export type RequestState = (typeof STATES)[number];
export const DECLINE_REASONS = [
  'does_not_exist',
  'personal_data',
  'restricted_by_law',
  'not_held',
  'duplicate',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const PURPOSE_MAX = 2000;
export const COMMENT_MAX = 5000;

/**
 * The answer period when a city has set none: five working days, the period the Law of Ukraine
 * "On Access to Public Information" (No. 2939-VI, art. 20 part 1) gives a holder of information to
 * answer a request for it. A city sets its own (1–60) on its statistics page.
 */
export const DEFAULT_ANSWER_WORKING_DAYS = 5;

/** Which states each answer may start from; anything else is a 409 naming both states. */
const TRANSITIONS: Record<'accept' | 'publish' | 'decline' | 'reopen', readonly RequestState[]> = {
  accept: ['new', 'accepted'],
  publish: ['new', 'accepted'],
  decline: ['new', 'accepted'],
  reopen: ['published', 'declined'],
};
type Answer = keyof typeof TRANSITIONS;
const TARGET: Record<Answer, RequestState> = {
  accept: 'accepted',
  publish: 'published',
  decline: 'declined',
  reopen: 'new',
};

export interface DataRequest {
  id: number;
  city_id: number;
  city_slug: string;
  city_name_uk: string;
  city_name_en: string;
  city_name_bg: string;
  requester_id: number | null;
  requester_name: string | null;
  title: string;
  description: string;
  purpose: string;
  state: RequestState;
  created_at: Date;
  answer_due: string;
  first_answered_at: Date | null;
  answered_at: Date | null;
  planned_date: string | null;
  dataset_id: number | null;
  dataset_name: string | null;
  dataset_title: string | null;
  decline_reason: DeclineReason | null;
  duplicate_of: number | null;
  closed_at: Date | null;
  hidden_at: Date | null;
  updated_at: Date;
  follower_count: number;
  comment_count: number;
}

const REQUEST_SELECT = `SELECT r.id, r.city_id, c.slug AS city_slug, c.name_uk AS city_name_uk, c.name_en AS city_name_en,
  c.name_bg AS city_name_bg, r.requester_id, u.display_name AS requester_name, r.title, r.description, r.purpose, r.state,
  r.created_at, to_char(r.answer_due, 'YYYY-MM-DD') AS answer_due, r.first_answered_at, r.answered_at,
  to_char(r.planned_date, 'YYYY-MM-DD') AS planned_date, r.dataset_id, d.name AS dataset_name, d.title_uk AS dataset_title,
  r.decline_reason, r.duplicate_of, r.closed_at, r.hidden_at, r.updated_at,
  (SELECT count(*)::int FROM data_request_followers f WHERE f.request_id = r.id) AS follower_count,
  (SELECT count(*)::int FROM data_request_comments m WHERE m.request_id = r.id AND m.hidden_at IS NULL) AS comment_count
  FROM data_requests r JOIN cities c ON c.id = r.city_id LEFT JOIN users u ON u.id = r.requester_id
  LEFT JOIN datasets d ON d.id = r.dataset_id AND d.state = 'published'`;

/** Whether the city has let the answer period pass without answering, as of `now` (Kyiv's date). */
export function isOverdue(request: Pick<DataRequest, 'state' | 'answer_due'>, now: Date): boolean {
  return request.state === 'new' && request.answer_due < kyivDate(now);
}

/** Working days past the answer period (0 when not overdue), counted on the petitions' calendar. */
export function daysOverdue(request: Pick<DataRequest, 'state' | 'answer_due'>, now: Date): number {
  return isOverdue(request, now) ? daysBetween(request.answer_due, kyivDate(now)) : 0;
}

// ---- The city's answer period ----

export async function answerWorkingDays(db: Queryable, cityId: number): Promise<number> {
  const row = await db.one<{ answer_working_days: number }>(
    'SELECT answer_working_days FROM data_request_rules WHERE city_id = $1',
    [cityId],
  );
  return row?.answer_working_days ?? DEFAULT_ANSWER_WORKING_DAYS;
}

export function parseAnswerPeriod(body: unknown): number {
  const check = new Checker(body);
  const days = check.number('answer_working_days', { min: 1, max: 60, integer: true, required: true });
  check.done();
  return days!;
}

export async function saveAnswerPeriod(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cityId: number,
  days: number,
): Promise<void> {
  assertCanAnswer(user, { city_id: cityId });
  const before = await answerWorkingDays(db, cityId);
  await db.query(
    `INSERT INTO data_request_rules (city_id, answer_working_days) VALUES ($1, $2)
     ON CONFLICT (city_id) DO UPDATE SET answer_working_days = $2, updated_at = now()`,
    [cityId, days],
  );
  await recordAudit(
    db,
    actor,
    'data_requests.rules',
    'city',
    cityId,
    { answer_working_days: before },
    {
      answer_working_days: days,
    },
  );
}

/**
 * The last day of the answer period starting on `now`'s Kyiv date: the city's working days, with
 * weekends and the holidays the city set for its petitions (one calendar per city).
 */
export async function answerDue(db: Queryable, cityId: number, now: Date): Promise<string> {
  const [days, rules] = await Promise.all([answerWorkingDays(db, cityId), getPetitionRules(db, cityId)]);
  return addWorkingDays(kyivDate(now), days, new Set(rules?.holidays ?? []));
}

// ---- Reading ----

export async function getRequest(db: Queryable, id: number): Promise<DataRequest> {
  const request = await db.one<DataRequest>(`${REQUEST_SELECT} WHERE r.id = $1`, [id]);
  if (!request) throw new NotFoundError('no such data request');
  return request;
}

export interface RequestQuery {
  cityId?: number;
  /** Requests to any of these cities. */
  cityIds?: number[];
  /** Requests this account follows. */
  followerId?: number;
  state?: RequestState;
  overdue?: boolean;
  q?: string;
  datasetId?: number;
  requesterId?: number;
  /** Closed (published or declined) or open, as ckanext-datarequests filters. */
  closed?: boolean;
  /** Oldest first (ckanext-datarequests' default order); newest first otherwise. */
  ascending?: boolean;
  /** Hidden requests too (admins). */
  withHidden?: boolean;
  limit: number;
  offset: number;
}

/** Requests matching the filters, newest first, with the total. */
export async function listRequests(
  db: Queryable,
  query: RequestQuery,
  now: Date,
): Promise<{ items: DataRequest[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (!query.withHidden) where.push('r.hidden_at IS NULL');
  if (query.cityId !== undefined) add('r.city_id = ?', query.cityId);
  if (query.cityIds !== undefined) add('r.city_id = ANY(?::int[])', query.cityIds);
  if (query.followerId !== undefined)
    add('r.id IN (SELECT request_id FROM data_request_followers WHERE user_id = ?)', query.followerId);
  if (query.state) add('r.state = ?', query.state);
  if (query.overdue) add(`r.state = 'new' AND r.answer_due < ?::date`, kyivDate(now));
  if (query.q) add('r.search_text LIKE ?', likePattern(searchFold(query.q)));
  if (query.datasetId !== undefined) add('r.dataset_id = ?', query.datasetId);
  if (query.requesterId !== undefined) add('r.requester_id = ?', query.requesterId);
  if (query.closed !== undefined) where.push(`r.closed_at IS ${query.closed ? 'NOT NULL' : 'NULL'}`);
  const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM data_requests r ${condition}`, params))!.n;
  params.push(query.limit, query.offset);
  const items = await db.query<DataRequest>(
    `${REQUEST_SELECT} ${condition} ORDER BY r.created_at ${query.ascending ? 'ASC' : 'DESC'}, r.id ${query.ascending ? 'ASC' : 'DESC'} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { items, total };
}

export interface RequestComment {
  id: number;
  request_id: number;
  author_id: number | null;
  author_name: string | null;
  body: string;
  official: boolean;
  state_to: RequestState | null;
  created_at: Date;
  hidden_at: Date | null;
}

/** The request's timeline (comments and answers), oldest first; hidden ones only with `withHidden`. */
export async function listComments(db: Queryable, requestId: number, withHidden: boolean): Promise<RequestComment[]> {
  return db.query<RequestComment>(
    `SELECT m.id, m.request_id, m.author_id, u.display_name AS author_name, m.body, m.official, m.state_to, m.created_at, m.hidden_at
     FROM data_request_comments m LEFT JOIN users u ON u.id = m.author_id
     WHERE m.request_id = $1 ${withHidden ? '' : 'AND m.hidden_at IS NULL'} ORDER BY m.created_at, m.id LIMIT 1000`,
    [requestId],
  );
}

export async function isFollowing(db: Queryable, requestId: number, userId: number): Promise<boolean> {
  return (
    (await db.one('SELECT 1 FROM data_request_followers WHERE request_id = $1 AND user_id = $2', [
      requestId,
      userId,
    ])) !== undefined
  );
}

// ---- Asking ----

export interface RequestInput {
  city_id: number;
  title: string;
  description: string;
  purpose: string;
}

/** A request's fields from a form or JSON body; `city` is the city's slug. */
export async function parseRequestInput(db: Queryable, body: unknown): Promise<RequestInput> {
  const check = new Checker(body);
  const slug = check.text('city', { required: true, max: 80 });
  const title = check.text('title', { required: true, max: TITLE_MAX, min: 5 });
  const description = check.text('description', { required: true, max: DESCRIPTION_MAX, min: 10 });
  const purpose = check.text('purpose', { max: PURPOSE_MAX });
  let cityId = 0;
  if (slug) {
    const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [slug]);
    if (city) cityId = city.id;
    else check.fail('city', 'data_requests.error.unknown_city');
  }
  check.done();
  return { city_id: cityId, title, description, purpose };
}

function searchTextOf(input: Pick<RequestInput, 'title' | 'description'>): string {
  return searchFold(`${input.title} ${input.description}`);
}

/** Files the request; the requester follows it. */
export async function createRequest(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  input: RequestInput,
  now: Date,
): Promise<DataRequest> {
  const due = await answerDue(db, input.city_id, now);
  const row = await db.one<{ id: number }>(
    `INSERT INTO data_requests (city_id, requester_id, title, description, purpose, search_text, created_at, updated_at, answer_due)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id`,
    [input.city_id, user.id, input.title, input.description, input.purpose, searchTextOf(input), now, due],
  );
  const id = row!.id;
  await db.query('INSERT INTO data_request_followers (request_id, user_id, created_at) VALUES ($1, $2, $3)', [
    id,
    user.id,
    now,
  ]);
  await recordAudit(db, actor, 'data_requests.create', 'data_request', id, null, input);
  return getRequest(db, id);
}

/** The requester's change to what they asked (the city stays). */
export async function updateRequest(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  request: DataRequest,
  input: Pick<RequestInput, 'title' | 'description' | 'purpose'>,
  now: Date,
): Promise<void> {
  const locked = await lockRequest(db, request.id);
  assertCanEditRequest(user, locked);
  await db.query(
    `UPDATE data_requests SET title = $2, description = $3, purpose = $4, search_text = $5, updated_at = $6 WHERE id = $1`,
    [request.id, input.title, input.description, input.purpose, searchTextOf(input), now],
  );
  await recordAudit(
    db,
    actor,
    'data_requests.update',
    'data_request',
    request.id,
    { title: locked.title, description: locked.description, purpose: locked.purpose },
    input,
  );
}

/** The request's row, locked for the change (answers from two editors at once are taken in turn). */
async function lockRequest(db: Queryable, id: number): Promise<DataRequest> {
  const row = await db.one<{ id: number }>('SELECT id FROM data_requests WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw new NotFoundError('no such data request');
  return getRequest(db, id);
}

// ---- Answering ----

export interface AnswerInput {
  answer: Answer;
  comment: string;
  planned_date?: string;
  dataset_id?: number;
  decline_reason?: DeclineReason;
  duplicate_of?: number | null;
}

/** An answer's fields from a form or JSON body: what each answer needs, named by field. */
export async function parseAnswer(
  db: Queryable,
  answer: Answer,
  request: Pick<DataRequest, 'id' | 'city_id'>,
  body: unknown,
  now: Date,
): Promise<AnswerInput> {
  const check = new Checker(body);
  const comment = check.text('comment', { max: COMMENT_MAX, required: answer === 'decline' || answer === 'reopen' });
  const input: AnswerInput = { answer, comment };
  if (answer === 'accept') {
    const date = check.text('planned_date', { required: true, max: 10 });
    if (date) {
      const today = kyivDate(now);
      const valid =
        /^\d{4}-\d{2}-\d{2}$/.test(date) && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
      if (!valid) check.fail('planned_date', 'data_requests.error.date');
      else if (date < today) check.fail('planned_date', 'data_requests.error.date_past');
      else if (daysBetween(today, date) > 5 * 366) check.fail('planned_date', 'data_requests.error.date_far');
      else input.planned_date = date;
    }
  } else if (answer === 'publish') {
    const name = check.text('dataset', { required: true, max: 200 });
    if (name) {
      // The dataset's name, or its address on this site (…/datasets/<name>).
      const bare = name.replace(/^.*\/datasets\//, '').replace(/[/?#].*$/, '');
      const dataset = await db.one<{ id: number }>(
        `SELECT id FROM datasets WHERE name = $1 AND city_id = $2 AND state = 'published'`,
        [bare, request.city_id],
      );
      if (dataset) input.dataset_id = dataset.id;
      else check.fail('dataset', 'data_requests.error.dataset', { name: bare.slice(0, 100) });
    }
  } else if (answer === 'decline') {
    const reason = check.oneOf('decline_reason', DECLINE_REASONS);
    if (reason) input.decline_reason = reason;
    if (reason === 'duplicate') {
      const other = check.number('duplicate_of', { integer: true, min: 1, max: 2_147_483_647, required: true });
      if (other !== null && other === request.id) check.fail('duplicate_of', 'data_requests.error.duplicate_self');
      else if (other !== null) {
        if (!(await db.one('SELECT 1 FROM data_requests WHERE id = $1', [other])))
          check.fail('duplicate_of', 'data_requests.error.duplicate_missing', { id: other });
        else input.duplicate_of = other;
      }
    }
  }
  check.done();
  return input;
}

export interface Site {
  readonly publicUrl: string;
}

export function requestUrl(site: Site, id: number): string {
  return `${site.publicUrl.replace(/\/$/, '')}/data-requests/${id}`;
}

/**
 * The city's answer: moves the request (under a row lock, so two editors answering at once are
 * taken in turn and the second sees the first's state), records it on the timeline as an official
 * comment, audits it and mails the followers. A move the state does not allow is a 409.
 */
export async function answerRequest(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  site: Site,
  requestId: number,
  input: AnswerInput,
  now: Date,
): Promise<DataRequest> {
  const before = await lockRequest(db, requestId);
  assertCanAnswer(user, before);
  if (!TRANSITIONS[input.answer].includes(before.state))
    throw new ValidationError(
      [
        {
          field: 'state',
          message: 'data_requests.error.wrong_state',
          params: { action: input.answer, state: before.state },
        },
      ],
      409,
    );
  const state = TARGET[input.answer];
  const closing = state === 'published' || state === 'declined';
  const firstAnswer = before.first_answered_at === null && input.answer !== 'reopen';
  const due = input.answer === 'reopen' ? await answerDue(db, before.city_id, now) : before.answer_due;
  await db.query(
    `UPDATE data_requests SET state = $2, updated_at = $3,
       answered_at = CASE WHEN $4::boolean THEN answered_at ELSE $3 END,
       first_answered_at = CASE WHEN $5::boolean THEN $3 ELSE first_answered_at END,
       first_answer_on_time = CASE WHEN $5::boolean THEN $6::date <= answer_due ELSE first_answer_on_time END,
       planned_date = $7::date, dataset_id = $8, decline_reason = $9, duplicate_of = $10,
       closed_at = CASE WHEN $11::boolean THEN $3 ELSE NULL END, answer_due = $12::date
     WHERE id = $1`,
    [
      requestId,
      state,
      now,
      input.answer === 'reopen',
      firstAnswer,
      kyivDate(now),
      input.answer === 'accept' ? input.planned_date : input.answer === 'reopen' ? null : before.planned_date,
      input.answer === 'publish' ? input.dataset_id : null,
      input.answer === 'decline' ? input.decline_reason : null,
      input.answer === 'decline' ? (input.duplicate_of ?? null) : null,
      closing,
      due,
    ],
  );
  await db.query(
    `INSERT INTO data_request_comments (request_id, author_id, body, official, state_to, created_at)
     VALUES ($1, $2, $3, true, $4, $5)`,
    [requestId, user.id, input.comment, state, now],
  );
  const after = await getRequest(db, requestId);
  await recordAudit(db, actor, `data_requests.${input.answer}`, 'data_request', requestId, auditOf(before), {
    ...auditOf(after),
    comment: input.comment,
  });
  await mailFollowers(db, site, after, user.id, `state_${state}`, input.comment);
  return after;
}

function auditOf(r: DataRequest) {
  return {
    state: r.state,
    planned_date: r.planned_date,
    dataset_id: r.dataset_id,
    decline_reason: r.decline_reason,
    duplicate_of: r.duplicate_of,
    answer_due: r.answer_due,
  };
}

/** One mail per follower (the actor aside), in the follower's language, through the outbox. */
async function mailFollowers(
  db: Queryable,
  site: Site,
  request: DataRequest,
  actorId: number | null,
  what: string,
  text: string,
): Promise<void> {
  const followers = await db.query<{ email: string; locale: string }>(
    `SELECT u.email, u.locale FROM data_request_followers f JOIN users u ON u.id = f.user_id
     WHERE f.request_id = $1 AND u.id IS DISTINCT FROM $2 AND u.email_confirmed_at IS NOT NULL ORDER BY u.id`,
    [request.id, actorId],
  );
  for (const follower of followers) {
    const t = translator(isLocale(follower.locale) ? follower.locale : 'uk');
    const params = {
      title: request.title,
      date: request.planned_date ?? '',
      dataset: request.dataset_name ? `${site.publicUrl.replace(/\/$/, '')}/datasets/${request.dataset_name}` : '',
      reason: request.decline_reason ? t(`data_requests.reasons.${request.decline_reason}`) : '',
    };
    const body = [
      t(`data_requests.mail.${what}`, params),
      text ? `\n${text}` : '',
      `\n${requestUrl(site, request.id)}`,
      `\n${t('data_requests.mail.why')}`,
    ].join('\n');
    await queueMail(db, follower.email, t('data_requests.mail.subject', { title: request.title }), `${body}\n`);
  }
}

// ---- Comments and followers ----

/** A comment by a confirmed account; an editor's of the city or an admin's is marked official. */
export async function addComment(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  site: Site,
  request: DataRequest,
  body: unknown,
  now: Date,
): Promise<number> {
  const check = new Checker(body);
  const text = check.text('comment', { required: true, max: COMMENT_MAX });
  check.done();
  const official = canAnswer(user, request);
  const row = await db.one<{ id: number }>(
    `INSERT INTO data_request_comments (request_id, author_id, body, official, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [request.id, user.id, text, official, now],
  );
  if (official) {
    // The city's word is an answer too: followers hear of it, and it is on the audit log.
    await recordAudit(db, actor, 'data_requests.comment', 'data_request', request.id, null, { comment: text });
    await mailFollowers(db, site, request, user.id, 'official_comment', text);
  }
  return row!.id;
}

export async function follow(db: Queryable, requestId: number, userId: number, now: Date): Promise<void> {
  await db.query(
    'INSERT INTO data_request_followers (request_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [requestId, userId, now],
  );
}

export async function unfollow(db: Queryable, requestId: number, userId: number): Promise<void> {
  await db.query('DELETE FROM data_request_followers WHERE request_id = $1 AND user_id = $2', [requestId, userId]);
}

// ---- Moderation ----

export async function setRequestHidden(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  requestId: number,
  hidden: boolean,
  now: Date,
): Promise<void> {
  assertCanModerate(user);
  const before = await lockRequest(db, requestId);
  await db.query('UPDATE data_requests SET hidden_at = $2 WHERE id = $1', [requestId, hidden ? now : null]);
  await recordAudit(
    db,
    actor,
    hidden ? 'data_requests.hide' : 'data_requests.show',
    'data_request',
    requestId,
    { hidden: before.hidden_at !== null },
    { hidden },
  );
}

export async function setCommentHidden(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  requestId: number,
  commentId: number,
  hidden: boolean,
  now: Date,
): Promise<void> {
  assertCanModerate(user);
  const row = await db.one<{ body: string; hidden_at: Date | null }>(
    'SELECT body, hidden_at FROM data_request_comments WHERE id = $1 AND request_id = $2 FOR UPDATE',
    [commentId, requestId],
  );
  if (!row) throw new NotFoundError('no such comment');
  await db.query('UPDATE data_request_comments SET hidden_at = $2 WHERE id = $1', [commentId, hidden ? now : null]);
  await recordAudit(
    db,
    actor,
    hidden ? 'data_requests.hide_comment' : 'data_requests.show_comment',
    'data_request_comment',
    commentId,
    { hidden: row.hidden_at !== null, body: row.body },
    { hidden },
  );
}

// ---- Statistics ----

export interface CityStats {
  city_id: number;
  city_slug: string;
  city_name_uk: string;
  city_name_en: string;
  city_name_bg: string;
  received: number;
  answered: number;
  answered_on_time: number;
  published: number;
  declined: number;
  overdue: number;
  /** Calendar days from asking to the city's first answer, the median over answered requests. */
  median_days_to_answer: number | null;
  declined_by_reason: Record<DeclineReason, number>;
  answer_working_days: number;
}

/** Per city (one city, or every city with requests): what came in and how the city answered. */
export async function cityStats(
  db: Queryable,
  filter: { cityId?: number; limit: number; offset: number },
  now: Date,
): Promise<{ items: CityStats[]; total: number }> {
  const params: unknown[] = [kyivDate(now)];
  let condition = 'r.hidden_at IS NULL';
  if (filter.cityId !== undefined) {
    params.push(filter.cityId);
    condition += ` AND r.city_id = $${params.length}`;
  }
  const total = (await db.one<{ n: number }>(
    `SELECT count(DISTINCT r.city_id)::int AS n FROM data_requests r WHERE ${condition.replace(/\$2/, '$1')}`,
    filter.cityId === undefined ? [] : [filter.cityId],
  ))!.n;
  params.push(filter.limit, filter.offset);
  const rows = await db.query<Omit<CityStats, 'declined_by_reason'>>(
    `SELECT c.id AS city_id, c.slug AS city_slug, c.name_uk AS city_name_uk, c.name_en AS city_name_en, c.name_bg AS city_name_bg,
       count(*)::int AS received, count(r.first_answered_at)::int AS answered,
       count(*) FILTER (WHERE r.first_answer_on_time)::int AS answered_on_time,
       count(*) FILTER (WHERE r.state = 'published')::int AS published,
       count(*) FILTER (WHERE r.state = 'declined')::int AS declined,
       count(*) FILTER (WHERE r.state = 'new' AND r.answer_due < $1::date)::int AS overdue,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_answered_at - r.created_at) / 86400))::numeric, 1)::float8
         AS median_days_to_answer,
       coalesce(max(q.answer_working_days), ${DEFAULT_ANSWER_WORKING_DAYS})::int AS answer_working_days
     FROM data_requests r JOIN cities c ON c.id = r.city_id LEFT JOIN data_request_rules q ON q.city_id = r.city_id
     WHERE ${condition} GROUP BY c.id ORDER BY count(*) DESC, c.sort_key_uk
     LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const reasons = await db.query<{ city_id: number; decline_reason: DeclineReason; n: number }>(
    `SELECT city_id, decline_reason, count(*)::int AS n FROM data_requests
     WHERE state = 'declined' AND hidden_at IS NULL AND city_id = ANY($1::int[]) GROUP BY city_id, decline_reason`,
    [rows.map((r) => r.city_id)],
  );
  const items = rows.map((row) => {
    const declined_by_reason = Object.fromEntries(DECLINE_REASONS.map((reason) => [reason, 0])) as Record<
      DeclineReason,
      number
    >;
    for (const r of reasons) if (r.city_id === row.city_id) declined_by_reason[r.decline_reason] = r.n;
    return { ...row, declined_by_reason };
  });
  return { items, total };
}
