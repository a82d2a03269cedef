// The budget classifications of Ukraine as versioned reference lists, with names in Ukrainian
// (as the Ministry of Finance publishes them) and English and Bulgarian (ours). Each list is one
// JSON file under ./classifications/ naming its source (order number and date); a kind may have
// several files, and the one in force for a year is the latest whose validFrom is not after that
// year's 1 January. Parents are never stored: they follow from each classification's own code
// structure (parentOf), so a code missing from a list still has its place in the hierarchy.
import fs from 'node:fs';
import path from 'node:path';

export const CLASSIFICATIONS = ['income', 'program', 'functional', 'economic', 'financing', 'credit'] as const;
export type ClassificationKind = (typeof CLASSIFICATIONS)[number];

export interface ClassificationEntry {
  code: string;
  parent: string | null;
  name: { uk: string; en: string; bg: string };
}

export interface ClassificationList {
  kind: ClassificationKind;
  id: string;
  /** Who published it: the order's number and date, and where the text was read. */
  source: string;
  sourceUrl: string | null;
  /** YYYY-MM-DD, the first day the list applies to. */
  validFrom: string;
  /** 'complete', or 'partial' with `coverage` saying which part is shipped. */
  completeness: 'complete' | 'partial';
  coverage: string;
  entries: Map<string, ClassificationEntry>;
}

/** The shape of one file in ./classifications/: entries as [code, uk, en, bg]. */
interface ListFile {
  kind: string;
  id: string;
  source: string;
  sourceUrl?: string | null;
  validFrom: string;
  completeness: 'complete' | 'partial';
  coverage: string;
  entries: [string, string, string, string][];
}

const CODE_SHAPE: Record<ClassificationKind, RegExp> = {
  income: /^\d{8}$/,
  // A typical programme code (ТПКВКМБ, 4 digits) or a local programme code (КПКВКМБ, 7 digits).
  program: /^(\d{4}|\d{7})$/,
  functional: /^\d{4}$/,
  economic: /^\d{4}$/,
  financing: /^\d{6}$/,
  credit: /^\d{4}$/,
};

/** True when the code has the shape the classification uses (digits and length). */
export function isWellFormedCode(kind: ClassificationKind, code: string): boolean {
  return CODE_SHAPE[kind].test(code);
}

/** Replaces the last non-zero one of the given digit groups ([start, end) positions) by zeros. */
function clearLastGroup(code: string, groups: [number, number][]): string | null {
  for (let g = groups.length - 1; g >= 0; g--) {
    const [start, end] = groups[g]!;
    if (/[1-9]/.test(code.slice(start, end))) {
      return code.slice(0, start) + '0'.repeat(end - start) + code.slice(end);
    }
  }
  return null;
}

/**
 * The code's parent by the classification's own rule, also for codes not in the list; null at
 * the top (and for a code of the wrong shape).
 * - income (ККД, 8 digits): class 1 digit, group 2, subgroup 4, item 6, sub-item 8 —
 *   11010101 → 11010100 → 11010000 → 11000000 → 10000000 → null.
 * - economic (КЕКВ) and credit (КЕККБ), 4 digits: each digit is a level —
 *   2111 → 2110 → 2100 → 2000 → null; 4112 → 4110 → 4100 → 4000 → null.
 * - functional (КФКВК) and the typical programme code (ТПКВКМБ), 4 digits: section = first two
 *   digits, then the third, then the fourth — 0111 → 0110 → 0100 → null; 1021 → 1020 → 1000.
 * - program, 7 digits (КПКВКМБ): 2 digits of the budget's main spending unit, 1 digit of its
 *   level, then the ТПКВКМБ. A programme's parent is its ТПКВКМБ (0611021 → 1021), which is the
 *   same for every city and so joins programmes across cities; the spending-unit rows the files
 *   carry (0610000, 0600000) form their own chain: 0610000 → 0600000 → null.
 * - financing (6 digits): section first digit, then digits 2–3, 4, 5–6 —
 *   208100 → 208000 → 200000 → null.
 */
