// e-Petitions: each city's rules, a petition's lifecycle with its deadlines, signing with one
// signature per person enforced by the database, and moderators' bulk invalidation. Every
// function takes `now` from the application clock, so deadlines can be tested.
import type { Database, Queryable } from '../../platform/db/index.ts';
import { likePattern } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import { searchFold } from '../../platform/i18n/collation.ts';
import { kyivDate } from '../../platform/clock.ts';
import { canEditCity } from '../catalog/policy.ts';
import { queueMail } from '../../platform/mail.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { addWorkingDays } from './calendar.ts';
import { identityCheck, SIGNER_CHECKS, type SignerCheck } from './identity.ts';
import { isDisposableDomain } from './disposable-domains.ts';

export const TOPICS = [
  'transport',
  'housing',
  'environment',
  'education',
  'health',
  'social',
  'culture',
  'safety',
  'economy',
  'governance',
  'other',
] as const;
export type Topic = (typeof TOPICS)[number];
export const STATES = [
  'draft',
  'support',
  'moderation',
  'rejected',
  'open',
  'successful',
  'unsuccessful',
  'answered',
] as const;
export type PetitionState = (typeof STATES)[number];
export const REJECT_REASONS = [
  'duplicate',
  'outside_competence',
  'offensive',
  'unlawful',
  'no_request',
  'personal_data',
  'other',
] as const;
export const DECISIONS = ['supported', 'partly', 'not_supported'] as const;
export const SORTS = ['signatures', 'newest', 'ending'] as const;
export type PetitionSort = (typeof SORTS)[number];

export const TITLE_MAX = 200;
export const BODY_MAX = 10_000;
export const RESPONSE_MAX = 20_000;

export interface PetitionRules {
  city_id: number;
  enabled: boolean;
  signature_threshold: number;
  collection_days: number;
  supporters_needed: number;
  moderation_working_days: number;
  response_working_days: number;
  signer_check: SignerCheck;
  public_signer_names: boolean;
  holidays: string[];
}

/** Kyiv's rules under article 23-1, offered as the starting point for a city's own. */
export const DEFAULT_RULES: Omit<PetitionRules, 'city_id'> = {
  enabled: true,
  signature_threshold: 6000,
  collection_days: 90,
  supporters_needed: 0,
  moderation_working_days: 2,
  response_working_days: 10,
  signer_check: 'verified_email',
  public_signer_names: true,
  holidays: [],
};

export interface Petition {
  id: number;
  city_id: number;
  city_slug: string;
  city_name_uk: string;
  city_name_en: string;
  city_name_bg: string;
  author_id: number | null;
  author_name: string | null;
  title: string;
  body: string;
  topic: Topic;
  state: PetitionState;
  signature_threshold: number | null;
  supporters_needed: number | null;
  collection_days: number | null;
  signature_count: number;
  created_at: Date;
  submitted_at: Date | null;
  moderation_due: string | null;
  moderated_at: Date | null;
  reject_reason: string | null;
  reject_comment: string | null;
  opened_at: Date | null;
  closes_at: Date | null;
  closed_at: Date | null;
  response_due: string | null;
  answered_at: Date | null;
  response_decision: (typeof DECISIONS)[number] | null;
  response_text: string | null;
  public_signer_names: boolean;
}

const PETITION_SELECT = `SELECT p.id, p.city_id, c.slug AS city_slug, c.name_uk AS city_name_uk, c.name_en AS city_name_en, c.name_bg AS city_name_bg,
  p.author_id, u.display_name AS author_name, p.title, p.body, p.topic, p.state, p.signature_threshold, p.supporters_needed, p.collection_days,
  p.signature_count, p.created_at, p.submitted_at, to_char(p.moderation_due, 'YYYY-MM-DD') AS moderation_due, p.moderated_at,
  p.reject_reason, p.reject_comment, p.opened_at, p.closes_at, p.closed_at, to_char(p.response_due, 'YYYY-MM-DD') AS response_due,
  p.answered_at, p.response_decision, p.response_text, coalesce(r.public_signer_names, true) AS public_signer_names
  FROM petitions p JOIN cities c ON c.id = p.city_id LEFT JOIN users u ON u.id = p.author_id LEFT JOIN petition_rules r ON r.city_id = p.city_id`;

