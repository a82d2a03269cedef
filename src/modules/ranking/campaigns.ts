// Ranking campaigns: creating one (a year, a published methodology version, the participating
// cities, status bands), moving it through its phases, publishing it (a frozen revision of the
// results, also published as an open dataset) and correcting it afterwards (a new revision with
// a public change note). Admins run campaigns; the checks are here, in one place.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { campaignResults, type CityResult } from './results.ts';
import { CAMPAIGN_PHASES, findIndicator, parseVerdict, type CampaignPhase } from './workflow.ts';
import type { Band } from './scoring.ts';

export interface Campaign {
  id: number;
  year: number;
  methodology_id: number;
  methodology_version: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  phase: CampaignPhase;
  bands: Band[];
  demo: boolean;
  published_at: Date | null;
  city_ids: number[];
}

const CAMPAIGN_SELECT = `SELECT c.id, c.year, c.methodology_id, m.version AS methodology_version, c.title_uk, c.title_en, c.title_bg, c.phase, c.bands, c.demo,
  c.published_at, ARRAY(SELECT city_id FROM ranking_campaign_cities cc WHERE cc.campaign_id = c.id ORDER BY city_id) AS city_ids
  FROM ranking_campaigns c JOIN ranking_methodologies m ON m.id = c.methodology_id`;

export async function getCampaign(db: Queryable, id: number): Promise<Campaign> {
  const campaign = await db.one<Campaign>(`${CAMPAIGN_SELECT} WHERE c.id = $1`, [id]);
  if (!campaign) throw new NotFoundError('no such campaign');
  return campaign;
}

export async function listCampaigns(db: Queryable): Promise<Campaign[]> {
  return db.query<Campaign>(`${CAMPAIGN_SELECT} ORDER BY c.year DESC, c.id DESC`);
}

/** The published campaign of the year before (the closest earlier year), for year-over-year change. */
export async function previousCampaign(
  db: Queryable,
  campaign: Pick<Campaign, 'id' | 'year'>,
): Promise<Campaign | undefined> {
  return db.one<Campaign>(
    `${CAMPAIGN_SELECT} WHERE c.phase = 'published' AND c.year < $1 AND c.id <> $2 ORDER BY c.year DESC, c.id DESC LIMIT 1`,
    [campaign.year, campaign.id],
  );
}

function assertAdmin(user: CurrentUser): void {
  if (!user.isAdmin) throw new ForbiddenError('only admins run ranking campaigns');
}

/** Bands typed as "transparent 80, partly 50, not 0": a key and the lowest total of each. */
export function parseBands(check: Checker, field: string, raw: string): Band[] {
  const bands = raw
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([a-z_]{1,30})\s+(\d{1,3}(?:[.,]\d+)?)$/.exec(part);
      return match ? { key: match[1]!, min: Number(match[2]!.replace(',', '.')) } : null;
    });
  if (!bands.length || bands.some((b) => b === null || b.min > 100) || !bands.some((b) => b?.min === 0)) {
    check.fail(field, 'ranking.error.bands');
    return [];
  }
  return bands as Band[];
}

export const bandsText = (bands: Band[]) => bands.map((b) => `${b.key} ${b.min}`).join(', ');

export async function createCampaign(db: Queryable, actor: Actor, user: CurrentUser, body: unknown): Promise<number> {
  assertAdmin(user);
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const year = check.number('year', { min: 2000, max: 2100, integer: true, required: true });
  const methodologyId = check.number('methodology_id', { min: 1, max: 2_147_483_647, integer: true, required: true });
  const titles = {
    uk: check.text('title_uk', { required: true, max: 200 }),
    en: check.text('title_en', { required: true, max: 200 }),
    bg: check.text('title_bg', { required: true, max: 200 }),
  };
  const bands = parseBands(check, 'bands', String(input.bands ?? 'transparent 80, partly 50, not 0'));
  const cityIds = [input.cities ?? []]
    .flat()
    .map(Number)
    .filter((id) => Number.isInteger(id) && id > 0);
  check.done();
  const methodology = await db.one<{ published_at: Date | null }>(
    'SELECT published_at FROM ranking_methodologies WHERE id = $1',
    [methodologyId],
  );
  if (!methodology?.published_at)
    throw new ValidationError([{ field: 'methodology_id', message: 'ranking.error.methodology_draft' }]);
  const row = await db.one<{ id: number }>(
    'INSERT INTO ranking_campaigns (year, methodology_id, title_uk, title_en, title_bg, bands) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [year, methodologyId, titles.uk, titles.en, titles.bg, JSON.stringify(bands)],
  );
  await db.query(
    'INSERT INTO ranking_campaign_cities (campaign_id, city_id) SELECT $1, id FROM cities WHERE id = ANY($2::int[])',
    [row!.id, cityIds],
  );
  await recordAudit(db, actor, 'ranking.campaign_create', 'ranking_campaign', row!.id, null, {
    year,
    methodology: methodologyId,
    cities: cityIds.length,
  });
  return row!.id;
}

