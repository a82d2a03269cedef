// The assessment workflow of a campaign: assigning assessors (with the conflict-of-interest
// rule), assessors scoring their cities, and regional coordinators verifying their oblast. Who
// may do what is decided here, in one place for the module; every change is audited.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { CurrentUser } from '../../platform/auth.ts';

export const CAMPAIGN_PHASES = [
  'preparation',
  'assessment',
  'verification',
  'provisional',
  'appeals',
  'final',
  'published',
] as const;
export type CampaignPhase = (typeof CAMPAIGN_PHASES)[number];

interface CampaignRow {
  id: number;
  methodology_id: number;
  phase: CampaignPhase;
}

async function campaignOf(db: Queryable, id: number): Promise<CampaignRow> {
  const campaign = await db.one<CampaignRow>('SELECT id, methodology_id, phase FROM ranking_campaigns WHERE id = $1', [
    id,
  ]);
  if (!campaign) throw new NotFoundError('no such campaign');
  return campaign;
}

function assertPhase(campaign: CampaignRow, phase: CampaignPhase): void {
  if (campaign.phase !== phase) throw new ValidationError([{ field: 'phase', message: 'ranking.error.phase' }], 409);
}

/**
 * Assigns an assessor (a CSO assessor) to a city. When the assessor's own organisation is based
 * in that city it is a conflict of interest: refused, unless an admin gives a reason, recorded.
 */
export async function assignAssessor(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaignId: number,
  assessorId: number,
  cityId: number,
  overrideReason: string | null,
): Promise<void> {
  if (!user.isAdmin) throw new ForbiddenError('only admins assign assessors');
  await campaignOf(db, campaignId);
  const assessor = await db.one<{ cities: (number | null)[] }>(
    `SELECT ARRAY(SELECT o.city_id FROM memberships m JOIN organizations o ON o.id = m.organization_id
       WHERE m.user_id = u.id AND m.role = 'cso_assessor') AS cities FROM users u WHERE u.id = $1`,
    [assessorId],
  );
  if (!assessor || assessor.cities.length === 0)
    throw new ValidationError([{ field: 'assessor', message: 'ranking.error.not_assessor' }]);
  const conflict = assessor.cities.includes(cityId);
  const reason = overrideReason?.trim() || null;
  if (conflict && !reason)
    throw new ValidationError([{ field: 'override_reason', message: 'ranking.error.conflict' }], 409);
  await db.query(
    `INSERT INTO ranking_assignments (campaign_id, assessor_id, city_id, conflict_override_reason, assigned_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (campaign_id, assessor_id, city_id) DO NOTHING`,
    [campaignId, assessorId, cityId, conflict ? reason : null, user.id],
  );
  await recordAudit(db, actor, 'ranking.assign', 'ranking_campaign', campaignId, null, {
    assessor: assessorId,
    city: cityId,
    conflict,
    reason,
  });
}

export async function assignCoordinator(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaignId: number,
  coordinatorId: number,
  oblast: string,
): Promise<void> {
  if (!user.isAdmin) throw new ForbiddenError('only admins assign coordinators');
  await campaignOf(db, campaignId);
  const ok = await db.one(
    `SELECT 1 FROM memberships WHERE user_id = $1 AND role = 'regional_coordinator' AND oblast_slug = $2`,
    [coordinatorId, oblast],
  );
  if (!ok) throw new ValidationError([{ field: 'coordinator', message: 'ranking.error.not_coordinator' }]);
  await db.query('INSERT INTO ranking_coordinators VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    campaignId,
    coordinatorId,
    oblast,
  ]);
  await recordAudit(db, actor, 'ranking.assign_coordinator', 'ranking_campaign', campaignId, null, {
    coordinator: coordinatorId,
    oblast,
  });
}

/** An indicator of the campaign's methodology by its code, with its rubric's level values; undefined when there is none. */
export function findIndicator(db: Queryable, campaign: Pick<CampaignRow, 'methodology_id'>, code: string) {
  return db.one<{ id: number; not_applicable_allowed: boolean; levels: number[] }>(
    `SELECT i.id, i.not_applicable_allowed, ARRAY(SELECT value::float8 FROM ranking_levels l WHERE l.indicator_id = i.id ORDER BY value) AS levels
     FROM ranking_indicators i WHERE i.methodology_id = $1 AND i.code = $2`,
    [campaign.methodology_id, code],
  );
}