// ---- Who may do what (the module's one place for permissions) ----

/** A city editor of the petition's city, or an admin, moderates and answers it. */
export const canModerate = canEditCity;

/** Drafts are seen by their author and the city's moderators; everything else is public. */
export function canSee(user: CurrentUser | null, petition: Pick<Petition, 'state' | 'author_id' | 'city_id'>): boolean {
  if (petition.state !== 'draft') return true;
  return (user !== null && user.id === petition.author_id) || canModerate(user, petition.city_id);
}

function assertModerator(user: CurrentUser | null, petition: Pick<Petition, 'city_id'>): void {
  if (!canModerate(user, petition.city_id)) throw new ForbiddenError('only the city’s editors moderate its petitions');
}

function assertAuthor(user: CurrentUser | null, petition: Pick<Petition, 'author_id'>): void {
  if (!user || user.id !== petition.author_id) throw new ForbiddenError('only the author changes a draft');
}

function wrongState(petition: Pick<Petition, 'state'>, action: string): ValidationError {
  return new ValidationError(
    [{ field: 'state', message: 'petitions.error.wrong_state', params: { action, state: petition.state } }],
    409,
  );
}

// ---- Rules ----

export async function getRules(db: Queryable, cityId: number): Promise<PetitionRules | undefined> {
  return db.one<PetitionRules>(
    `SELECT city_id, enabled, signature_threshold, collection_days, supporters_needed, moderation_working_days, response_working_days,
       signer_check, public_signer_names, ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(holidays) AS d ORDER BY d) AS holidays
     FROM petition_rules WHERE city_id = $1`,
    [cityId],
  );
}

export function parseRules(body: unknown): Omit<PetitionRules, 'city_id'> {
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const whole = (field: string, min: number, max: number) =>
    check.number(field, { min, max, integer: true, required: true }) ?? 0;
  const signerCheck = String(input.signer_check ?? 'verified_email');
  if (!(SIGNER_CHECKS as readonly string[]).includes(signerCheck)) check.fail('signer_check', 'validation.one_of');
  const holidays: string[] = [];
  for (const [i, line] of String(input.holidays ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .entries()) {
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(line) ||
      Number.isNaN(Date.parse(`${line}T00:00:00Z`)) ||
      new Date(`${line}T00:00:00Z`).toISOString().slice(0, 10) !== line
    ) {
      check.fail('holidays', 'petitions.error.holiday', { value: line.slice(0, 20), position: i + 1 });
      break;
    }
    holidays.push(line);
  }
  const rules = {
    enabled: ['on', 'true', '1', true].includes(input.enabled as string),
    signature_threshold: whole('signature_threshold', 1, 10_000_000),
    collection_days: whole('collection_days', 1, 365),
    supporters_needed: whole('supporters_needed', 0, 10_000),
    moderation_working_days: whole('moderation_working_days', 1, 60),
    response_working_days: whole('response_working_days', 1, 60),
    signer_check: signerCheck as SignerCheck,
    public_signer_names: ['on', 'true', '1', true].includes(input.public_signer_names as string),
    holidays: [...new Set(holidays)].sort(),
  };
  check.done();
  return rules;
}

export async function saveRules(
  db: Queryable,
  actor: Actor,
  cityId: number,
  rules: Omit<PetitionRules, 'city_id'>,
): Promise<void> {
  const before = await getRules(db, cityId);
  await db.query(
    `INSERT INTO petition_rules (city_id, enabled, signature_threshold, collection_days, supporters_needed, moderation_working_days,
       response_working_days, signer_check, public_signer_names, holidays, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date[], now())
     ON CONFLICT (city_id) DO UPDATE SET enabled = $2, signature_threshold = $3, collection_days = $4, supporters_needed = $5,
       moderation_working_days = $6, response_working_days = $7, signer_check = $8, public_signer_names = $9, holidays = $10::date[], updated_at = now()`,
    [
      cityId,
      rules.enabled,
      rules.signature_threshold,
      rules.collection_days,
      rules.supporters_needed,
      rules.moderation_working_days,
      rules.response_working_days,
      rules.signer_check,
      rules.public_signer_names,
      rules.holidays,
    ],
  );
  await recordAudit(db, actor, 'petitions.rules', 'city', cityId, before ?? null, rules);
}

