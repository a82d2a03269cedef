// The best-practices library: every full mark an assessor described, from published campaigns,
// searchable by text and filterable by year, area, city and indicator, one page at a time.
import { likePattern, type Queryable } from '../../platform/db/index.ts';

type Localized = { uk: string; en: string; bg: string };

export interface Practice {
  campaign_id: number;
  year: number;
  city_slug: string;
  city: Localized;
  code: string;
  question: Localized;
  area_code: string;
  area: Localized;
  comment: string;
  evidence_links: string[];
}

export interface PracticeFilter {
  q?: string;
  year?: number;
  /** An area's code (areas keep their code from one year's methodology to the next). */
  area?: string;
  /** A city's slug. */
  city?: string;
  /** An indicator's code. */
  indicator?: string;
  offset: number;
  limit: number;
}

export interface FacetValue {
  value: string;
  name: Localized;
  count: number;
}

export interface PracticeFacets {
  year: FacetValue[];
  area: FacetValue[];
  city: FacetValue[];
  indicator: FacetValue[];
}

export interface PracticePage {
  items: Practice[];
  total: number;
  facets: PracticeFacets;
}

/** How many practices one page shows. */
export const PRACTICES_PER_PAGE = 20;

export const PRACTICE_FACETS = ['year', 'area', 'city', 'indicator'] as const;
export type PracticeFacetName = (typeof PRACTICE_FACETS)[number];

// A practice is a full mark (after verification, if any), applicable, with the assessor's words.
// Parameters: $1 the LIKE pattern, $2 year, $3 area code, $4 city slug, $5 indicator code; each
// NULL when that filter is not set.
const FROM_WHERE = `FROM ranking_scores s
  JOIN ranking_campaigns c ON c.id = s.campaign_id AND c.phase = 'published'
  JOIN ranking_indicators i ON i.id = s.indicator_id
  JOIN ranking_areas a ON a.id = i.area_id
  JOIN cities ci ON ci.id = s.city_id
  WHERE coalesce(s.verified_value, s.level_value) = 1
    AND NOT coalesce(s.verified_not_applicable, s.not_applicable) AND s.comment <> ''
    AND ($1::text IS NULL OR lower(s.comment || ' ' || i.question_uk || ' ' || i.question_en || ' ' || i.question_bg
        || ' ' || ci.name_uk || ' ' || ci.name_en || ' ' || ci.name_bg) LIKE $1)
    AND ($2::int IS NULL OR c.year = $2)
    AND ($3::text IS NULL OR a.code = $3)
    AND ($4::text IS NULL OR ci.slug = $4)
    AND ($5::text IS NULL OR i.code = $5)`;

// What each facet groups by, its name in the reader's languages (an area's or indicator's wording
// from the latest year it appears in) and its order.
const FACET_SQL: Record<PracticeFacetName, { value: string; name: (lang: string) => string; order: string }> = {
  year: { value: 'c.year::text', name: () => 'c.year::text', order: 'min(c.year) DESC' },
  area: {
    value: 'a.code',
    name: (lang) => `(array_agg(a.name_${lang} ORDER BY c.year DESC))[1]`,
    order: 'min(a.position), a.code',
  },
  city: { value: 'ci.slug', name: (lang) => `min(ci.name_${lang})`, order: 'count(*) DESC, min(ci.name_uk)' },
  indicator: {
    value: 'i.code',
    name: (lang) => `(array_agg(i.question_${lang} ORDER BY c.year DESC))[1]`,
    order: 'count(*) DESC, i.code',
  },
};

function parameters(filter: PracticeFilter, without?: PracticeFacetName): unknown[] {
  const q = (filter.q ?? '').trim();
  return [
    q ? likePattern(q.toLowerCase()) : null,
    without === 'year' ? null : (filter.year ?? null),
    without === 'area' ? null : filter.area || null,
    without === 'city' ? null : filter.city || null,
    without === 'indicator' ? null : filter.indicator || null,
  ];
}

/**
 * One page of practices matching the filter, how many match in all, and for each facet how many
 * would match with each of its values (counted with the other filters applied, so a reader can
 * switch from one city or year to another without first clearing it).
 */
export async function searchPractices(db: Queryable, filter: PracticeFilter): Promise<PracticePage> {
  const [rows, count, ...facetRows] = await Promise.all([
    db.query<
      Omit<Practice, 'city' | 'question' | 'area'> & {
        city_uk: string;
        city_en: string;
        city_bg: string;
        q_uk: string;
        q_en: string;
        q_bg: string;
        area_uk: string;
        area_en: string;
        area_bg: string;
      }
    >(
      `SELECT c.id AS campaign_id, c.year, ci.slug AS city_slug, ci.name_uk AS city_uk, ci.name_en AS city_en, ci.name_bg AS city_bg,
         i.code, i.question_uk AS q_uk, i.question_en AS q_en, i.question_bg AS q_bg,
         a.code AS area_code, a.name_uk AS area_uk, a.name_en AS area_en, a.name_bg AS area_bg, s.comment, s.evidence_links
       ${FROM_WHERE} ORDER BY c.year DESC, a.position, i.position, ci.slug LIMIT $6 OFFSET $7`,
      [...parameters(filter), filter.limit, filter.offset],
    ),
    db.one<{ n: number }>(`SELECT count(*)::int AS n ${FROM_WHERE}`, parameters(filter)),
    ...PRACTICE_FACETS.map((facet) => {
      const f = FACET_SQL[facet];
      return db.query<{ value: string; name_uk: string; name_en: string; name_bg: string; count: number }>(
        `SELECT ${f.value} AS value, ${f.name('uk')} AS name_uk, ${f.name('en')} AS name_en, ${f.name('bg')} AS name_bg,
           count(*)::int AS count
         ${FROM_WHERE} GROUP BY ${f.value} ORDER BY ${f.order}`,
        parameters(filter, facet),
      );
    }),
  ]);
  const facets = Object.fromEntries(
    PRACTICE_FACETS.map((facet, index) => [
      facet,
      facetRows[index]!.map((r) => ({
        value: r.value,
        name: { uk: r.name_uk, en: r.name_en, bg: r.name_bg },
        count: r.count,
      })),
    ]),
  ) as unknown as PracticeFacets;
  return {
    items: rows.map((r) => ({
      campaign_id: r.campaign_id,
      year: r.year,
      city_slug: r.city_slug,
      city: { uk: r.city_uk, en: r.city_en, bg: r.city_bg },
      code: r.code,
      question: { uk: r.q_uk, en: r.q_en, bg: r.q_bg },
      area_code: r.area_code,
      area: { uk: r.area_uk, en: r.area_en, bg: r.area_bg },
      comment: r.comment,
      evidence_links: r.evidence_links,
    })),
    total: count!.n,
    facets,
  };
}