export function parentOf(kind: ClassificationKind, code: string): string | null {
  if (!isWellFormedCode(kind, code)) return null;
  switch (kind) {
    case 'income':
      return clearLastGroup(code, [
        [1, 2],
        [2, 4],
        [4, 6],
        [6, 8],
      ]);
    case 'economic':
    case 'credit':
      return clearLastGroup(code, [
        [1, 2],
        [2, 3],
        [3, 4],
      ]);
    case 'functional':
      return clearLastGroup(code, [
        [2, 3],
        [3, 4],
      ]);
    case 'program': {
      if (code.length === 4)
        return clearLastGroup(code, [
          [2, 3],
          [3, 4],
        ]);
      const typical = code.slice(3);
      if (typical !== '0000') return typical;
      return clearLastGroup(code, [[2, 3]]);
    }
    case 'financing':
      return clearLastGroup(code, [
        [1, 3],
        [3, 4],
        [4, 6],
      ]);
  }
}

const LISTS_DIR = path.join(import.meta.dirname, 'classifications');

function loadLists(): Map<ClassificationKind, ClassificationList[]> {
  const byKind = new Map<ClassificationKind, ClassificationList[]>(CLASSIFICATIONS.map((k) => [k, []]));
  for (const file of fs.readdirSync(LISTS_DIR).filter((f) => f.endsWith('.json'))) {
    const raw = JSON.parse(fs.readFileSync(path.join(LISTS_DIR, file), 'utf8')) as ListFile;
    const kind = raw.kind as ClassificationKind;
    if (!CLASSIFICATIONS.includes(kind)) throw new Error(`${file}: unknown classification kind ${raw.kind}`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw.validFrom)) throw new Error(`${file}: validFrom must be YYYY-MM-DD`);
    const entries = new Map<string, ClassificationEntry>();
    for (const [code, uk, en, bg] of raw.entries) {
      if (!isWellFormedCode(kind, code)) throw new Error(`${file}: code ${code} is not a ${kind} code`);
      if (entries.has(code)) throw new Error(`${file}: code ${code} twice`);
      entries.set(code, { code, parent: parentOf(kind, code), name: { uk, en, bg } });
    }
    byKind.get(kind)!.push({
      kind,
      id: raw.id,
      source: raw.source,
      sourceUrl: raw.sourceUrl ?? null,
      validFrom: raw.validFrom,
      completeness: raw.completeness,
      coverage: raw.coverage,
      entries,
    });
  }
  for (const [kind, lists] of byKind) {
    if (!lists.length) throw new Error(`no list for the ${kind} classification in ${LISTS_DIR}`);
    lists.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  }
  return byKind;
}

const LISTS = loadLists();

/** Every version of a classification, oldest first. */
export function classificationLists(kind: ClassificationKind): readonly ClassificationList[] {
  return LISTS.get(kind)!;
}

/**
 * The list in force in a year: the latest that applies from that year's 1 January or earlier.
 * For a year before the oldest list we ship, the oldest (budget files of those years use it).
 */
function listFor(kind: ClassificationKind, year: number): ClassificationList {
  const lists = LISTS.get(kind)!;
  const yearStart = `${String(year).padStart(4, '0')}-01-01`;
  let chosen = lists[0]!;
  for (const list of lists) if (list.validFrom <= yearStart) chosen = list;
  return chosen;
}

/** Which list (id, source, valid from) is used for a year. */
export function listVersion(kind: ClassificationKind, year: number): { id: string; source: string; validFrom: string } {
  const { id, source, validFrom } = listFor(kind, year);
  return { id, source, validFrom };
}

/**
 * The entry for the code in the list in force in that year; undefined = unknown code.
 * A 7-digit local programme code (КПКВКМБ) takes the name of its typical programme (ТПКВКМБ),
 * keeping its own code and the ТПКВКМБ as its parent.
 */
export function lookupCode(kind: ClassificationKind, code: string, year: number): ClassificationEntry | undefined {
  const { entries } = listFor(kind, year);
  if (kind === 'program' && /^\d{7}$/.test(code)) {
    const typical = parentOf(kind, code);
    const entry = typical && typical.length === 4 ? entries.get(typical) : undefined;
    return entry ? { code, parent: typical, name: entry.name } : undefined;
  }
  return entries.get(code);
}