// ---- Reading ----

export async function getPetition(db: Queryable, id: number): Promise<Petition> {
  const petition = await db.one<Petition>(`${PETITION_SELECT} WHERE p.id = $1`, [id]);
  if (!petition) throw new NotFoundError('no such petition');
  return petition;
}

export interface PetitionQuery {
  cityId?: number;
  state?: PetitionState;
  topic?: Topic;
  q?: string;
  sort?: PetitionSort;
  limit: number;
  offset: number;
}

/** Public petitions (never drafts), filtered and sorted, with the total. */
export async function listPetitions(
  db: Queryable,
  query: PetitionQuery,
): Promise<{ items: Petition[]; total: number }> {
  const where = [`p.state <> 'draft'`];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.cityId !== undefined) add('p.city_id = ?', query.cityId);
  if (query.state) add('p.state = ?', query.state);
  if (query.topic) add('p.topic = ?', query.topic);
  if (query.q) add('p.search_text LIKE ?', likePattern(searchFold(query.q)));
  const order =
    query.sort === 'newest'
      ? 'p.submitted_at DESC NULLS LAST, p.id DESC'
      : query.sort === 'ending'
        ? `(p.state = 'open') DESC, p.closes_at ASC NULLS LAST, p.id`
        : 'p.signature_count DESC, p.id DESC';
  params.push(query.limit, query.offset);
  const rows = await db.query<Petition & { total: number }>(
    `${PETITION_SELECT.replace('SELECT ', 'SELECT count(*) OVER ()::int AS total, ')} WHERE ${where.join(' AND ')}
     ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && query.offset > 0) {
    total = (await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM petitions p WHERE ${where.join(' AND ')}`,
      params.slice(0, -2),
    ))!.n;
  }
  return { items: rows, total };
}

/** The author's own petitions, drafts included. */
export async function listOwnPetitions(db: Queryable, userId: number): Promise<Petition[]> {
  return db.query<Petition>(`${PETITION_SELECT} WHERE p.author_id = $1 ORDER BY p.created_at DESC LIMIT 100`, [userId]);
}

/** What moderators must act on: petitions awaiting support or moderation, and successful ones awaiting a response. */
export async function moderationQueue(db: Queryable, cityIds: number[] | null): Promise<Petition[]> {
  return db.query<Petition>(
    `${PETITION_SELECT} WHERE p.state IN ('support', 'moderation', 'successful') ${cityIds === null ? '' : 'AND p.city_id = ANY($1::int[])'}
     ORDER BY coalesce(p.moderation_due, p.response_due), p.id`,
    cityIds === null ? [] : [cityIds],
  );
}

export interface Signer {
  signer_name: string;
  created_at: Date;
}

