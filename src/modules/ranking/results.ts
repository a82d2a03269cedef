// A campaign's results computed from its stored scores with the pure scoring rules: every
// participating city's total, areas, type shares, band and place. The coordinator's verified
// value counts where there is one; otherwise the assessor's.
import type { Queryable } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/errors.ts';
import {
  rank,
  scoreCity,
  statusBand,
  type Area,
  type Band,
  type CityScore,
  type Indicator,
  type Verdict,
} from './scoring.ts';

export interface CityResult extends CityScore {
  cityId: number;
  citySlug: string;
  band: string | null;
  place: number | null;
}

export async function campaignResults(
  db: Queryable,
  campaignId: number,
): Promise<{ methodology: string; results: CityResult[] }> {
  const campaign = await db.one<{ methodology_id: number; version: string; bands: Band[] }>(
    `SELECT c.methodology_id, m.version, c.bands FROM ranking_campaigns c JOIN ranking_methodologies m ON m.id = c.methodology_id WHERE c.id = $1`,
    [campaignId],
  );
  if (!campaign) throw new NotFoundError('no such campaign');
  const [areaRows, indicatorRows, cities, scores] = await Promise.all([
    db.query<{ id: number; code: string; max_points: number }>(
      'SELECT id, code, max_points::float8 AS max_points FROM ranking_areas WHERE methodology_id = $1 ORDER BY position',
      [campaign.methodology_id],
    ),
    db.query<{ id: number; code: string; area_id: number; points: number; type: Indicator['type'] }>(
      'SELECT id, code, area_id, points::float8 AS points, type FROM ranking_indicators WHERE methodology_id = $1 ORDER BY position',
      [campaign.methodology_id],
    ),
    db.query<{ id: number; slug: string }>(
      'SELECT c.id, c.slug FROM ranking_campaign_cities cc JOIN cities c ON c.id = cc.city_id WHERE cc.campaign_id = $1 ORDER BY c.slug',
      [campaignId],
    ),
    db.query<{
      city_id: number;
      indicator_id: number;
      level_value: number | null;
      not_applicable: boolean;
      verified_value: number | null;
      verified_not_applicable: boolean | null;
    }>(
      `SELECT city_id, indicator_id, level_value::float8 AS level_value, not_applicable, verified_value::float8 AS verified_value, verified_not_applicable
       FROM ranking_scores WHERE campaign_id = $1`,
      [campaignId],
    ),
  ]);
  const areaCode = new Map(areaRows.map((a) => [a.id, a.code]));
  const areas: Area[] = areaRows.map((a) => ({ code: a.code, maxPoints: a.max_points }));
  const indicators: Indicator[] = indicatorRows.map((i) => ({
    code: i.code,
    area: areaCode.get(i.area_id)!,
    points: i.points,
    type: i.type,
  }));
  const indicatorCode = new Map(indicatorRows.map((i) => [i.id, i.code]));
  const verdictsByCity = new Map<number, Map<string, Verdict>>(cities.map((c) => [c.id, new Map()]));
  for (const s of scores) {
    const notApplicable = s.verified_not_applicable ?? (s.verified_value === null ? s.not_applicable : false);
    const value = s.verified_value ?? s.level_value;
    const verdict: Verdict | undefined = notApplicable ? 'not_applicable' : value === null ? undefined : { value };
    if (verdict) verdictsByCity.get(s.city_id)?.set(indicatorCode.get(s.indicator_id)!, verdict);
  }
  const scored = cities.map((c) => {
    const score = scoreCity(areas, indicators, verdictsByCity.get(c.id)!);
    return { ...score, cityId: c.id, citySlug: c.slug, band: statusBand(score.total, campaign.bands) };
  });
  return { methodology: campaign.version, results: rank(scored) };
}