async function indicatorOf(db: Queryable, campaign: CampaignRow, code: string) {
  const indicator = await findIndicator(db, campaign, code);
  if (!indicator) throw new NotFoundError('no such indicator in this campaign’s methodology');
  return indicator;
}

/** A level value from the rubric, or "na" when the indicator allows it; anything else is refused. */
export function parseVerdict(
  check: Checker,
  field: string,
  raw: unknown,
  indicator: { not_applicable_allowed: boolean; levels: number[] },
): { value: number | null; na: boolean } {
  if (raw === 'na') {
    if (!indicator.not_applicable_allowed) check.fail(field, 'ranking.error.na_not_allowed');
    return { value: null, na: true };
  }
  const value = Number(raw);
  if (raw === '' || raw === undefined || raw === null || !indicator.levels.includes(value)) {
    check.fail(field, 'ranking.error.level', { levels: indicator.levels.join(', ') });
    return { value: null, na: false };
  }
  return { value, na: false };
}

/**
 * Evidence links as typed (one per line or space) and as offered (the city budget page's
 * checkbox, so the field may come twice): absolute http(s) addresses, or a page of this site's
 * city budget (`/city-budget/…`), stored with the site's address in front so the link works in
 * the published records too. Each once.
 */
export function evidenceLinks(check: Checker, raw: unknown, siteUrl = ''): string[] {
  const values = (Array.isArray(raw) ? raw : [raw ?? '']).map((v) => String(v));
  const links = values.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const out: string[] = [];
  for (const link of links) {
    const absolute =
      /^\/city-budget\/[^\s]{1,500}$/.test(link) && siteUrl ? `${siteUrl.replace(/\/$/, '')}${link}` : link;
    if (!/^https?:\/\/\S{3,2000}$/.test(absolute)) check.fail('evidence_links', 'validation.url');
    else if (!out.includes(absolute)) out.push(absolute);
  }
  return out;
}

/** The assessor's score for one indicator of an assigned city, during the assessment phase. */
export async function saveScore(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaignId: number,
  cityId: number,
  code: string,
  body: unknown,
  now: Date,
  siteUrl = '',
): Promise<void> {
  const campaign = await campaignOf(db, campaignId);
  const assigned = await db.one(
    'SELECT 1 FROM ranking_assignments WHERE campaign_id = $1 AND assessor_id = $2 AND city_id = $3',
    [campaignId, user.id, cityId],
  );
  if (!assigned && !user.isAdmin) throw new ForbiddenError('only the city’s assessors score it');
  if (
    !(await db.one('SELECT 1 FROM ranking_campaign_cities WHERE campaign_id = $1 AND city_id = $2', [
      campaignId,
      cityId,
    ]))
  ) {
    throw new ValidationError([{ field: 'city', message: 'ranking.error.not_participating' }]);
  }
  const indicator = await indicatorOf(db, campaign, code);
  // During verification the assessor may still rework a score the coordinator returned.
  const returned =
    campaign.phase === 'verification' &&
    (await db.one(
      `SELECT 1 FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3 AND verification = 'returned'`,
      [campaignId, cityId, indicator.id],
    ));
  if (!returned) assertPhase(campaign, 'assessment');
  const input = (body ?? {}) as Record<string, unknown>;
  const check = new Checker(body);
  const verdict = parseVerdict(check, 'level', input.level, indicator);
  const comment = check.text('comment', { max: 10_000 });
  const recommendation = check.text('recommendation', { max: 10_000 });
  const links = evidenceLinks(check, input.evidence_links, siteUrl);
  check.done();
  const before = await db.one(
    'SELECT level_value::float8 AS level_value, not_applicable FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3',
    [campaignId, cityId, indicator.id],
  );
  await db.query(
    `INSERT INTO ranking_scores (campaign_id, city_id, indicator_id, level_value, not_applicable, comment, recommendation, evidence_links, assessed_by, assessed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (campaign_id, city_id, indicator_id) DO UPDATE SET level_value = $4, not_applicable = $5, comment = $6, recommendation = $7,
       evidence_links = $8, assessed_by = $9, assessed_at = $10, verification = 'pending', verified_value = NULL, verified_not_applicable = NULL`,
    [campaignId, cityId, indicator.id, verdict.value, verdict.na, comment, recommendation, links, user.id, now],
  );
  await recordAudit(db, actor, 'ranking.score', 'ranking_campaign', campaignId, before ?? null, {
    city: cityId,
    indicator: code,
    ...verdict,
  });
}