export async function listSigners(db: Queryable, petitionId: number, limit: number, offset: number): Promise<Signer[]> {
  return db.query<Signer>(
    `SELECT CASE WHEN show_name THEN signer_name ELSE '' END AS signer_name, created_at FROM petition_signatures
     WHERE petition_id = $1 AND valid ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
    [petitionId, limit, offset],
  );
}

export async function hasSigned(db: Queryable, petitionId: number, userId: number): Promise<boolean> {
  return (
    (await db.one('SELECT 1 FROM petition_signatures WHERE petition_id = $1 AND user_id = $2 AND valid', [
      petitionId,
      userId,
    ])) !== undefined
  );
}

// ---- Deadlines as shown ----

/** Moderation and response deadlines missed, as of `now`: flagged publicly. */
export function overdue(
  petition: Pick<Petition, 'state' | 'moderation_due' | 'response_due' | 'answered_at'>,
  now: Date,
): { moderation: boolean; response: boolean } {
  const today = kyivDate(now);
  return {
    moderation:
      (petition.state === 'moderation' || petition.state === 'support') &&
      petition.moderation_due !== null &&
      today > petition.moderation_due,
    response:
      petition.response_due !== null &&
      (petition.state === 'successful'
        ? today > petition.response_due
        : petition.answered_at !== null && kyivDate(petition.answered_at) > petition.response_due),
  };
}

// ---- The lifecycle ----

function parsePetitionText(body: unknown): { title: string; body: string; topic: Topic } {
  const check = new Checker(body);
  const title = check.text('title', { required: true, min: 10, max: TITLE_MAX });
  const text = check.text('body', { required: true, min: 50, max: BODY_MAX });
  const topic = String((body as Record<string, unknown> | null)?.topic ?? '');
  if (!(TOPICS as readonly string[]).includes(topic)) check.fail('topic', 'validation.one_of');
  check.done();
  return { title, body: text, topic: topic as Topic };
}

const searchText = (title: string, body: string) => searchFold(`${title} ${body}`).slice(0, 20_000);

export async function createDraft(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  cityId: number,
  input: unknown,
): Promise<number> {
  const rules = await getRules(db, cityId);
  const check = new Checker(input);
  if (!rules?.enabled) check.fail('city', 'petitions.error.city_closed');
  check.done();
  const fields = parsePetitionText(input);
  const row = await db.one<{ id: number }>(
    `INSERT INTO petitions (city_id, author_id, title, body, topic, search_text) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [cityId, user.id, fields.title, fields.body, fields.topic, searchText(fields.title, fields.body)],
  );
  await recordAudit(db, actor, 'petition.create', 'petition', row!.id, null, fields);
  return row!.id;
}

export async function updateDraft(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  input: unknown,
): Promise<void> {
  assertAuthor(user, petition);
  if (petition.state !== 'draft') throw wrongState(petition, 'edit');
  const fields = parsePetitionText(input);
  await db.query(
    'UPDATE petitions SET title = $2, body = $3, topic = $4, search_text = $5 WHERE id = $1 AND state = $6',
    [petition.id, fields.title, fields.body, fields.topic, searchText(fields.title, fields.body), 'draft'],
  );
  await recordAudit(
    db,
    actor,
    'petition.update',
    'petition',
    petition.id,
    { title: petition.title, body: petition.body, topic: petition.topic },
    fields,
  );
}

/** The author sends the draft in: to gathering supporters, or straight to moderation. */
export async function submitPetition(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  now: Date,
): Promise<void> {
  assertAuthor(user, petition);
  if (petition.state !== 'draft') throw wrongState(petition, 'submit');
  const rules = await getRules(db, petition.city_id);
  if (!rules?.enabled) throw new ValidationError([{ field: 'city', message: 'petitions.error.city_closed' }], 409);
  const toModeration = rules.supporters_needed === 0;
  await db.query(
    `UPDATE petitions SET state = $2, submitted_at = $3, signature_threshold = $4, supporters_needed = $5, collection_days = $6,
       response_working_days = $7, moderation_due = $8 WHERE id = $1`,
    [
      petition.id,
      toModeration ? 'moderation' : 'support',
      now,
      rules.signature_threshold,
      rules.supporters_needed,
      rules.collection_days,
      rules.response_working_days,
      toModeration ? addWorkingDays(kyivDate(now), rules.moderation_working_days, new Set(rules.holidays)) : null,
    ],
  );
  await recordAudit(
    db,
    actor,
    'petition.submit',
    'petition',
    petition.id,
    { state: 'draft' },
    { state: toModeration ? 'moderation' : 'support' },
  );
}

async function mailAuthor(db: Queryable, petition: Petition, subject: string, text: string): Promise<void> {
  if (petition.author_id === null) return;
  const author = await db.one<{ email: string }>('SELECT email FROM users WHERE id = $1', [petition.author_id]);
  if (author) await queueMail(db, author.email, subject, text);
}

