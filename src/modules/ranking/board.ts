// Everything the public ranking pages, exports and API read about one campaign, assembled once:
// its methodology, each participating city's result (from the published revision, or computed
// live while the campaign is under way), the change since the previous published campaign, and
// the averages by oblast and population band. Published boards are cached by revision and by the
// version of the cities' data (a revision never changes; a city's name or population can).
import type { Queryable } from '../../platform/db/index.ts';
import { dataVersion } from '../../platform/data-version.ts';
import type { City } from '../cities/service.ts';
import { campaignResults, type CityResult } from './results.ts';
import { exportMethodology, type MethodologyDocument } from './methodology.ts';
import { getCampaign, getRevision, listRevisions, previousCampaign, type Campaign } from './campaigns.ts';
import { averages, changeSince, populationBand, type Change } from './scoring.ts';

export const POPULATION_BANDS = [0, 50_000, 100_000, 250_000, 500_000, 1_000_000];

export type BoardCity = Pick<
  City,
  'id' | 'slug' | 'name_uk' | 'name_en' | 'name_bg' | 'oblast_slug' | 'population' | 'latitude' | 'longitude'
>;

export interface BoardRow extends CityResult {
  city: BoardCity;
  populationBand: string;
  change: Change;
}

export interface Board {
  campaign: Campaign;
  /** The published revision shown, or null while results are provisional. */
  revision: { id: number; revision: number; published_at: Date; change_note: string } | null;
  methodology: MethodologyDocument;
  rows: BoardRow[];
  previous: Campaign | null;
  byOblast: Map<string, { mean: number; count: number }>;
  byPopulation: Map<string, { mean: number; count: number }>;
  /** Mean percent per area code over the cities with a result. */
  areaMeans: Map<string, number>;
  /** The campaign's published revisions, newest first, and the score changes each correction made. */
  revisions: { revision: number; change_note: string; published_at: Date }[];
  corrections: {
    revision: number;
    city: { name_uk: string; name_en: string; name_bg: string };
    code: string;
    previous: number | null;
    value: number | null;
  }[];
  /** The version of the cities' data it was built from (platform/data-version.ts). */
  citiesVersion: number;
}

/** Results are public once provisional (for cities to appeal), marked as such until published. */
export const RESULTS_PUBLIC_FROM = ['provisional', 'appeals', 'final', 'published'] as const;
export const resultsPublic = (campaign: Pick<Campaign, 'phase'>) =>
  (RESULTS_PUBLIC_FROM as readonly string[]).includes(campaign.phase);

// Per database (tests run several side by side), by methodology id and by revision id.
const methodologyCache = new WeakMap<Queryable, Map<number | string, MethodologyDocument>>();
const boardCache = new WeakMap<Queryable, Map<number | string, Board>>();
const cacheOf = <T>(caches: WeakMap<Queryable, Map<number | string, T>>, db: Queryable) => {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
};

/** A published methodology is frozen, so it is read from the database once. */
export async function methodologyOf(db: Queryable, id: number): Promise<MethodologyDocument> {
  const methodologies = cacheOf(methodologyCache, db);
  const cached = methodologies.get(id);
  if (cached) return cached;
  const document = await exportMethodology(db, id);
  const published = await db.one('SELECT 1 FROM ranking_methodologies WHERE id = $1 AND published_at IS NOT NULL', [
    id,
  ]);
  if (published) methodologies.set(id, document);
  return document;
}

async function resultsOf(db: Queryable, campaign: Campaign, revisionNumber?: number) {
  if (campaign.phase !== 'published')
    return { revision: null, results: (await campaignResults(db, campaign.id)).results };
  const revision = await getRevision(db, campaign.id, revisionNumber);
  if (!revision) return { revision: null, results: (await campaignResults(db, campaign.id)).results };
  const { results, ...meta } = revision;
  return { revision: meta, results: results.results };
}

