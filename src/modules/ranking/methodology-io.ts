// A methodology as a spreadsheet (one row per indicator, its area and the version repeated on
// each row, up to five rubric levels in columns) and as the editor's form fields. Both produce
// an unchecked document; parseMethodology checks it and names the row's JSON pointer.
import type { MethodologyDocument } from './methodology.ts';

type Doc = MethodologyDocument;
type Indicator = Doc['areas'][number]['indicators'][number];
const LANGS = ['uk', 'en', 'bg'] as const;
const MAX_LEVELS = 5;

export const METHODOLOGY_COLUMNS = [
  'year',
  'version',
  'title_uk',
  'title_en',
  'title_bg',
  'area_code',
  'area_uk',
  'area_en',
  'area_bg',
  'area_max_points',
  'code',
  'question_uk',
  'question_en',
  'question_bg',
  'guidance_uk',
  'guidance_en',
  'guidance_bg',
  'points',
  'type',
  'evidence',
  'not_applicable_allowed',
  ...Array.from({ length: MAX_LEVELS }, (_, i) => [
    `level${i + 1}_value`,
    `level${i + 1}_uk`,
    `level${i + 1}_en`,
    `level${i + 1}_bg`,
  ]).flat(),
];

export function methodologyRows(document: Doc): (string | number | boolean | null)[][] {
  return document.areas.flatMap((area) =>
    area.indicators.map((i) => [
      document.year,
      document.version,
      document.title.uk,
      document.title.en,
      document.title.bg,
      area.code,
      area.name.uk,
      area.name.en,
      area.name.bg,
      area.max_points,
      i.code,
      i.question.uk,
      i.question.en,
      i.question.bg,
      i.guidance.uk,
      i.guidance.en,
      i.guidance.bg,
      i.points,
      i.type,
      i.evidence.join(', '),
      i.not_applicable_allowed,
      ...Array.from({ length: MAX_LEVELS }, (_, k) => {
        const level = i.levels[k];
        return level
          ? [level.value, level.description.uk, level.description.en, level.description.bg]
          : [null, null, null, null];
      }).flat(),
    ]),
  );
}

const number = (text: string | undefined) =>
  text === undefined || text.trim() === '' ? Number.NaN : Number(text.trim().replace(',', '.'));
const yes = (text: string | undefined) =>
  ['1', 'true', 'yes', 'так', 'да', 'on'].includes((text ?? '').trim().toLowerCase());

/** Rows of a sheet (the first is the header, matched by name) into a document. */
export function methodologyFromRows(rows: string[][]): unknown {
  const [header = [], ...data] = rows.filter((r) => r.some((cell) => cell.trim() !== ''));
  const at = (row: string[], name: string) => {
    const index = header.findIndex((h) => h.trim().toLowerCase() === name);
    return index < 0 ? undefined : row[index]?.trim();
  };
  const first = data[0] ?? [];
  const areas: Record<string, unknown>[] = [];
  for (const row of data) {
    const code = at(row, 'area_code') ?? '';
    let area = areas.find((a) => a.code === code);
    if (!area) {
      area = {
        code,
        name: { uk: at(row, 'area_uk'), en: at(row, 'area_en'), bg: at(row, 'area_bg') },
        max_points: number(at(row, 'area_max_points')),
        indicators: [],
      };
      areas.push(area);
    }
    const levels = Array.from({ length: MAX_LEVELS }, (_, k) => k + 1)
      .filter((k) => (at(row, `level${k}_value`) ?? '') !== '')
      .map((k) => ({
        value: number(at(row, `level${k}_value`)),
        description: { uk: at(row, `level${k}_uk`), en: at(row, `level${k}_en`), bg: at(row, `level${k}_bg`) },
      }));
    (area.indicators as unknown[]).push({
      code: at(row, 'code'),
      question: { uk: at(row, 'question_uk'), en: at(row, 'question_en'), bg: at(row, 'question_bg') },
      guidance: {
        uk: at(row, 'guidance_uk') ?? '',
        en: at(row, 'guidance_en') ?? '',
        bg: at(row, 'guidance_bg') ?? '',
      },
      points: number(at(row, 'points')),
      type: at(row, 'type'),
      evidence: (at(row, 'evidence') ?? '').split(/[,;\s]+/).filter(Boolean),
      not_applicable_allowed: yes(at(row, 'not_applicable_allowed')),
      levels,
    });
  }
  return {
    year: number(at(first, 'year')),
    version: at(first, 'version'),
    title: { uk: at(first, 'title_uk'), en: at(first, 'title_en'), bg: at(first, 'title_bg') },
    areas,
  };
}

const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? (body[name] as string).trim() : '';
const localized = (body: Record<string, unknown>, prefix: string) =>
  Object.fromEntries(LANGS.map((l) => [l, field(body, `${prefix}_${l}`)])) as Doc['title'];

/** The editor's indicator form: levels are lines of "value | uk | en | bg". */
export function indicatorFromForm(code: string, input: unknown): Indicator {
  const body = (input ?? {}) as Record<string, unknown>;
  const levels = field(body, 'levels')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [value = '', uk = '', en = '', bg = ''] = line.split('|').map((part) => part.trim());
      return { value: number(value), description: { uk, en, bg } };
    });
  return {
    code,
    question: localized(body, 'question'),
    guidance: localized(body, 'guidance'),
    points: number(field(body, 'points')),
    type: field(body, 'type') as Indicator['type'],
    evidence: [body.evidence ?? []].flat().map(String) as Indicator['evidence'],
    not_applicable_allowed: body.not_applicable_allowed === 'on',
    levels,
  };
}

export function areaFromForm(input: unknown): { name: Doc['title']; max_points: number } {
  const body = (input ?? {}) as Record<string, unknown>;
  return { name: localized(body, 'name'), max_points: number(field(body, 'max_points')) };
}
