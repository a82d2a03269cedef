// A ranking methodology as a JSON document (the form it is imported and exported in, and the
// one methodologists exchange), and its storage. Problems are reported with the JSON pointer of
// the value at fault. A published version is frozen (a database trigger enforces it).
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.ts';
import type { IndicatorType } from './scoring.ts';

type Localized = { uk: string; en: string; bg: string };

export const EVIDENCE_METHODS = ['website', 'information_request', 'open_data', 'other'] as const;

export interface MethodologyDocument {
  year: number;
  version: string;
  title: Localized;
  areas: {
    code: string;
    name: Localized;
    max_points: number;
    indicators: {
      code: string;
      question: Localized;
      guidance: Localized;
      points: number;
      type: IndicatorType;
      evidence: (typeof EVIDENCE_METHODS)[number][];
      not_applicable_allowed: boolean;
      levels: { value: number; description: Localized }[];
    }[];
  }[];
}

/** Reads and checks a methodology document; every problem is named by its JSON pointer. */
export function parseMethodology(input: unknown): MethodologyDocument {
  const problems: FieldProblem[] = [];
  const fail = (pointer: string, message: string, params?: FieldProblem['params']) =>
    problems.push({ field: pointer, message, params });
  const obj = (value: unknown, pointer: string): Record<string, unknown> => {
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    fail(pointer, 'ranking.error.object');
    return {};
  };
  const text = (value: unknown, pointer: string, max = 5000, required = true): string => {
    if (typeof value === 'string' && value.trim() && value.length <= max) return value.trim();
    if (!required && (value === undefined || value === '')) return '';
    fail(pointer, typeof value === 'string' && value.length > max ? 'validation.too_long' : 'validation.required', {
      max,
    });
    return '';
  };
  const localized = (value: unknown, pointer: string, required = true): Localized => {
    const o = obj(value ?? (required ? undefined : {}), pointer);
    return {
      uk: text(o.uk, `${pointer}/uk`, 5000, required),
      en: text(o.en, `${pointer}/en`, 5000, required),
      bg: text(o.bg, `${pointer}/bg`, 5000, required),
    };
  };
  const number = (value: unknown, pointer: string, min: number, max: number): number => {
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    fail(pointer, 'validation.number_range', { min, max });
    return Number.NaN;
  };
  const list = (value: unknown, pointer: string): unknown[] => {
    if (Array.isArray(value) && value.length > 0) return value;
    fail(pointer, 'ranking.error.list');
    return [];
  };
  const root = obj(input, '');
  const version = text(root.version, '/version', 40);
  if (version && !/^[A-Za-z0-9._-]{1,40}$/.test(version)) fail('/version', 'ranking.error.version');
  const codes = new Set<string>();
  const document: MethodologyDocument = {
    year: number(root.year, '/year', 2000, 2100),
    version,
    title: localized(root.title, '/title'),
    areas: list(root.areas, '/areas').map((rawArea, a) => {
      const p = `/areas/${a}`;
      const area = obj(rawArea, p);
      return {
        code: text(area.code, `${p}/code`, 20),
        name: localized(area.name, `${p}/name`),
        max_points: number(area.max_points, `${p}/max_points`, 0.5, 1000),
        indicators: list(area.indicators, `${p}/indicators`).map((rawIndicator, i) => {
          const q = `${p}/indicators/${i}`;
          const indicator = obj(rawIndicator, q);
          const code = text(indicator.code, `${q}/code`, 20);
          if (code && codes.has(code)) fail(`${q}/code`, 'ranking.error.duplicate_code', { code });
          codes.add(code);
          const type = indicator.type;
          if (!['legal', 'best_practice', 'both'].includes(type as string)) fail(`${q}/type`, 'validation.one_of');
          const evidence = Array.isArray(indicator.evidence) ? indicator.evidence : [];
          evidence.forEach((e, k) => {
            if (!(EVIDENCE_METHODS as readonly unknown[]).includes(e)) fail(`${q}/evidence/${k}`, 'validation.one_of');
          });
          const levels = list(indicator.levels, `${q}/levels`).map((rawLevel, l) => {
            const level = obj(rawLevel, `${q}/levels/${l}`);
            return {
              value: number(level.value, `${q}/levels/${l}/value`, 0, 1),
              description: localized(level.description, `${q}/levels/${l}/description`),
            };
          });
          // Checks across the levels only once each level's value is sound.
          if (levels.every((l) => !Number.isNaN(l.value))) {
            if (new Set(levels.map((l) => l.value)).size !== levels.length)
              fail(`${q}/levels`, 'ranking.error.duplicate_level');
            if (levels.length && !levels.some((l) => l.value === 1)) fail(`${q}/levels`, 'ranking.error.full_level');
          }
          return {
            code,
            question: localized(indicator.question, `${q}/question`),
            guidance: localized(indicator.guidance, `${q}/guidance`, false),
            points: number(indicator.points, `${q}/points`, 0.5, 100),
            type: type as IndicatorType,
            evidence: evidence as MethodologyDocument['areas'][number]['indicators'][number]['evidence'],
            not_applicable_allowed: indicator.not_applicable_allowed === true,
            levels,
          };
        }),
      };
    }),
  };
  if (new Set(document.areas.map((a) => a.code)).size !== document.areas.length)
    fail('/areas', 'ranking.error.duplicate_code', { code: '' });
  if (problems.length) throw new ValidationError(problems);
  return document;
}