export async function publishPetition(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  now: Date,
  publicUrl: string,
): Promise<void> {
  assertModerator(user, petition);
  if (petition.state !== 'moderation' && petition.state !== 'support') throw wrongState(petition, 'publish');
  const closes = new Date(now.getTime() + (petition.collection_days ?? DEFAULT_RULES.collection_days) * 86_400_000);
  await db.query(
    `UPDATE petitions SET state = 'open', moderated_at = $2, opened_at = $2, closes_at = $3 WHERE id = $1`,
    [petition.id, now, closes],
  );
  await recordAudit(
    db,
    actor,
    'petition.publish',
    'petition',
    petition.id,
    { state: petition.state },
    { state: 'open', closes_at: closes },
  );
  await mailAuthor(
    db,
    petition,
    `Петицію опубліковано: ${petition.title}`,
    `Вашу петицію «${petition.title}» опубліковано. Збір підписів триває до ${kyivDate(closes)}.\n\n${publicUrl}/petitions/${petition.id}\n`,
  );
}

export async function rejectPetition(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  input: unknown,
  now: Date,
  publicUrl: string,
): Promise<void> {
  assertModerator(user, petition);
  if (petition.state !== 'moderation' && petition.state !== 'support') throw wrongState(petition, 'reject');
  const check = new Checker(input);
  const reason = String((input as Record<string, unknown> | null)?.reason ?? '');
  if (!(REJECT_REASONS as readonly string[]).includes(reason)) check.fail('reason', 'validation.one_of');
  const comment = check.text('comment', { required: true, max: 5000 });
  check.done();
  await db.query(
    `UPDATE petitions SET state = 'rejected', moderated_at = $2, reject_reason = $3, reject_comment = $4 WHERE id = $1`,
    [petition.id, now, reason, comment],
  );
  await recordAudit(
    db,
    actor,
    'petition.reject',
    'petition',
    petition.id,
    { state: petition.state },
    { state: 'rejected', reason, comment },
  );
  await mailAuthor(
    db,
    petition,
    `Петицію відхилено: ${petition.title}`,
    `Вашу петицію «${petition.title}» не опубліковано. Причина: ${reason}. ${comment}\n\n${publicUrl}/petitions/${petition.id}\n`,
  );
}

/**
 * Closes every open petition whose period has ended, as successful (threshold reached: the
 * response is then due within the city's working days) or not. Run by the server each minute.
 */
export async function closeExpiredPetitions(db: Database, now: Date): Promise<number> {
  const due = await db.query<{ id: number }>(
    `SELECT id FROM petitions WHERE state = 'open' AND closes_at <= $1 ORDER BY id`,
    [now],
  );
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const petition = await tx.one<{
        signature_count: number;
        signature_threshold: number;
        response_working_days: number;
        city_id: number;
        state: string;
      }>(
        'SELECT signature_count, signature_threshold, response_working_days, city_id, state FROM petitions WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!petition || petition.state !== 'open') return;
      const rules = await getRules(tx, petition.city_id);
      const successful = petition.signature_count >= petition.signature_threshold;
      const responseDue = successful
        ? addWorkingDays(kyivDate(now), petition.response_working_days, new Set(rules?.holidays ?? []))
        : null;
      await tx.query('UPDATE petitions SET state = $2, closed_at = $3, response_due = $4 WHERE id = $1', [
        id,
        successful ? 'successful' : 'unsuccessful',
        now,
        responseDue,
      ]);
      await recordAudit(
        tx,
        { userId: null, label: 'system' },
        'petition.close',
        'petition',
        id,
        { state: 'open' },
        {
          state: successful ? 'successful' : 'unsuccessful',
          signatures: petition.signature_count,
          threshold: petition.signature_threshold,
        },
      );
    });
  }
  return due.length;
}

