// A campaign's open results as flat records: one per city (results) and one per city and
// indicator (scores). The CSV, XLSX and JSON exports, the API and the portal datasets all
// come from these two functions, so they always agree.
import { csvLine } from '../../platform/csv.ts';
import type { XlsxCellType } from '../datastore/xlsx.ts';
import { indicatorList, type Board, type IndicatorScore } from './board.ts';

export type Value = string | number | boolean | null;

export interface Table {
  columns: string[];
  types: XlsxCellType[];
  rows: Value[][];
}

const round = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits;

export function resultRecords(board: Board): Table {
  const areas = board.methodology.areas;
  return {
    columns: [
      'year',
      'place',
      'city',
      'city_name',
      'oblast',
      'population',
      'total',
      'status',
      'change_points',
      'change_places',
      'comparable',
      'legal_percent',
      'best_practice_percent',
      ...areas.map((a) => `area_${a.code}_percent`),
    ],
    types: [
      'integer',
      'integer',
      'text',
      'text',
      'text',
      'integer',
      'number',
      'text',
      'number',
      'integer',
      'boolean',
      'number',
      'number',
      ...areas.map((): XlsxCellType => 'number'),
    ],
    rows: [...board.rows]
      .sort((a, b) => (a.place ?? 1e9) - (b.place ?? 1e9) || a.city.slug.localeCompare(b.city.slug))
      .map((r) => [
        board.campaign.year,
        r.place,
        r.city.slug,
        r.city.name_uk,
        r.city.oblast_slug,
        r.city.population,
        round(r.total),
        r.band,
        round(r.change.points),
        r.change.places,
        r.change.points === null ? null : r.change.comparable,
        round(r.byType.legal),
        round(r.byType.best_practice),
        ...areas.map((a) => round(r.areas.find((x) => x.area === a.code)?.percent)),
      ]),
  };
}

export function scoreRecords(board: Board, scores: IndicatorScore[]): Table {
  const indicators = new Map(indicatorList(board.methodology).map((i) => [i.code, i]));
  const cities = new Map(board.rows.map((r) => [r.cityId, r.city]));
  return {
    columns: [
      'year',
      'city',
      'city_name',
      'area',
      'indicator',
      'question',
      'type',
      'max_points',
      'level',
      'points',
      'not_applicable',
      'verification',
      'comment',
      'recommendation',
      'evidence',
    ],
    types: [
      'integer',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'number',
      'number',
      'number',
      'boolean',
      'text',
      'text',
      'text',
      'text',
    ],
    rows: scores
      .filter((s) => cities.has(s.city_id) && indicators.has(s.code))
      .map((s) => {
        const i = indicators.get(s.code)!;
        const city = cities.get(s.city_id)!;
        return [
          board.campaign.year,
          city.slug,
          city.name_uk,
          i.area.code,
          i.code,
          i.question.uk,
          i.type,
          i.points,
          s.not_applicable ? null : s.value,
          s.not_applicable || s.value === null ? null : round(s.value * i.points, 3),
          s.not_applicable,
          s.verification,
          s.comment,
          s.recommendation,
          s.evidence_links.join(' '),
        ];
      }),
  };
}

/** The table as CSV text, header first. */
export const tableCsv = (table: Table) => csvLine(table.columns) + table.rows.map((row) => csvLine(row)).join('');

export const asObjects = (table: Table) =>
  table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
