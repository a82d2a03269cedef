// Imports an OCDS file into the procurement tables, whole or not at all (one transaction), in
// batches, so that memory stays bounded whatever the file's size. Upsert by ocid: a compiled
// release replaces the stored one only when its date is later; an equal or older one changes
// nothing, so importing the same file twice leaves everything as it was. Individual releases are
// kept and merged (merge.ts) with every release already stored for their ocid.
import type { Queryable } from '../../platform/db/index.ts';
import { compileReleases } from './merge.ts';
import { normalize, checkRelease, type ProcedureRows } from './normalize.ts';
import { OcdsInputError, readOcdsFile, type OcdsElement } from './ocds-stream.ts';

type Obj = Record<string, unknown>;

export interface ImportCounts {
  releases: number;
  records: number;
  created: number;
  updated: number;
  unchanged: number;
}

const BATCH = 250;

/**
 * What an import may write. The Prozorro feed, the command line and the demo (`operator`) write
 * anything. An upload never renames a known party; a city editor's upload (`cityIds` listed; an
 * admin's is null) must be about buyers of the cities they edit and may not replace a procedure of
 * another city or one read from the Prozorro feed.
 */
export type ImportScope = { kind: 'operator' } | { kind: 'upload'; cityIds: number[] | null };

/** A compiled release waiting in a batch, with its place in the file for error reports. */
type Pending = { compiled: Obj; where: string };

/** Refuses the file when a release's buyer is not one of the cities the uploader edits. */
async function checkUploadBuyers(db: Queryable, batch: Pending[], cityIds: number[]): Promise<void> {
  const buyers = batch.map((b, i) => ({ i, buyer_edrpou: normalize(b.compiled).procedure.buyer_edrpou }));
  const rows = await db.query<{ i: number; city_id: number | null }>(
    `SELECT x.i, ${CITY_OF_BUYER} AS city_id FROM jsonb_to_recordset($1::jsonb) AS x(i integer, buyer_edrpou text)`,
    [JSON.stringify(buyers)],
  );
  for (const row of rows) {
    if (row.city_id !== null && cityIds.includes(row.city_id)) continue;
    const { where } = batch[row.i]!;
    const buyer = buyers[row.i]!.buyer_edrpou;
    throw new OcdsInputError(
      `${where}/buyer`,
      `the buyer ${buyer ? `ЄДРПОУ ${buyer}` : '(no ЄДРПОУ)'} is not a council or institution of a city you edit; nothing was imported`,
    );
  }
}

/** Refuses a city editor's upload that would change a procedure of another city or one from the Prozorro feed. */
function assertUploadMayReplace(
  stored: { city_id: number | null; source: string | null } | undefined,
  cityIds: number[],
  ocid: string,
  where: string,
): void {
  if (!stored) return;
  if (stored.source === 'feed')
    throw new OcdsInputError(
      where,
      `${ocid} was read from the Prozorro feed; only the feed or an admin may change it; nothing was imported`,
    );
  if (stored.city_id === null || !cityIds.includes(stored.city_id))
    throw new OcdsInputError(where, `${ocid} belongs to another city; nothing was imported`);
}

/** The stored procedures of these ocids: release date, city and where they came from. */
const storedProcedures = async (db: Queryable, ocids: string[]) =>
  new Map(
    (
      await db.query<{ ocid: string; release_date: Date; city_id: number | null; source: string | null }>(
        `SELECT p.ocid, p.release_date, p.city_id, i.source
         FROM procurement_procedures p LEFT JOIN procurement_imports i ON i.id = p.import_id
         WHERE p.ocid = ANY($1::text[])`,
        [ocids],
      )
    ).map((row) => [row.ocid, row]),
  );

/** Rows keeping one per key (the last): a file may repeat an id. */
function unique<T>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}