export async function respondToPetition(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  input: unknown,
  now: Date,
  publicUrl: string,
): Promise<void> {
  assertModerator(user, petition);
  if (petition.state !== 'successful') throw wrongState(petition, 'respond');
  const check = new Checker(input);
  const decision = String((input as Record<string, unknown> | null)?.decision ?? '');
  if (!(DECISIONS as readonly string[]).includes(decision)) check.fail('decision', 'validation.one_of');
  const text = check.text('response', { required: true, min: 20, max: RESPONSE_MAX });
  check.done();
  await db.query(
    `UPDATE petitions SET state = 'answered', answered_at = $2, response_decision = $3, response_text = $4 WHERE id = $1`,
    [petition.id, now, decision, text],
  );
  await recordAudit(
    db,
    actor,
    'petition.respond',
    'petition',
    petition.id,
    { state: 'successful' },
    { state: 'answered', decision },
  );
  const subscribers = await db.query<{ email: string }>(
    `SELECT u.email FROM petition_signatures s JOIN users u ON u.id = s.user_id WHERE s.petition_id = $1 AND s.valid AND s.notify`,
    [petition.id],
  );
  for (const { email } of subscribers) {
    await queueMail(
      db,
      email,
      `Відповідь на петицію: ${petition.title}`,
      `Міська рада відповіла на петицію «${petition.title}», яку ви підписали.\n\n${publicUrl}/petitions/${petition.id}\n`,
    );
  }
}

// ---- Signing ----

/** An IPv4 address's /24 block or an IPv6 address's /48: what one household or one botnet shares. */
export function addressBlock(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = ip.split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

export interface SignResult {
  /** False when this person had already signed: the count did not change. */
  signed: boolean;
  count: number;
}

/**
 * Adds the user's signature. One INSERT guarded by the unique (petition, user) key and by the
 * petition still collecting, and the count raised in the same statement, so racing requests
 * can neither sign twice nor miscount.
 */
export async function signPetition(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  options: { showName: boolean; notify: boolean; ip: string },
  now: Date,
): Promise<SignResult> {
  const rules = await getRules(db, petition.city_id);
  const identity = identityCheck(rules?.signer_check ?? 'verified_email').verify(user);
  if (!identity.ok) throw new ValidationError([{ field: 'identity', message: identity.reason }], 403);
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1).toLowerCase();
  if (isDisposableDomain(domain))
    throw new ValidationError([{ field: 'email', message: 'petitions.error.disposable', params: { domain } }], 403);
  if (!(petition.state === 'open' && petition.closes_at && now < petition.closes_at) && petition.state !== 'support') {
    throw wrongState(petition, 'sign');
  }
  // One statement, so no transaction is held open around it: the row lock on the petition that
  // the count needs lasts only as long as the statement.
  const inserted = await db.one<{ signature_count: number; state: string; supporters_needed: number | null }>(
    `WITH signature AS (
       INSERT INTO petition_signatures (petition_id, user_id, signer_name, show_name, notify, ip_block, email_domain, created_at)
       SELECT p.id, $2, $3, $4, $5, $6, $7, $8 FROM petitions p
        WHERE p.id = $1 AND ((p.state = 'open' AND p.closes_at > $8) OR p.state = 'support')
       ON CONFLICT (petition_id, user_id) DO NOTHING
       RETURNING petition_id)
     UPDATE petitions SET signature_count = signature_count + 1 WHERE id IN (SELECT petition_id FROM signature)
     RETURNING signature_count, state, supporters_needed`,
    [petition.id, user.id, user.displayName, options.showName, options.notify, addressBlock(options.ip), domain, now],
  );
  if (!inserted) {
    const current = await db.one<{ signature_count: number; state: string; closes_at: Date | null }>(
      'SELECT signature_count, state, closes_at FROM petitions WHERE id = $1',
      [petition.id],
    );
    if (current && ((current.state === 'open' && current.closes_at! > now) || current.state === 'support')) {
      return { signed: false, count: current.signature_count }; // already signed
    }
    throw wrongState({ state: (current?.state ?? 'rejected') as PetitionState }, 'sign');
  }
  // Enough supporters: the petition goes to moderation, with the moderation period from today.
  // Guarded by its state, so of two racing signatures only one moves it.
  if (inserted.state === 'support' && inserted.signature_count >= (inserted.supporters_needed ?? 0)) {
    const due = addWorkingDays(
      kyivDate(now),
      rules?.moderation_working_days ?? DEFAULT_RULES.moderation_working_days,
      new Set(rules?.holidays ?? []),
    );
    const moved = await db.query(
      `UPDATE petitions SET state = 'moderation', moderation_due = $2 WHERE id = $1 AND state = 'support' RETURNING id`,
      [petition.id, due],
    );
    if (moved.length)
      await recordAudit(
        db,
        actor,
        'petition.supported',
        'petition',
        petition.id,
        { state: 'support' },
        { state: 'moderation', supporters: inserted.signature_count },
      );
  }
  return { signed: true, count: inserted.signature_count };
}