/**
 * The coordinator of the city's oblast accepts a score (optionally at another level, which is
 * kept beside the assessor's) or returns it with a comment.
 */
export async function verifyScore(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaignId: number,
  cityId: number,
  code: string,
  body: unknown,
): Promise<void> {
  const campaign = await campaignOf(db, campaignId);
  const coordinates = await db.one(
    `SELECT 1 FROM ranking_coordinators rc JOIN cities c ON c.oblast_slug = rc.oblast_slug WHERE rc.campaign_id = $1 AND rc.coordinator_id = $2 AND c.id = $3`,
    [campaignId, user.id, cityId],
  );
  if (!coordinates && !user.isAdmin) throw new ForbiddenError('only the coordinator of the city’s oblast verifies it');
  assertPhase(campaign, 'verification');
  const indicator = await indicatorOf(db, campaign, code);
  const input = (body ?? {}) as Record<string, unknown>;
  const check = new Checker(body);
  const decision = check.oneOf('decision', ['accept', 'return'] as const);
  const comment = check.text('verifier_comment', { max: 5000 });
  if (decision === 'return' && !comment) check.fail('verifier_comment', 'validation.required');
  const changed =
    decision === 'accept' && input.level !== undefined && input.level !== ''
      ? parseVerdict(check, 'level', input.level, indicator)
      : null;
  check.done();
  const score = await db.one<{ level_value: number | null; not_applicable: boolean }>(
    'SELECT level_value::float8 AS level_value, not_applicable FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3 FOR UPDATE',
    [campaignId, cityId, indicator.id],
  );
  if (!score) throw new ValidationError([{ field: 'level', message: 'ranking.error.not_scored' }], 409);
  await db.query(
    `UPDATE ranking_scores SET verification = $4, verified_value = $5, verified_not_applicable = $6, verifier_comment = $7
     WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
    [
      campaignId,
      cityId,
      indicator.id,
      decision === 'accept' ? 'accepted' : 'returned',
      decision === 'accept' ? (changed ? changed.value : score.level_value) : null,
      decision === 'accept' ? (changed ? changed.na : score.not_applicable) : null,
      comment,
    ],
  );
  await recordAudit(db, actor, 'ranking.verify', 'ranking_campaign', campaignId, score, {
    city: cityId,
    indicator: code,
    decision,
    changed,
    comment,
  });
}

// ---- Appeals ----

/** Anyone signed in with a confirmed address may appeal: the city's editors, CSOs, citizens. */
export async function fileAppeal(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaignId: number,
  cityId: number,
  code: string,
  body: unknown,
  now: Date,
  siteUrl = '',
): Promise<number> {
  if (!user.emailConfirmed) throw new ForbiddenError('confirm the e-mail address first');
  const campaign = await campaignOf(db, campaignId);
  assertPhase(campaign, 'appeals');
  const indicator = await indicatorOf(db, campaign, code);
  const check = new Checker(body);
  const explanation = check.text('explanation', { required: true, min: 20, max: 10_000 });
  const links = evidenceLinks(check, (body as Record<string, unknown> | null)?.evidence_links, siteUrl);
  check.done();
  if (
    !(await db.one('SELECT 1 FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3', [
      campaignId,
      cityId,
      indicator.id,
    ]))
  ) {
    throw new ValidationError([{ field: 'indicator', message: 'ranking.error.not_scored' }], 409);
  }
  const row = await db.one<{ id: number }>(
    `INSERT INTO ranking_appeals (campaign_id, city_id, indicator_id, appellant_id, explanation, evidence_links, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [campaignId, cityId, indicator.id, user.id, explanation, links, now],
  );
  await recordAudit(db, actor, 'ranking.appeal', 'ranking_campaign', campaignId, null, {
    appeal: row!.id,
    city: cityId,
    indicator: code,
  });
  return row!.id;
}

/** The coordinator of the city's oblast decides, with a reason; an accepted appeal sets the score's verified level. */
export async function decideAppeal(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  appealId: number,
  body: unknown,
  now: Date,
): Promise<void> {
  const appeal = await db.one<{ campaign_id: number; city_id: number; indicator_id: number; state: string }>(
    'SELECT campaign_id, city_id, indicator_id, state FROM ranking_appeals WHERE id = $1 FOR UPDATE',
    [appealId],
  );
  if (!appeal) throw new NotFoundError('no such appeal');
  const campaign = await campaignOf(db, appeal.campaign_id);
  const coordinates = await db.one(
    `SELECT 1 FROM ranking_coordinators rc JOIN cities c ON c.oblast_slug = rc.oblast_slug WHERE rc.campaign_id = $1 AND rc.coordinator_id = $2 AND c.id = $3`,
    [appeal.campaign_id, user.id, appeal.city_id],
  );
  if (!coordinates && !user.isAdmin)
    throw new ForbiddenError('only the coordinator of the city’s oblast decides its appeals');
  assertPhase(campaign, 'appeals');
  if (appeal.state !== 'pending')
    throw new ValidationError([{ field: 'state', message: 'ranking.error.decided' }], 409);
  const indicator = await db.one<{ code: string }>('SELECT code FROM ranking_indicators WHERE id = $1', [
    appeal.indicator_id,
  ]);
  const full = await indicatorOf(db, campaign, indicator!.code);
  const input = (body ?? {}) as Record<string, unknown>;
  const check = new Checker(body);
  const decision = check.oneOf('decision', ['accept', 'reject'] as const);
  const reason = check.text('decision_reason', { required: true, max: 5000 });
  const verdict = decision === 'accept' ? parseVerdict(check, 'level', input.level, full) : null;
  check.done();
  const score = await db.one<{ value: number | null }>(
    'SELECT coalesce(verified_value, level_value)::float8 AS value FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3 FOR UPDATE',
    [appeal.campaign_id, appeal.city_id, appeal.indicator_id],
  );
  if (verdict) {
    await db.query(
      `UPDATE ranking_scores SET verification = 'accepted', verified_value = $4, verified_not_applicable = $5 WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
      [appeal.campaign_id, appeal.city_id, appeal.indicator_id, verdict.value, verdict.na],
    );
  }
  await db.query(
    `UPDATE ranking_appeals SET state = $2, decided_by = $3, decision_reason = $4, previous_value = $5, new_value = $6, decided_at = $7 WHERE id = $1`,
    [
      appealId,
      decision === 'accept' ? 'accepted' : 'rejected',
      user.id,
      reason,
      score?.value ?? null,
      verdict?.value ?? null,
      now,
    ],
  );
  await recordAudit(
    db,
    actor,
    'ranking.appeal_decision',
    'ranking_campaign',
    appeal.campaign_id,
    { value: score?.value ?? null },
    { appeal: appealId, decision, reason, value: verdict?.value ?? null },
  );
}

// ---- Who works on a campaign ----

export interface CampaignRoles {
  admin: boolean;
  /** Cities the user is assigned to assess. */
  assesses: number[];
  /** Oblasts the user coordinates in this campaign. */
  coordinates: string[];
}

export async function campaignRoles(
  db: Queryable,
  user: CurrentUser | null,
  campaignId: number,
): Promise<CampaignRoles> {
  if (!user) return { admin: false, assesses: [], coordinates: [] };
  const [assigned, coordinated] = await Promise.all([
    db.query<{ city_id: number }>(
      'SELECT city_id FROM ranking_assignments WHERE campaign_id = $1 AND assessor_id = $2',
      [campaignId, user.id],
    ),
    db.query<{ oblast_slug: string }>(
      'SELECT oblast_slug FROM ranking_coordinators WHERE campaign_id = $1 AND coordinator_id = $2',
      [campaignId, user.id],
    ),
  ]);
  return {
    admin: user.isAdmin,
    assesses: assigned.map((r) => r.city_id),
    coordinates: coordinated.map((r) => r.oblast_slug),
  };
}

export const worksOn = (roles: CampaignRoles) =>
  roles.admin || roles.assesses.length > 0 || roles.coordinates.length > 0;

/** Before publication a city's scores, evidence and appeals are seen by its assessors, its oblast's coordinator and admins only. */
export const seesCity = (roles: CampaignRoles, city: { id: number; oblast_slug: string }) =>
  roles.admin || roles.assesses.includes(city.id) || roles.coordinates.includes(city.oblast_slug);

/** What the user may do on one city's assessment page. */
export function cityWork(roles: CampaignRoles, phase: CampaignPhase, city: { id: number; oblast_slug: string }) {
  const assessor = roles.admin || roles.assesses.includes(city.id);
  const coordinator = roles.admin || roles.coordinates.includes(city.oblast_slug);
  return {
    sees: seesCity(roles, city),
    assess: assessor && phase === 'assessment',
    rework: assessor && phase === 'verification',
    verify: coordinator && phase === 'verification',
  };
}