/** The participating cities, while the campaign is being prepared. */
export async function setCampaignCities(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaign: Campaign,
  rawIds: unknown,
): Promise<void> {
  assertAdmin(user);
  if (campaign.phase !== 'preparation')
    throw new ValidationError([{ field: 'cities', message: 'ranking.error.phase' }], 409);
  const ids = [rawIds ?? []]
    .flat()
    .map(Number)
    .filter((id) => Number.isInteger(id) && id > 0);
  await db.query('DELETE FROM ranking_campaign_cities WHERE campaign_id = $1 AND NOT (city_id = ANY($2::int[]))', [
    campaign.id,
    ids,
  ]);
  await db.query(
    'INSERT INTO ranking_campaign_cities (campaign_id, city_id) SELECT $1, id FROM cities WHERE id = ANY($2::int[]) ON CONFLICT DO NOTHING',
    [campaign.id, ids],
  );
  await recordAudit(
    db,
    actor,
    'ranking.campaign_cities',
    'ranking_campaign',
    campaign.id,
    { cities: campaign.city_ids },
    { cities: ids },
  );
}

/** Moves to the next phase, up to "final"; publishing is its own step. */
export async function advancePhase(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaign: Campaign,
): Promise<CampaignPhase> {
  assertAdmin(user);
  const next = CAMPAIGN_PHASES[CAMPAIGN_PHASES.indexOf(campaign.phase) + 1];
  if (!next || next === 'published')
    throw new ValidationError([{ field: 'phase', message: 'ranking.error.phase' }], 409);
  if (campaign.city_ids.length === 0)
    throw new ValidationError([{ field: 'cities', message: 'ranking.error.no_cities' }]);
  const updated = await db.query('UPDATE ranking_campaigns SET phase = $2 WHERE id = $1 AND phase = $3 RETURNING id', [
    campaign.id,
    next,
    campaign.phase,
  ]);
  if (!updated.length) throw new ValidationError([{ field: 'phase', message: 'ranking.error.phase' }], 409);
  await recordAudit(
    db,
    actor,
    'ranking.phase',
    'ranking_campaign',
    campaign.id,
    { phase: campaign.phase },
    { phase: next },
  );
  return next;
}

export interface Revision {
  id: number;
  revision: number;
  change_note: string;
  published_at: Date;
  results: { methodology: string; results: CityResult[] };
}

export async function listRevisions(db: Queryable, campaignId: number): Promise<Omit<Revision, 'results'>[]> {
  return db.query(
    'SELECT id, revision, change_note, published_at FROM ranking_revisions WHERE campaign_id = $1 ORDER BY revision DESC',
    [campaignId],
  );
}

export async function getRevision(db: Queryable, campaignId: number, revision?: number): Promise<Revision | undefined> {
  return revision === undefined
    ? db.one<Revision>(
        'SELECT id, revision, change_note, published_at, results FROM ranking_revisions WHERE campaign_id = $1 ORDER BY revision DESC LIMIT 1',
        [campaignId],
      )
    : db.one<Revision>(
        'SELECT id, revision, change_note, published_at, results FROM ranking_revisions WHERE campaign_id = $1 AND revision = $2',
        [campaignId, revision],
      );
}

