// Which city a Treasury budget code belongs to, and when (table city_budget_codes, migration
// 0045), plus the format checks of the other codes a city carries: КАТОТТГ and ЄДРПОУ.
import { type Actor, recordAudit } from '../../platform/audit.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { type FieldProblem, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { CityCodesRights } from './reference-policy.ts';

/** КАТОТТГ: "UA" and 17 digits. */
export function isKatottg(value: string): boolean {
  return /^UA\d{17}$/.test(value);
}

/** A Treasury budget code (COD_BUDGET): 10 or 11 digits. */
export function isBudgetCode(value: string): boolean {
  return /^\d{10,11}$/.test(value);
}

/**
 * An ЄДРПОУ code of a legal entity: 8 digits whose last is the check digit. The digits are
 * weighted 1…7 (or 7,1…6 for codes from 30000000 to 60000000); if the sum mod 11 is 10, the
 * weights are raised by 2 and the sum taken again; a second 10 gives check digit 0.
 */
export function isEdrpou(value: string): boolean {
  if (!/^\d{8}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const number = Number(value);
  const base = number < 30000000 || number > 60000000 ? [1, 2, 3, 4, 5, 6, 7] : [7, 1, 2, 3, 4, 5, 6];
  const sum = (weights: number[]) => weights.reduce((total, w, i) => total + w * digits[i]!, 0) % 11;
  let check = sum(base);
  if (check === 10) {
    check = sum(base.map((w) => w + 2));
    if (check === 10) check = 0;
  }
  return check === digits[7];
}

/** The city whose budget the code names on that date (YYYY-MM-DD), or null. */
export async function cityForBudgetCode(db: Queryable, budgetCode: string, onDate: string): Promise<number | null> {
  const row = await db.one<{ city_id: number }>(
    `SELECT city_id FROM city_budget_codes
      WHERE budget_code = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)`,
    [budgetCode, onDate],
  );
  return row?.city_id ?? null;
}

/** A city's budget codes, the most recent first. */
export async function budgetCodesOf(
  db: Queryable,
  cityId: number,
): Promise<{ budgetCode: string; validFrom: string; validTo: string | null }[]> {
  const rows = await db.query<{ budget_code: string; valid_from: string; valid_to: string | null }>(
    `SELECT budget_code, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
       FROM city_budget_codes WHERE city_id = $1 ORDER BY valid_from DESC, budget_code`,
    [cityId],
  );
  return rows.map((r) => ({ budgetCode: r.budget_code, validFrom: r.valid_from, validTo: r.valid_to }));
}

// ---- Editing a city's codes (the form in reference-routes.ts) ----

/** How many budget-code rows the form offers: the existing ones and a few empty. */
export const MAX_BUDGET_CODE_ROWS = 12;

export interface BudgetCodeValidity {
  budgetCode: string;
  validFrom: string;
  validTo: string | null;
}

export interface CityCodes {
  katottg: string | null;
  /** The city's council organisation, whose ЄДРПОУ this form edits; null if it has none. */
  council: { id: number; slug: string; edrpou: string | null } | null;
  budgetCodes: BudgetCodeValidity[];
}

export interface CityCodesInput {
  katottg: string | null;
  /** undefined when the form had no such field (an editor's form, once the code is set). */
  councilEdrpou: string | null | undefined;
  /** null when the form had no budget-code fields (an editor's form has none). */
  budgetCodes: (BudgetCodeValidity & { row: number })[] | null;
}

async function councilOf(db: Queryable, cityId: number, lock = false): Promise<CityCodes['council']> {
  return (
    (await db.one<{ id: number; slug: string; edrpou: string | null }>(
      `SELECT id, slug, edrpou FROM organizations WHERE city_id = $1 AND kind = 'city_council' ORDER BY id LIMIT 1
       ${lock ? 'FOR UPDATE' : ''}`,
      [cityId],
    )) ?? null
  );
}

/**
 * Refuses (409, naming the holder on `field`) an ЄДРПОУ another organisation already carries:
 * procurement maps buyers to cities by it. The unique index of migration 0047 backs this up.
 */
export async function assertEdrpouFree(
  db: Queryable,
  edrpou: string,
  exceptOrganizationId: number | null,
  field: string,
): Promise<void> {
  const holder = await db.one<{ slug: string; name_uk: string }>(
    'SELECT slug, name_uk FROM organizations WHERE edrpou = $1 AND id IS DISTINCT FROM $2 LIMIT 1',
    [edrpou, exceptOrganizationId],
  );
  if (holder) {
    throw new ValidationError(
      [
        {
          field,
          message: 'budgetRef.codes.error.edrpou_taken',
          params: { organization: `${holder.name_uk} (${holder.slug})` },
        },
      ],
      409,
    );
  }
}

/** A save that lost the race for an ЄДРПОУ to another one: the unique index refused it. */
export function isEdrpouTaken(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return (
    e?.code === '23505' &&
    (e.constraint === 'organizations_edrpou_unique' || /organizations_edrpou_unique/.test(e.message ?? ''))
  );
}

export async function cityCodes(db: Queryable, cityId: number): Promise<CityCodes> {
  const city = await db.one<{ katottg: string | null }>('SELECT katottg FROM cities WHERE id = $1', [cityId]);
  if (!city) throw new NotFoundError('no such city');
  return { katottg: city.katottg, council: await councilOf(db, cityId), budgetCodes: await budgetCodesOf(db, cityId) };
}

/** A real calendar date written YYYY-MM-DD. */
function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Reads the form: katottg, council_edrpou, and rows budget_code_N / valid_from_N / valid_to_N
 * (a row with an empty code is dropped; no such field at all gives null). Every problem names
 * its field.
 */
export function parseCityCodesInput(body: unknown): CityCodesInput {
  const check = new Checker(body);
  const sentBudgetCodes =
    typeof body === 'object' &&
    body !== null &&
    Object.keys(body).some((key) => /^(budget_code|valid_from|valid_to)_\d+$/.test(key));
  const katottg = check.optionalText('katottg', 40)?.toUpperCase() ?? null;
  if (katottg && !isKatottg(katottg)) check.fail('katottg', 'budgetRef.codes.error.katottg');
  const sent = (key: string) => typeof body === 'object' && body !== null && key in body;
  const councilEdrpou = sent('council_edrpou') ? check.optionalText('council_edrpou', 20) : undefined;
  if (councilEdrpou && !isEdrpou(councilEdrpou)) {
    check.fail(
      'council_edrpou',
      /^\d{8}$/.test(councilEdrpou) ? 'budgetRef.codes.error.edrpou_check' : 'budgetRef.codes.error.edrpou',
    );
  }
  const budgetCodes: CityCodesInput['budgetCodes'] = [];
  for (let row = 0; row < MAX_BUDGET_CODE_ROWS; row++) {
    const code = check.text(`budget_code_${row}`, { max: 20 });
    const validFrom = check.text(`valid_from_${row}`, { max: 10 });
    const validTo = check.text(`valid_to_${row}`, { max: 10 });
    if (!code) {
      if (validFrom || validTo) check.fail(`budget_code_${row}`, 'validation.required');
      continue;
    }
    if (!isBudgetCode(code)) check.fail(`budget_code_${row}`, 'budgetRef.codes.error.budget_code');
    if (!validFrom) check.fail(`valid_from_${row}`, 'validation.required');
    else if (!isIsoDate(validFrom)) check.fail(`valid_from_${row}`, 'budgetRef.codes.error.date');
    if (validTo && !isIsoDate(validTo)) check.fail(`valid_to_${row}`, 'budgetRef.codes.error.date');
    else if (validTo && isIsoDate(validFrom) && validTo < validFrom)
      check.fail(`valid_to_${row}`, 'budgetRef.codes.error.to_before_from');
    budgetCodes.push({ row, budgetCode: code, validFrom, validTo: validTo || null });
  }
  // The same code twice in the form with validities that meet.
  for (const [i, a] of budgetCodes.entries()) {
    for (const b of budgetCodes.slice(i + 1)) {
      if (a.budgetCode === b.budgetCode && overlaps(a, b)) {
        check.fail(`budget_code_${b.row}`, 'budgetRef.codes.error.overlap_self', { row: a.row + 1 });
      }
    }
  }
  check.done();
  return { katottg, councilEdrpou, budgetCodes: sentBudgetCodes ? budgetCodes : null };
}

function overlaps(a: BudgetCodeValidity, b: BudgetCodeValidity): boolean {
  const end = (v: BudgetCodeValidity) => v.validTo ?? '9999-12-31';
  return a.validFrom <= end(b) && b.validFrom <= end(a);
}

/**
 * Replaces a city's КАТОТТГ, its council's ЄДРПОУ and (for those with the right) its budget
 * codes, audited. Runs inside the caller's transaction; a code another city holds for an
 * overlapping period is refused naming the row (the table's trigger refuses it too, should two
 * admins save at the same moment). Budget codes sent without the right are refused whole.
 */
export async function saveCityCodes(
  tx: Queryable,
  actor: Actor,
  rights: CityCodesRights,
  cityId: number,
  input: CityCodesInput,
): Promise<void> {
  if (input.budgetCodes && !rights.assignBudgetCodes)
    throw new ForbiddenError('only platform admins assign budget codes');
  const budgetCodes = input.budgetCodes ?? [];
  const city = await tx.one<{ katottg: string | null }>('SELECT katottg FROM cities WHERE id = $1 FOR UPDATE', [
    cityId,
  ]);
  if (!city) throw new NotFoundError('no such city');
  const council = await councilOf(tx, cityId, true);
  // The council's ЄДРПОУ: kept when the form had no such field; set freely while empty; changed
  // or cleared once set only by those with the right.
  const councilEdrpou = input.councilEdrpou === undefined ? (council?.edrpou ?? null) : input.councilEdrpou;
  if (council?.edrpou && councilEdrpou !== council.edrpou && !rights.replaceCouncilEdrpou)
    throw new ForbiddenError('only platform admins change a council’s ЄДРПОУ once it is set');
  const before = {
    katottg: city.katottg,
    council_edrpou: council?.edrpou ?? null,
    budget_codes: await budgetCodesOf(tx, cityId),
  };
  const problems: FieldProblem[] = [];
  if (councilEdrpou && !council)
    problems.push({ field: 'council_edrpou', message: 'budgetRef.codes.error.no_council' });
  if (councilEdrpou && council && councilEdrpou !== council.edrpou) {
    try {
      await assertEdrpouFree(tx, councilEdrpou, council.id, 'council_edrpou');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  for (const row of budgetCodes) {
    const other = await tx.one<{ slug: string; valid_from: string; valid_to: string | null }>(
      `SELECT c.slug, to_char(b.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(b.valid_to, 'YYYY-MM-DD') AS valid_to
         FROM city_budget_codes b JOIN cities c ON c.id = b.city_id
        WHERE b.budget_code = $1 AND b.city_id <> $2
          AND daterange(b.valid_from, b.valid_to, '[]') && daterange($3::date, $4::date, '[]')
        LIMIT 1`,
      [row.budgetCode, cityId, row.validFrom, row.validTo],
    );
    if (other) {
      problems.push({
        field: `budget_code_${row.row}`,
        message: 'budgetRef.codes.error.overlap_other',
        params: { city: other.slug, from: other.valid_from, to: other.valid_to ?? '…' },
      });
    }
  }
  if (problems.length) throw new ValidationError(problems, 409);
  await tx.query('UPDATE cities SET katottg = $2, updated_at = now() WHERE id = $1', [cityId, input.katottg]);
  if (council && councilEdrpou !== council.edrpou) {
    try {
      await tx.query('UPDATE organizations SET edrpou = $2, updated_at = now() WHERE id = $1', [
        council.id,
        councilEdrpou,
      ]);
    } catch (error) {
      if (!isEdrpouTaken(error)) throw error;
      throw new ValidationError([{ field: 'council_edrpou', message: 'budgetRef.codes.error.edrpou_taken_now' }], 409);
    }
  }
  if (input.budgetCodes) {
    await tx.query('DELETE FROM city_budget_codes WHERE city_id = $1', [cityId]);
    for (const row of budgetCodes) {
      await tx.query(
        'INSERT INTO city_budget_codes (city_id, budget_code, valid_from, valid_to) VALUES ($1, $2, $3, $4)',
        [cityId, row.budgetCode, row.validFrom, row.validTo],
      );
    }
  }
  const after = {
    katottg: input.katottg,
    council_edrpou: council ? councilEdrpou : null,
    budget_codes: await budgetCodesOf(tx, cityId),
  };
  await recordAudit(tx, actor, 'city.codes', 'city', cityId, before, after);
}