/** One value as a CSV field for COPY: no value is NULL, text is always quoted (so '' stays ''), a list a PostgreSQL array. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = Array.isArray(value)
    ? `{${value.map((v) => `"${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`
    : value instanceof Date
      ? value.toISOString()
      : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

/** Writes rows with COPY, in chunks of about a megabyte. */
async function copyRows(db: Queryable, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  async function* chunks() {
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.map(copyField).join(',')}\n`;
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await db.copyCsv(table, columns, chunks());
}

const TABLES = {
  procurement_lots: {
    columns: 'ocid text, lot_id text, title text, status text, value_amount numeric',
    rows: (r: ProcedureRows) => unique(r.lots, (x) => x.lot_id),
  },
  procurement_items: {
    columns: 'ocid text, item_id text, lot_id text, description text, cpv text, quantity numeric, unit text',
    rows: (r: ProcedureRows) => unique(r.items, (x) => x.item_id),
  },
  procurement_bids: {
    columns:
      'ocid text, bid_id text, tenderer_edrpou text, tenderer_name text, tenderers integer, status text, amount numeric, date timestamptz, lot_id text',
    rows: (r: ProcedureRows) => unique(r.bids, (x) => x.bid_id),
  },
  procurement_awards: {
    columns:
      'ocid text, award_id text, lot_id text, bid_id text, status text, supplier_edrpou text, supplier_name text, suppliers integer, amount numeric, date timestamptz',
    rows: (r: ProcedureRows) => unique(r.awards, (x) => x.award_id),
  },
  procurement_contracts: {
    columns:
      'ocid text, contract_id text, award_id text, status text, supplier_edrpou text, supplier_name text, amount numeric, date_signed timestamptz, period_start timestamptz, period_end timestamptz',
    rows: (r: ProcedureRows) => unique(r.contracts, (x) => x.contract_id),
  },
  procurement_contract_changes: {
    columns:
      'ocid text, contract_id text, change_id text, status text, rationale text, rationale_types text[], date timestamptz',
    rows: (r: ProcedureRows) => unique(r.changes, (x) => `${x.contract_id}\u0000${x.change_id}`),
  },
  procurement_complaints: {
    columns:
      'ocid text, complaint_id text, scope text, related_id text, type text, status text, title text, date_submitted timestamptz, date_decision timestamptz',
    rows: (r: ProcedureRows) => unique(r.complaints, (x) => x.complaint_id),
  },
} as const;

const PROCEDURE_COLUMNS =
  'ocid text, tender_id text, title text, buyer_edrpou text, buyer_name text, buyer_kind text, method text, method_type text, main_category text, status text, value_amount numeric, currency text, tender_start timestamptz, tender_end timestamptz, started_at timestamptz, year integer, release_date timestamptz, bidders integer, spend numeric, search_text text';
const PROCEDURE_NAMES = PROCEDURE_COLUMNS.split(', ').map((c) => c.split(' ')[0]!);

/** The city whose council or budget institution has this ЄДРПОУ (organisations first, then the city's own code). */
export const CITY_OF_BUYER = `coalesce(
  (SELECT coalesce(o.city_id, parent.city_id) FROM organizations o LEFT JOIN organizations parent ON parent.id = o.parent_id
   WHERE o.edrpou = x.buyer_edrpou AND coalesce(o.city_id, parent.city_id) IS NOT NULL ORDER BY o.id LIMIT 1),
  (SELECT c.id FROM cities c WHERE c.edrpou = x.buyer_edrpou ORDER BY c.id LIMIT 1))`;

/** Writes compiled releases (already checked) whose date is later than what is stored. Returns what changed. */
async function storeCompiled(
  db: Queryable,
  batch: Pending[],
  importId: number | null,
  demo: boolean,
  scope: ImportScope,
  counts: ImportCounts,
  changed: string[],
): Promise<void> {
  const editorCities = scope.kind === 'upload' ? scope.cityIds : null;
  if (editorCities) await checkUploadBuyers(db, batch, editorCities);
  // Within one batch the latest release of an ocid wins.
  const latest = new Map<string, Pending>();
  for (const pending of batch) {
    const ocid = String(pending.compiled.ocid);
    const before = latest.get(ocid);
    if (!before || Date.parse(String(pending.compiled.date)) > Date.parse(String(before.compiled.date)))
      latest.set(ocid, pending);
  }
  const stored = await storedProcedures(db, [...latest.keys()]);
  const fresh: { rows: ProcedureRows; compiled: Obj }[] = [];
  for (const [ocid, { compiled, where }] of latest) {
    const before = stored.get(ocid)?.release_date.getTime();
    if (before !== undefined && before >= Date.parse(String(compiled.date))) {
      counts.unchanged++;
      continue;
    }
    if (editorCities) assertUploadMayReplace(stored.get(ocid), editorCities, ocid, where);
    if (before === undefined) counts.created++;
    else counts.updated++;
    fresh.push({ rows: normalize(compiled), compiled });
    changed.push(ocid);
  }
  counts.unchanged += batch.length - latest.size;
  if (!fresh.length) return;
  const freshOcids = fresh.map((f) => f.rows.procedure.ocid);
  // A newer version replaces the procedure and all its parts.
  await db.query('DELETE FROM procurement_procedures WHERE ocid = ANY($1::text[])', [freshOcids]);
  const buyers = [...new Set(fresh.map((f) => f.rows.procedure.buyer_edrpou).filter((e): e is string => !!e))];
  const cityOfBuyer = new Map(
    (
      await db.query<{ buyer_edrpou: string; city_id: number | null }>(
        `SELECT x.buyer_edrpou, ${CITY_OF_BUYER} AS city_id FROM unnest($1::text[]) AS x(buyer_edrpou)`,
        [buyers],
      )
    ).map((row) => [row.buyer_edrpou, row.city_id]),
  );
  // COPY rather than INSERT … jsonb_to_recordset: the rows go once as CSV instead of as JSON the
  // server parses again (a third of the import's time went there).
  await copyRows(
    db,
    'procurement_procedures',
    [...PROCEDURE_NAMES, 'city_id', 'compiled', 'demo', 'import_id'],
    fresh.map((f) => {
      const procedure = f.rows.procedure as unknown as Obj;
      return [
        ...PROCEDURE_NAMES.map((name) => procedure[name]),
        cityOfBuyer.get(String(procedure.buyer_edrpou)) ?? null,
        JSON.stringify(f.compiled),
        demo,
        importId,
      ];
    }),
  );
  for (const [table, spec] of Object.entries(TABLES)) {
    const rows = fresh.flatMap((f) => spec.rows(f.rows) as object[]) as Obj[];
    if (!rows.length) continue;
    const names = spec.columns.split(', ').map((c) => c.split(' ')[0]!);
    await copyRows(
      db,
      table,
      names,
      rows.map((row) => names.map((name) => row[name])),
    );
  }
  const parties = unique(
    fresh.flatMap((f) => f.rows.parties),
    (p) => p.edrpou,
  );
  // Only the feed (or the operator) renames a known party: an upload could otherwise rename any company.
  if (parties.length)
    await db.query(
      `INSERT INTO procurement_parties (edrpou, name)
       SELECT edrpou, name FROM jsonb_to_recordset($1::jsonb) AS x(edrpou text, name text)
       ${
         scope.kind === 'operator'
           ? `ON CONFLICT (edrpou) DO UPDATE SET name = excluded.name, updated_at = now()
       WHERE procurement_parties.name <> excluded.name`
           : 'ON CONFLICT (edrpou) DO NOTHING'
       }`,
      [JSON.stringify(parties)],
    );
}

export interface ImportOptions {
  importId: number | null;
  demo?: boolean;
  /** Who may write what; the operator's (anything) when not given. */
  scope?: ImportScope;
  onProgress?: (counts: ImportCounts) => Promise<void>;
}

/** Whether a record's releases are whole releases (not only links to them). */
const isFullRelease = (release: Obj) => typeof release.ocid === 'string' && ('tag' in release || 'tender' in release);

/**
 * Imports every release and record of one file inside the caller's transaction. Throws
 * OcdsInputError naming the place of the first problem (the caller rolls back).
 */
export async function importOcdsElements(
  db: Queryable,
  elements: AsyncIterable<OcdsElement>,
  options: ImportOptions,
): Promise<{ counts: ImportCounts; changed: string[] }> {
  const counts: ImportCounts = { releases: 0, records: 0, created: 0, updated: 0, unchanged: 0 };
  const changed: string[] = [];
  const scope = options.scope ?? { kind: 'operator' };
  const editorCities = scope.kind === 'upload' ? scope.cityIds : null;
  let batch: Pending[] = [];
  // Ocids that got individual releases: compiled again from all their stored releases at the end
  // (with the place of the first such release, for reports).
  const toCompile = new Map<string, string>();
  const flush = async () => {
    if (!batch.length) return;
    await storeCompiled(db, batch, options.importId, options.demo ?? false, scope, counts, changed);
    batch = [];
    await options.onProgress?.(counts);
  };
  const keepRelease = async (release: Obj, where: string) => {
    checkRelease(release, where);
    if (typeof release.id !== 'string' && typeof release.id !== 'number')
      throw new OcdsInputError(`${where}/id`, 'a release needs its "id"');
    const inserted = await db.query(
      `INSERT INTO procurement_releases (ocid, release_id, date, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ocid, release_id) DO NOTHING RETURNING 1`,
      [release.ocid, String(release.id), release.date, JSON.stringify(release)],
    );
    if (!inserted.length) return;
    const ocid = String(release.ocid);
    // A new release merges into the stored procedure even when older than it: a city editor may not add one to another city's.
    if (editorCities) assertUploadMayReplace((await storedProcedures(db, [ocid])).get(ocid), editorCities, ocid, where);
    if (!toCompile.has(ocid)) toCompile.set(ocid, where);
  };
  for await (const element of elements) {
    const value = element.value;
    if (element.kind === 'release') {
      counts.releases++;
      const tags = Array.isArray(value.tag) ? value.tag : [];
      if (tags.includes('compiled')) {
        checkRelease(value, element.where);
        batch.push({ compiled: value, where: element.where });
      } else await keepRelease(value, element.where);
    } else {
      counts.records++;
      if (typeof value.ocid !== 'string' || value.ocid === '')
        throw new OcdsInputError(`${element.where}/ocid`, 'a record without "ocid"');
      const releases = Array.isArray(value.releases) ? (value.releases as Obj[]) : [];
      for (let i = 0; i < releases.length; i++)
        if (isFullRelease(releases[i]!)) await keepRelease(releases[i]!, `${element.where}/releases/${i}`);
      if (value.compiledRelease && typeof value.compiledRelease === 'object') {
        const compiled = value.compiledRelease as Obj;
        checkRelease(compiled, `${element.where}/compiledRelease`);
        if (compiled.ocid !== value.ocid)
          throw new OcdsInputError(`${element.where}/compiledRelease/ocid`, 'differs from the record\'s "ocid"');
        batch.push({ compiled, where: `${element.where}/compiledRelease` });
        toCompile.delete(value.ocid);
      } else if (!releases.some(isFullRelease)) {
        throw new OcdsInputError(
          `${element.where}`,
          'a record needs a "compiledRelease" or whole releases to merge (linked releases alone cannot be imported)',
        );
      }
    }
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  // Releases merged by OCDS's merge rules with all the releases stored for the same ocid.
  for (const [ocid, where] of toCompile) {
    const releases = await db.query<{ data: Obj }>(
      'SELECT data FROM procurement_releases WHERE ocid = $1 ORDER BY date, release_id',
      [ocid],
    );
    batch.push({ compiled: compileReleases(releases.map((r) => r.data)), where });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return { counts, changed };
}

/** Imports one file (JSON or JSON Lines, by its name and content). */
export async function importOcdsFile(db: Queryable, file: string, name: string, options: ImportOptions) {
  return importOcdsElements(db, readOcdsFile(file, name), options);
}

/** Matches procedures' buyers to cities again (after an organisation's ЄДРПОУ, city or council changed): those of these buyers, or all. */
export async function rematchCities(db: Queryable, buyerEdrpous?: string[]): Promise<void> {
  await db.query(
    `UPDATE procurement_procedures p SET city_id = m.city_id
     FROM (SELECT x.ocid, ${CITY_OF_BUYER} AS city_id FROM procurement_procedures x
           WHERE $1::text[] IS NULL OR x.buyer_edrpou = ANY($1::text[])) m
     WHERE m.ocid = p.ocid AND m.city_id IS DISTINCT FROM p.city_id`,
    [buyerEdrpous ?? null],
  );
}