// ---- Integrity: trends and bulk invalidation ----

export const TREND_MIN_PER_HOUR = 20;

export interface Trend {
  petition_id: number;
  kind: 'ip' | 'domain';
  value: string;
  hour: Date;
  signatures: number;
}

/**
 * Unusual bursts: an hour in which one address block or one e-mail domain (other than the big
 * public mail services) gave at least TREND_MIN_PER_HOUR valid signatures to one petition.
 */
export async function signatureTrends(db: Queryable, petitionIds: number[]): Promise<Trend[]> {
  if (petitionIds.length === 0) return [];
  return db.query<Trend>(
    `SELECT petition_id, kind, value, hour, signatures FROM (
       SELECT petition_id, 'ip' AS kind, ip_block AS value, date_trunc('hour', created_at) AS hour, count(*)::int AS signatures
         FROM petition_signatures WHERE valid AND petition_id = ANY($1::int[]) GROUP BY 1, 3, 4
       UNION ALL
       SELECT petition_id, 'domain', email_domain, date_trunc('hour', created_at), count(*)::int
         FROM petition_signatures WHERE valid AND petition_id = ANY($1::int[]) AND NOT (email_domain = ANY($3::text[])) GROUP BY 1, 3, 4
     ) AS t WHERE signatures >= $2 ORDER BY signatures DESC, petition_id LIMIT 50`,
    [petitionIds, TREND_MIN_PER_HOUR, COMMON_MAIL_DOMAINS],
  );
}

/** Large public mail services: thousands of honest signers share them, so they are not a trend. */
const COMMON_MAIL_DOMAINS = [
  'gmail.com',
  'ukr.net',
  'i.ua',
  'meta.ua',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'icloud.com',
  'abv.bg',
  'mail.bg',
  'dir.bg',
  'proton.me',
  'protonmail.com',
];

export interface InvalidationInput {
  ipBlock: string | null;
  emailDomain: string | null;
  from: Date | null;
  to: Date | null;
  reason: string;
}

export function parseInvalidation(body: unknown): InvalidationInput {
  const check = new Checker(body);
  const ipBlock = check.optionalText('ip_block', 60);
  const emailDomain = check.optionalText('email_domain', 253)?.toLowerCase() ?? null;
  const time = (field: string) => {
    const raw = check.optionalText(field, 40);
    if (!raw) return null;
    const parsed = new Date(raw);
    if (Number.isNaN(parsed.getTime())) {
      check.fail(field, 'validation.date');
      return null;
    }
    return parsed;
  };
  const from = time('from');
  const to = time('to');
  const reason = check.text('reason', { required: true, max: 2000 });
  if (!ipBlock && !emailDomain && !from && !to) check.fail('ip_block', 'petitions.error.invalidation_empty');
  if (from && to && from > to) check.fail('to', 'petitions.error.invalidation_range');
  check.done();
  return { ipBlock, emailDomain, from, to, reason };
}

/**
 * Invalidates the valid signatures matching every given criterion, recounts the petition, and
 * when a closed petition falls below its threshold, takes its success back. Audited.
 */