export async function importMethodology(
  db: Queryable,
  actor: Actor,
  document: MethodologyDocument,
  demo = false,
): Promise<number> {
  if (await db.one('SELECT 1 FROM ranking_methodologies WHERE version = $1', [document.version])) {
    throw new ValidationError([{ field: '/version', message: 'ranking.error.version_taken' }], 409);
  }
  const row = await db.one<{ id: number }>(
    'INSERT INTO ranking_methodologies (year, version, title_uk, title_en, title_bg, demo) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [document.year, document.version, document.title.uk, document.title.en, document.title.bg, demo],
  );
  await writeContent(db, row!.id, document);
  await recordAudit(db, actor, 'ranking.methodology_import', 'ranking_methodology', row!.id, null, {
    version: document.version,
    areas: document.areas.length,
  });
  return row!.id;
}

/** Writes the areas, indicators and levels of a version (which must have none yet). */
async function writeContent(db: Queryable, id: number, document: MethodologyDocument): Promise<void> {
  for (const [a, area] of document.areas.entries()) {
    const areaRow = await db.one<{ id: number }>(
      'INSERT INTO ranking_areas (methodology_id, position, code, name_uk, name_en, name_bg, max_points) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [id, a, area.code, area.name.uk, area.name.en, area.name.bg, area.max_points],
    );
    for (const [i, indicator] of area.indicators.entries()) {
      const indicatorRow = await db.one<{ id: number }>(
        `INSERT INTO ranking_indicators (methodology_id, area_id, position, code, question_uk, question_en, question_bg, guidance_uk, guidance_en, guidance_bg,
           points, type, evidence, not_applicable_allowed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
        [
          id,
          areaRow!.id,
          i,
          indicator.code,
          indicator.question.uk,
          indicator.question.en,
          indicator.question.bg,
          indicator.guidance.uk,
          indicator.guidance.en,
          indicator.guidance.bg,
          indicator.points,
          indicator.type,
          indicator.evidence,
          indicator.not_applicable_allowed,
        ],
      );
      await db.query(
        `INSERT INTO ranking_levels (indicator_id, position, value, description_uk, description_en, description_bg)
         SELECT $1, position - 1, value, uk, en, bg FROM unnest($2::numeric[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS l(value, uk, en, bg, position)`,
        [
          indicatorRow!.id,
          indicator.levels.map((l) => l.value),
          indicator.levels.map((l) => l.description.uk),
          indicator.levels.map((l) => l.description.en),
          indicator.levels.map((l) => l.description.bg),
        ],
      );
    }
  }
}

/**
 * Changes a draft version: `edit` changes its document, which is checked as a whole (so a
 * change can never leave the version inconsistent) and written back in place of the old content.
 * Published versions are refused here and, should anything slip through, by the database.
 */
export async function editMethodology(
  db: Queryable,
  actor: Actor,
  id: number,
  edit: (document: MethodologyDocument) => void,
): Promise<void> {
  const state = await db.one<{ published_at: Date | null }>(
    'SELECT published_at FROM ranking_methodologies WHERE id = $1',
    [id],
  );
  if (!state) throw new NotFoundError('no such methodology');
  if (state.published_at)
    throw new ValidationError([{ field: 'published_at', message: 'ranking.error.already_published' }], 409);
  const before = await exportMethodology(db, id);
  const document = structuredClone(before);
  edit(document);
  const checked = parseMethodology(document);
  await db.query('DELETE FROM ranking_areas WHERE methodology_id = $1', [id]);
  await writeContent(db, id, checked);
  await recordAudit(db, actor, 'ranking.methodology_edit', 'ranking_methodology', id, null, {
    version: checked.version,
  });
}

/** A new draft version with the content of an existing one, to edit for the next year. */
export async function copyMethodology(db: Queryable, actor: Actor, id: number, version: string): Promise<number> {
  const document = await exportMethodology(db, id);
  return importMethodology(db, actor, parseMethodology({ ...document, version, year: document.year + 1 }));
}

/** The stored methodology as the same JSON document that imports it. */
export async function exportMethodology(db: Queryable, id: number): Promise<MethodologyDocument> {
  const m = await db.one<{ year: number; version: string; title_uk: string; title_en: string; title_bg: string }>(
    'SELECT year, version, title_uk, title_en, title_bg FROM ranking_methodologies WHERE id = $1',
    [id],
  );
  if (!m) throw new NotFoundError('no such methodology');
  const areas = await db.query<{
    id: number;
    code: string;
    name_uk: string;
    name_en: string;
    name_bg: string;
    max_points: number;
  }>(
    'SELECT id, code, name_uk, name_en, name_bg, max_points::float8 AS max_points FROM ranking_areas WHERE methodology_id = $1 ORDER BY position',
    [id],
  );
  const indicators = await db.query<{
    id: number;
    area_id: number;
    code: string;
    question_uk: string;
    question_en: string;
    question_bg: string;
    guidance_uk: string;
    guidance_en: string;
    guidance_bg: string;
    points: number;
    type: IndicatorType;
    evidence: string[];
    not_applicable_allowed: boolean;
  }>(
    `SELECT id, area_id, code, question_uk, question_en, question_bg, guidance_uk, guidance_en, guidance_bg, points::float8 AS points, type, evidence,
       not_applicable_allowed FROM ranking_indicators WHERE methodology_id = $1 ORDER BY position`,
    [id],
  );
  const levels = await db.query<{
    indicator_id: number;
    value: number;
    description_uk: string;
    description_en: string;
    description_bg: string;
  }>(
    `SELECT l.indicator_id, l.value::float8 AS value, l.description_uk, l.description_en, l.description_bg FROM ranking_levels l
     JOIN ranking_indicators i ON i.id = l.indicator_id WHERE i.methodology_id = $1 ORDER BY l.indicator_id, l.position`,
    [id],
  );
  return {
    year: m.year,
    version: m.version,
    title: { uk: m.title_uk, en: m.title_en, bg: m.title_bg },
    areas: areas.map((a) => ({
      code: a.code,
      name: { uk: a.name_uk, en: a.name_en, bg: a.name_bg },
      max_points: a.max_points,
      indicators: indicators
        .filter((i) => i.area_id === a.id)
        .map((i) => ({
          code: i.code,
          question: { uk: i.question_uk, en: i.question_en, bg: i.question_bg },
          guidance: { uk: i.guidance_uk, en: i.guidance_en, bg: i.guidance_bg },
          points: i.points,
          type: i.type,
          evidence: i.evidence as MethodologyDocument['areas'][number]['indicators'][number]['evidence'],
          not_applicable_allowed: i.not_applicable_allowed,
          levels: levels
            .filter((l) => l.indicator_id === i.id)
            .map((l) => ({
              value: l.value,
              description: { uk: l.description_uk, en: l.description_en, bg: l.description_bg },
            })),
        })),
    })),
  };
}

/** Publishing freezes the version: from then on its areas, indicators and levels cannot change. */
export async function publishMethodology(db: Queryable, actor: Actor, id: number, now: Date): Promise<void> {
  const updated = await db.query(
    'UPDATE ranking_methodologies SET published_at = $2 WHERE id = $1 AND published_at IS NULL RETURNING id',
    [id, now],
  );
  if (!updated.length)
    throw new ValidationError([{ field: 'published_at', message: 'ranking.error.already_published' }], 409);
  await recordAudit(db, actor, 'ranking.methodology_publish', 'ranking_methodology', id, null, {
    published_at: now.toISOString(),
  });
}