async function addRevision(
  db: Queryable,
  user: CurrentUser | null,
  campaignId: number,
  note: string,
  now: Date,
): Promise<number> {
  const results = await campaignResults(db, campaignId);
  const row = await db.one<{ id: number }>(
    `INSERT INTO ranking_revisions (campaign_id, revision, change_note, results, published_by, published_at)
     VALUES ($1, (SELECT coalesce(max(revision), 0) + 1 FROM ranking_revisions WHERE campaign_id = $1), $2, $3, $4, $5) RETURNING id`,
    [campaignId, note, JSON.stringify(results), user?.id ?? null, now],
  );
  return row!.id;
}

/** From "final": freezes the scores and stores the results as revision 1. */
export async function publishCampaign(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaign: Campaign,
  now: Date,
): Promise<void> {
  assertAdmin(user);
  if (campaign.phase !== 'final') throw new ValidationError([{ field: 'phase', message: 'ranking.error.phase' }], 409);
  await addRevision(db, user, campaign.id, '', now);
  await db.query(`UPDATE ranking_campaigns SET phase = 'published', published_at = $2 WHERE id = $1`, [
    campaign.id,
    now,
  ]);
  await recordAudit(
    db,
    actor,
    'ranking.publish',
    'ranking_campaign',
    campaign.id,
    { phase: campaign.phase },
    { phase: 'published' },
  );
}

/**
 * Changes one published score and publishes a new revision with the public change note. The
 * database refuses any other change to a published campaign's scores.
 */
export async function correctScore(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  campaign: Campaign,
  cityId: number,
  body: unknown,
  now: Date,
): Promise<number> {
  assertAdmin(user);
  if (campaign.phase !== 'published')
    throw new ValidationError([{ field: 'phase', message: 'ranking.error.phase' }], 409);
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const code = check.text('indicator', { required: true, max: 20 });
  const note = check.text('change_note', { required: true, min: 10, max: 5000 });
  check.done();
  const indicator = await findIndicator(db, campaign, code);
  if (!indicator) throw new ValidationError([{ field: 'indicator', message: 'ranking.error.no_indicator' }]);
  if (!campaign.city_ids.includes(cityId))
    throw new ValidationError([{ field: 'city', message: 'ranking.error.not_participating' }]);
  const verdict = parseVerdict(check, 'level', input.level, indicator);
  check.done();
  const before = await db.one<{ value: number | null; na: boolean }>(
    `SELECT coalesce(verified_value, level_value)::float8 AS value, coalesce(verified_not_applicable, not_applicable) AS na
     FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2 AND indicator_id = $3`,
    [campaign.id, cityId, indicator.id],
  );
  // A correction that changes nothing would publish a revision whose note and diff contradict each other.
  if (before && before.na === verdict.na && (before.na || Number(before.value) === Number(verdict.value)))
    throw new ValidationError([{ field: 'level', message: 'ranking.error.correction_unchanged' }], 409);
  await db.query(`SELECT set_config('hromada.ranking_correction', 'on', true)`);
  await db.query(
    `INSERT INTO ranking_scores (campaign_id, city_id, indicator_id, verification, verified_value, verified_not_applicable) VALUES ($1, $2, $3, 'accepted', $4, $5)
     ON CONFLICT (campaign_id, city_id, indicator_id) DO UPDATE SET verification = 'accepted', verified_value = $4, verified_not_applicable = $5`,
    [campaign.id, cityId, indicator.id, verdict.value, verdict.na],
  );
  await db.query(`SELECT set_config('hromada.ranking_correction', 'off', true)`);
  const revisionId = await addRevision(db, user, campaign.id, note, now);
  await db.query(
    `INSERT INTO ranking_corrections (revision_id, city_id, indicator_id, previous_value, previous_not_applicable, new_value, new_not_applicable)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [revisionId, cityId, indicator.id, before?.value ?? null, before?.na ?? false, verdict.value, verdict.na],
  );
  await recordAudit(db, actor, 'ranking.correction', 'ranking_campaign', campaign.id, before ?? null, {
    city: cityId,
    indicator: code,
    ...verdict,
    note,
  });
  return revisionId;
}