/** `citiesVersion`: the version of the cities' data if the caller knows it (app.versions), else it is read. */
export async function loadBoard(
  db: Queryable,
  campaign: Campaign,
  revisionNumber?: number,
  citiesVersion?: number,
): Promise<Board> {
  const boards = cacheOf(boardCache, db);
  // A revision never changes, but the cities' names, oblasts and populations shown with it can.
  citiesVersion ??= campaign.phase === 'published' ? await dataVersion(db, 'cities') : 0;
  if (campaign.phase === 'published') {
    const latest = await db.one<{ id: number; revision: number }>(
      'SELECT id, revision FROM ranking_revisions WHERE campaign_id = $1 AND ($2::int IS NULL OR revision = $2) ORDER BY revision DESC LIMIT 1',
      [campaign.id, revisionNumber ?? null],
    );
    const cached = latest && revisionNumber === undefined && boards.get(`${latest.id}:${citiesVersion}`);
    if (cached) return cached;
  }
  const [{ revision, results }, methodology, cities, previous, revisions, corrections] = await Promise.all([
    resultsOf(db, campaign, revisionNumber),
    methodologyOf(db, campaign.methodology_id),
    db.query<BoardCity>(
      `SELECT c.id, c.slug, c.name_uk, c.name_en, c.name_bg, c.oblast_slug, c.population, c.latitude, c.longitude
      FROM cities c JOIN ranking_campaign_cities cc ON cc.city_id = c.id WHERE cc.campaign_id = $1`,
      [campaign.id],
    ),
    previousCampaign(db, campaign),
    listRevisions(db, campaign.id),
    db.query<{
      revision: number;
      name_uk: string;
      name_en: string;
      name_bg: string;
      code: string;
      previous: number | null;
      value: number | null;
    }>(
      `SELECT r.revision, c.name_uk, c.name_en, c.name_bg, i.code, k.previous_value::float8 AS previous, k.new_value::float8 AS value
       FROM ranking_corrections k JOIN ranking_revisions r ON r.id = k.revision_id JOIN cities c ON c.id = k.city_id JOIN ranking_indicators i ON i.id = k.indicator_id
       WHERE r.campaign_id = $1 ORDER BY k.id`,
      [campaign.id],
    ),
  ]);
  const before = previous
    ? new Map((await resultsOf(db, previous)).results.map((r) => [r.cityId, r]))
    : new Map<number, CityResult>();
  const cityById = new Map(cities.map((c) => [c.id, c]));
  const rows: BoardRow[] = results
    .filter((r) => cityById.has(r.cityId))
    .map((r) => {
      const city = cityById.get(r.cityId)!;
      const earlier = before.get(r.cityId);
      return {
        ...r,
        city,
        populationBand: populationBand(city.population, POPULATION_BANDS),
        change: changeSince(
          { ...r, methodology: campaign.methodology_version },
          earlier && previous
            ? { total: earlier.total, place: earlier.place, methodology: previous.methodology_version }
            : undefined,
        ),
      };
    });
  const areaMeans = new Map<string, number>();
  for (const area of methodology.areas) {
    const percents = rows
      .map((r) => r.areas.find((a) => a.area === area.code)?.percent)
      .filter((p): p is number => typeof p === 'number');
    if (percents.length) areaMeans.set(area.code, percents.reduce((s, p) => s + p, 0) / percents.length);
  }
  const board: Board = {
    citiesVersion,
    campaign,
    revision,
    methodology,
    rows,
    previous: previous ?? null,
    areaMeans,
    revisions,
    corrections: corrections.map(({ name_uk, name_en, name_bg, ...c }) => ({
      ...c,
      city: { name_uk, name_en, name_bg },
    })),
    byOblast: averages(rows, (r) => r.city.oblast_slug),
    byPopulation: averages(rows, (r) => r.populationBand),
  };
  // Only the latest revision is cached: its list of revisions is complete until a correction adds one, which makes a new latest.
  if (revision && revisionNumber === undefined) {
    if (boards.size > 50) boards.clear();
    boards.set(`${revision.id}:${citiesVersion}`, board);
  }
  return board;
}

export interface IndicatorScore {
  city_id: number;
  code: string;
  value: number | null;
  not_applicable: boolean;
  assessed_value: number | null;
  assessed_not_applicable: boolean;
  verification: 'pending' | 'accepted' | 'returned';
  comment: string;
  recommendation: string;
  evidence_links: string[];
  verifier_comment: string;
}

/** Per-indicator scores: the verified value where there is one, else the assessor's. */
export async function indicatorScores(
  db: Queryable,
  campaignId: number,
  filter: { cityId?: number; code?: string } = {},
): Promise<IndicatorScore[]> {
  return db.query<IndicatorScore>(
    `SELECT s.city_id, i.code,
       CASE WHEN s.verified_value IS NOT NULL OR s.verified_not_applicable IS NOT NULL THEN s.verified_value ELSE s.level_value END::float8 AS value,
       coalesce(s.verified_not_applicable, s.not_applicable) AS not_applicable, s.level_value::float8 AS assessed_value, s.not_applicable AS assessed_not_applicable,
       s.verification, s.comment, s.recommendation, s.evidence_links, s.verifier_comment
     FROM ranking_scores s JOIN ranking_indicators i ON i.id = s.indicator_id
     WHERE s.campaign_id = $1 AND ($2::int IS NULL OR s.city_id = $2) AND ($3::text IS NULL OR i.code = $3) ORDER BY i.position`,
    [campaignId, filter.cityId ?? null, filter.code ?? null],
  );
}

/** Each indicator of the methodology with its area, in order. */
export function indicatorList(methodology: MethodologyDocument) {
  return methodology.areas.flatMap((area) => area.indicators.map((indicator) => ({ ...indicator, area })));
}

export interface CityYear {
  campaign: Campaign;
  total: number | null;
  place: number | null;
  band: string | null;
  cities: number;
}

/** A city's result in every published campaign it took part in, oldest first. */
export async function cityHistory(db: Queryable, cityId: number): Promise<CityYear[]> {
  const published = await db.query<{ id: number }>(
    `SELECT c.id FROM ranking_campaigns c JOIN ranking_campaign_cities cc ON cc.campaign_id = c.id
    WHERE cc.city_id = $1 AND c.phase = 'published' ORDER BY c.year, c.id`,
    [cityId],
  );
  const years: CityYear[] = [];
  for (const { id } of published) {
    const board = await loadBoard(db, await getCampaign(db, id));
    const row = board.rows.find((r) => r.cityId === cityId);
    years.push({
      campaign: board.campaign,
      total: row?.total ?? null,
      place: row?.place ?? null,
      band: row?.band ?? null,
      cities: board.rows.length,
    });
  }
  return years;
}
