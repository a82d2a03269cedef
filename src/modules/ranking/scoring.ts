// The transparency ranking's arithmetic, as pure functions over plain data: indicator points,
// area scores capped at the area's maximum, "not applicable" indicators taken out of both the
// points and the maximum, the total rescaled to 100, status bands, competition ranking with
// shared places, implementation shares, year-over-year change and group averages. Nothing here
// rounds: totals are rounded for display only.

export type IndicatorType = 'legal' | 'best_practice' | 'both';

export interface Indicator {
  code: string;
  area: string;
  /** 1 or 2 in the methodology; any positive number works. */
  points: number;
  type: IndicatorType;
}

export interface Area {
  code: string;
  /** The most the area can give, even when its indicators add up to more. */
  maxPoints: number;
}

/** A city's verdict on one indicator: a rubric level's value (1, 0.5, 0, …) or not applicable. */
export type Verdict = { value: number } | 'not_applicable';

export interface AreaScore {
  area: string;
  score: number;
  /** The area's maximum once not-applicable indicators are taken out. */
  max: number;
  /** score / max × 100; null when nothing in the area applies. */
  percent: number | null;
}

export interface CityScore {
  /** 0–100, unrounded; null when nothing applies at all. */
  total: number | null;
  areas: AreaScore[];
  /** Implementation by indicator type: a "both" indicator counts for each. */
  byType: { legal: number | null; best_practice: number | null };
  /** Indicators still without a verdict: the score is provisional while any remain. */
  missing: string[];
}

const percent = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : null);

export function indicatorPoints(indicator: Indicator, verdict: Verdict | undefined): number {
  if (verdict === undefined || verdict === 'not_applicable') return 0;
  return verdict.value * indicator.points;
}

export function scoreCity(areas: Area[], indicators: Indicator[], verdicts: ReadonlyMap<string, Verdict>): CityScore {
  const areaScores: AreaScore[] = areas.map((area) => {
    const own = indicators.filter((i) => i.area === area.code);
    const applicable = own.filter((i) => verdicts.get(i.code) !== 'not_applicable');
    const max = Math.min(
      area.maxPoints,
      applicable.reduce((sum, i) => sum + i.points, 0),
    );
    const earned = applicable.reduce((sum, i) => sum + indicatorPoints(i, verdicts.get(i.code)), 0);
    const score = Math.min(earned, max);
    return { area: area.code, score, max, percent: percent(score, max) };
  });
  const sumScore = areaScores.reduce((sum, a) => sum + a.score, 0);
  const sumMax = areaScores.reduce((sum, a) => sum + a.max, 0);
  const typeShare = (type: 'legal' | 'best_practice') => {
    const counted = indicators.filter(
      (i) => (i.type === type || i.type === 'both') && verdicts.get(i.code) !== 'not_applicable',
    );
    return percent(
      counted.reduce((sum, i) => sum + indicatorPoints(i, verdicts.get(i.code)), 0),
      counted.reduce((sum, i) => sum + i.points, 0),
    );
  };
  return {
    total: percent(sumScore, sumMax),
    areas: areaScores,
    byType: { legal: typeShare('legal'), best_practice: typeShare('best_practice') },
    missing: indicators.filter((i) => !verdicts.has(i.code)).map((i) => i.code),
  };
}

export interface Band {
  key: string;
  /** The lowest total in the band. */
  min: number;
}

/** The band of the highest minimum the total reaches; bands need not be given in order. */
export function statusBand(total: number | null, bands: Band[]): string | null {
  if (total === null) return null;
  const sorted = [...bands].sort((a, b) => b.min - a.min);
  return sorted.find((b) => total + EPSILON >= b.min)?.key ?? null;
}

/** Totals closer than this are equal: sums of halves divided by a maximum leave float noise. */
const EPSILON = 1e-9;

/** Competition ranking ("1224"): tied totals share a place; the next place skips as many. Cities without a total have none. */
export function rank<T extends { total: number | null }>(items: T[]): (T & { place: number | null })[] {
  const ranked = items.filter((i) => i.total !== null).sort((a, b) => b.total! - a.total!);
  const places = new Map<T, number>();
  ranked.forEach((item, index) => {
    const previous = ranked[index - 1];
    places.set(item, previous && Math.abs(previous.total! - item.total!) < EPSILON ? places.get(previous)! : index + 1);
  });
  return items.map((item) => ({ ...item, place: places.get(item) ?? null }));
}

export interface Change {
  points: number | null;
  /** Positive when the city climbed. */
  places: number | null;
  /** False when the two years used different methodology versions: the numbers are not like for like. */
  comparable: boolean;
}

export function changeSince(
  now: { total: number | null; place: number | null; methodology: string },
  before: { total: number | null; place: number | null; methodology: string } | undefined,
): Change {
  if (!before) return { points: null, places: null, comparable: false };
  return {
    points: now.total !== null && before.total !== null ? now.total - before.total : null,
    places: now.place !== null && before.place !== null ? before.place - now.place : null,
    comparable: now.methodology === before.methodology,
  };
}

/** Mean total per group (oblast, population band); cities without a total are left out. */
export function averages<T extends { total: number | null }>(
  items: T[],
  groupOf: (item: T) => string,
): Map<string, { mean: number; count: number }> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const item of items) {
    if (item.total === null) continue;
    const group = groupOf(item);
    const entry = sums.get(group) ?? { sum: 0, count: 0 };
    entry.sum += item.total;
    entry.count++;
    sums.set(group, entry);
  }
  return new Map([...sums].map(([group, { sum, count }]) => [group, { mean: sum / count, count }]));
}

/** Population bands by their lower bounds, e.g. [0, 50000, 100000, 250000, 500000]. */
export function populationBand(population: number | null, lowerBounds: number[]): string {
  if (population === null) return 'unknown';
  const sorted = [...lowerBounds].sort((a, b) => a - b);
  let band = sorted[0] ?? 0;
  for (const bound of sorted) if (population >= bound) band = bound;
  const next = sorted.find((b) => b > band);
  return next === undefined ? `${band}+` : `${band}-${next - 1}`;
}