export async function invalidateSignatures(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  petition: Petition,
  input: InvalidationInput,
  now: Date,
): Promise<{ invalidated: number; count: number; state: PetitionState }> {
  assertModerator(user, petition);
  if (petition.state === 'draft' || petition.state === 'rejected') throw wrongState(petition, 'invalidate');
  await db.one('SELECT id FROM petitions WHERE id = $1 FOR UPDATE', [petition.id]);
  const record = await db.one<{ id: number }>(
    `INSERT INTO petition_invalidations (petition_id, by_user_id, ip_block, email_domain, from_time, to_time, reason, invalidated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id`,
    [petition.id, user.id, input.ipBlock, input.emailDomain, input.from, input.to, input.reason],
  );
  const result = await db.query<{ id: number }>(
    `UPDATE petition_signatures SET valid = false, invalidated_at = $2, invalidation_id = $3
     WHERE petition_id = $1 AND valid
       AND ($4::text IS NULL OR ip_block = $4) AND ($5::text IS NULL OR email_domain = $5)
       AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at <= $7)
     RETURNING id`,
    [petition.id, now, record!.id, input.ipBlock, input.emailDomain, input.from, input.to],
  );
  await db.query('UPDATE petition_invalidations SET invalidated = $2 WHERE id = $1', [record!.id, result.length]);
  const recount = await db.one<{ signature_count: number; state: PetitionState; signature_threshold: number }>(
    `UPDATE petitions SET signature_count = (SELECT count(*) FROM petition_signatures WHERE petition_id = $1 AND valid)
     WHERE id = $1 RETURNING signature_count, state, signature_threshold`,
    [petition.id],
  );
  let state = recount!.state;
  if (state === 'successful' && recount!.signature_count < recount!.signature_threshold) {
    state = 'unsuccessful';
    await db.query(`UPDATE petitions SET state = 'unsuccessful', response_due = NULL WHERE id = $1`, [petition.id]);
  }
  await recordAudit(
    db,
    actor,
    'petition.invalidate',
    'petition',
    petition.id,
    { signatures: petition.signature_count, state: petition.state },
    { signatures: recount!.signature_count, state, invalidated: result.length, criteria: input },
  );
  return { invalidated: result.length, count: recount!.signature_count, state };
}

// ---- Statistics and open data ----

export interface PetitionStats {
  submitted: number;
  open: number;
  successful: number;
  answered: number;
  answered_on_time: number;
}

export async function cityPetitionStats(db: Queryable, cityId: number): Promise<PetitionStats> {
  return (await db.one<PetitionStats>(
    `SELECT count(*) FILTER (WHERE state <> 'draft')::int AS submitted,
       count(*) FILTER (WHERE state = 'open')::int AS open,
       count(*) FILTER (WHERE state IN ('successful', 'answered'))::int AS successful,
       count(*) FILTER (WHERE state = 'answered')::int AS answered,
       count(*) FILTER (WHERE state = 'answered' AND (answered_at AT TIME ZONE 'Europe/Kyiv')::date <= response_due)::int AS answered_on_time
     FROM petitions WHERE city_id = $1`,
    [cityId],
  ))!;
}

export interface ExportRow {
  id: number;
  city: string;
  title: string;
  topic: string;
  state: string;
  submitted: string | null;
  published: string | null;
  closes: string | null;
  signatures: number;
  threshold: number | null;
  response_due: string | null;
  answered: string | null;
  decision: string | null;
  days_late: number | null;
}

/**
 * Every public petition without anything personal (no author, no signers): counts, outcomes and
 * dates, for the open-data export.
 */
export async function exportRows(db: Queryable, cityId?: number): Promise<ExportRow[]> {
  return db.query<ExportRow>(
    `SELECT p.id, c.slug AS city, p.title, p.topic, p.state,
       to_char(p.submitted_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD') AS submitted,
       to_char(p.opened_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD') AS published,
       to_char(p.closes_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD') AS closes,
       p.signature_count AS signatures, p.signature_threshold AS threshold,
       to_char(p.response_due, 'YYYY-MM-DD') AS response_due,
       to_char(p.answered_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD') AS answered, p.response_decision AS decision,
       CASE WHEN p.answered_at IS NOT NULL AND p.response_due IS NOT NULL
         THEN greatest(0, (p.answered_at AT TIME ZONE 'Europe/Kyiv')::date - p.response_due) END AS days_late
     FROM petitions p JOIN cities c ON c.id = p.city_id
     WHERE p.state NOT IN ('draft') ${cityId === undefined ? '' : 'AND p.city_id = $1'} ORDER BY p.id`,
    cityId === undefined ? [] : [cityId],
  );
}
