// Procurement: imports as durable jobs, and the figures of the pages and API.
import type { Database, Queryable } from '../../platform/db/index.ts';
import { holdsJob, type JobHandler } from '../../platform/jobs.ts';
import type { FileStore } from '../../platform/files.ts';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../platform/audit.ts';
import { publishProcurementDatasets } from './open-data.ts';
import { queueMail } from '../../platform/mail.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { importOcdsFile, type ImportCounts, type ImportScope } from './import.ts';
import { loadUser } from '../../platform/auth.ts';
import { uploadCities } from './policy.ts';
import { recomputeFlags } from './flags.ts';
import { OcdsInputError } from './ocds-stream.ts';

export const IMPORT_JOB = 'procurement-import';

/** Runs one import: the whole file in one transaction with the flags recomputed and watchers told; a report either way. */
export async function runImport(
  db: Database,
  clock: Clock,
  importId: number,
  file: string,
  options: {
    demo?: boolean;
    holds?: (tx: Queryable) => Promise<boolean>;
    onProgress?: (c: ImportCounts) => Promise<void>;
  } = {},
): Promise<{ counts: ImportCounts; changed: string[] }> {
  const row = await db.one<{ file_name: string; source: string; created_by: number | null }>(
    'SELECT file_name, source, created_by FROM procurement_imports WHERE id = $1',
    [importId],
  );
  if (!row) throw new NotFoundError('no such import');
  // An upload writes what its uploader may, as they are when it runs (a removed editor, nothing).
  const scope: ImportScope =
    row.source === 'upload'
      ? {
          kind: 'upload',
          cityIds: uploadCities(row.created_by === null ? null : await loadUser(db, row.created_by, 'session')),
        }
      : { kind: 'operator' };
  await db.query(`UPDATE procurement_imports SET state = 'running' WHERE id = $1`, [importId]);
  try {
    const result = await db.transaction(async (tx) => {
      const imported = await importOcdsFile(tx, file, row.file_name, {
        importId,
        demo: options.demo,
        scope,
        onProgress: options.onProgress,
      });
      await recomputeFlags(tx, clock.now());
      await notifyWatchers(tx, imported.changed);
      await publishProcurementDatasets(tx, SYSTEM_ACTOR, imported.changed);
      if (options.holds && !(await options.holds(tx))) throw new Error('this import was taken over by another process');
      await tx.query(
        `UPDATE procurement_imports SET state = 'done', finished_at = now(), counts = $2, error = NULL WHERE id = $1`,
        [importId, JSON.stringify(imported.counts)],
      );
      return imported;
    });
    return result;
  } catch (error) {
    const report =
      error instanceof OcdsInputError
        ? { where: error.where, message: error.reason }
        : { where: '', message: (error as Error).message.slice(0, 2000) };
    await db.query(`UPDATE procurement_imports SET state = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [
      importId,
      JSON.stringify(report),
    ]);
    throw error;
  }
}

/** Queues an uploaded file's import. */
export async function createImport(
  db: Queryable,
  actor: Actor,
  source: 'upload' | 'feed' | 'demo' | 'cli',
  file: { key: string | null; name: string },
): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO procurement_imports (source, file_key, file_name, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [source, file.key, file.name, actor.userId],
  );
  await recordAudit(db, actor, 'procurement.import', 'procurement_import', row!.id, null, { file: file.name, source });
  return row!.id;
}

export function importHandler(db: Database, files: FileStore, clock: Clock): JobHandler {
  return async (job, heartbeat) => {
    const importId = Number(job.subject);
    const row = await db.one<{ file_key: string | null }>('SELECT file_key FROM procurement_imports WHERE id = $1', [
      importId,
    ]);
    if (!row?.file_key) throw new Error('the import has no stored file');
    await files.withLocalFile(row.file_key, (file) =>
      runImport(db, clock, importId, file, {
        holds: (tx) => holdsJob(tx, job),
        onProgress: (counts) => heartbeat({ ...counts }),
      }).catch((error) => {
        // A refused file is a finished job with a report, not a crash to retry.
        if (error instanceof OcdsInputError) return;
        throw error;
      }),
    );
  };
}

/** One mail per watcher and changed procedure (watching it, its buyer or one of its suppliers). */
async function notifyWatchers(tx: Queryable, changed: string[]): Promise<void> {
  if (!changed.length) return;
  const rows = await tx.query<{ email: string; ocid: string; title: string; tender_id: string }>(
    `SELECT DISTINCT u.email, p.ocid, p.title, p.tender_id
     FROM procurement_procedures p
     JOIN procurement_watches w ON
       (w.subject_type = 'procedure' AND w.subject_id = p.ocid)
       OR (w.subject_type = 'buyer' AND w.subject_id = p.buyer_edrpou)
       OR (w.subject_type = 'supplier' AND w.subject_id IN (SELECT a.supplier_edrpou FROM procurement_awards a WHERE a.ocid = p.ocid))
     JOIN users u ON u.id = w.user_id
     WHERE p.ocid = ANY($1::text[])`,
    [changed],
  );
  for (const row of rows)
    await queueMail(
      tx,
      row.email,
      `Prozorro ${row.tender_id}: зміни / changes`,
      `${row.title}\n\nЗакупівля, за якою ви стежите, змінилася. / A procurement you follow has changed.\n/procurement/procedures/${encodeURIComponent(row.ocid)}\n`,
    );
}

// ---- Figures for the pages ----

export interface CityYearFilter {
  cityId: number;
  year: number;
  q?: string;
  methodType?: string;
  flagged?: boolean;
}

export function filterSql(filter: CityYearFilter, params: unknown[]): string {
  const where = [`p.city_id = $${params.push(filter.cityId)}`, `p.year = $${params.push(filter.year)}`];
  if (filter.q) where.push(`strpos(p.search_text, $${params.push(filter.q.toLowerCase())}) > 0`);
  if (filter.methodType) where.push(`p.method_type = $${params.push(filter.methodType)}`);
  if (filter.flagged) where.push('EXISTS (SELECT 1 FROM procurement_flags f WHERE f.ocid = p.ocid)');
  return where.join(' AND ');
}

/** A city's procurement figures for a year. */
export async function cityFigures(db: Queryable, filter: CityYearFilter) {
  const params: unknown[] = [];
  const where = filterSql(filter, params);
  const [totals, byMethod, byDivision, suppliers] = await Promise.all([
    db.one<{
      procedures: number;
      spend: number;
      competitive_share: number | null;
      avg_bidders: number | null;
      flagged_spend: number;
    }>(
      `SELECT count(*)::int AS procedures, coalesce(sum(p.spend), 0)::float8 AS spend,
         (count(*) FILTER (WHERE p.method IN ('open', 'selective'))::float8 / nullif(count(*), 0)) AS competitive_share,
         avg(p.bidders) FILTER (WHERE p.method IN ('open', 'selective'))::float8 AS avg_bidders,
         coalesce(sum(p.spend) FILTER (WHERE EXISTS (SELECT 1 FROM procurement_flags f WHERE f.ocid = p.ocid)), 0)::float8 AS flagged_spend
       FROM procurement_procedures p WHERE ${where}`,
      params,
    ),
    db.query<{ method_type: string; procedures: number; spend: number }>(
      `SELECT coalesce(p.method_type, '') AS method_type, count(*)::int AS procedures, coalesce(sum(p.spend), 0)::float8 AS spend
       FROM procurement_procedures p WHERE ${where} GROUP BY 1 ORDER BY 3 DESC`,
      params,
    ),
    db.query<{ division: string; example: string; procedures: number; spend: number }>(
      // A procedure's spend goes to the division of its first item (ДК 021 division: first two
      // digits), named by the first of its item descriptions in alphabetical order (the data's own words).
      `SELECT coalesce(d.division, '') AS division, coalesce(min(d.description), '') AS example, count(*)::int AS procedures, coalesce(sum(p.spend), 0)::float8 AS spend
       FROM procurement_procedures p
       LEFT JOIN LATERAL (SELECT left(i.cpv, 2) AS division, i.description FROM procurement_items i WHERE i.ocid = p.ocid AND i.cpv IS NOT NULL ORDER BY i.item_id LIMIT 1) d ON true
       WHERE ${where} GROUP BY 1 ORDER BY 3 DESC LIMIT 15`,
      params,
    ),
    db.query<{ edrpou: string; name: string; amount: number; contracts: number }>(
      `SELECT c.supplier_edrpou AS edrpou, min(c.supplier_name) AS name, sum(c.amount)::float8 AS amount, count(*)::int AS contracts
       FROM procurement_contracts c JOIN procurement_procedures p ON p.ocid = c.ocid
       WHERE ${where} AND c.status IN ('active', 'terminated') AND c.supplier_edrpou IS NOT NULL AND c.amount IS NOT NULL
       GROUP BY c.supplier_edrpou ORDER BY 3 DESC`,
      params,
    ),
  ]);
  const supplierTotal = suppliers.reduce((s, x) => s + x.amount, 0);
  // Herfindahl–Hirschman index of suppliers' shares of contracted money, in points (0–10 000).
  const hhi = supplierTotal > 0 ? suppliers.reduce((s, x) => s + ((100 * x.amount) / supplierTotal) ** 2, 0) : null;
  return {
    totals: totals!,
    byMethod,
    byDivision,
    topSuppliers: suppliers.slice(0, 10).map((s) => ({ ...s, share: supplierTotal ? s.amount / supplierTotal : 0 })),
    hhi,
  };
}

export async function listProcedures(db: Queryable, filter: CityYearFilter, limit: number, offset: number) {
  const params: unknown[] = [];
  const where = filterSql(filter, params);
  const items = await db.query<ProcedureSummary>(
    `SELECT p.ocid, p.tender_id, p.title, p.buyer_name, p.buyer_edrpou, p.method_type, p.status, p.spend::float8 AS spend,
       p.value_amount::float8 AS value_amount, p.currency, p.started_at, p.bidders, p.demo,
       (SELECT count(*)::int FROM procurement_flags f WHERE f.ocid = p.ocid) AS flags
     FROM procurement_procedures p WHERE ${where}
     ORDER BY p.spend DESC, p.ocid LIMIT ${limit | 0} OFFSET ${offset | 0}`,
    params,
  );
  const total = await db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM procurement_procedures p WHERE ${where}`,
    params,
  );
  return { items, total: total!.n };
}

export interface ProcedureSummary {
  ocid: string;
  tender_id: string;
  title: string;
  buyer_name: string;
  buyer_edrpou: string | null;
  method_type: string | null;
  status: string | null;
  spend: number;
  value_amount: number | null;
  currency: string | null;
  started_at: Date | null;
  bidders: number;
  demo: boolean;
  flags: number;
}

export async function cityYears(db: Queryable, cityId: number): Promise<number[]> {
  return (
    await db.query<{ year: number }>(
      'SELECT DISTINCT year FROM procurement_procedures WHERE city_id = $1 AND year IS NOT NULL ORDER BY year DESC',
      [cityId],
    )
  ).map((r) => r.year);
}

export async function getProcedure(db: Queryable, ocid: string) {
  const procedure = await db.one<
    Record<string, unknown> & { ocid: string; compiled: Record<string, unknown>; city_id: number | null }
  >('SELECT * FROM procurement_procedures WHERE ocid = $1', [ocid]);
  if (!procedure) throw new NotFoundError('no such procedure');
  const [lots, items, bids, awards, contracts, changes, complaints, flags] = await Promise.all(
    [
      'SELECT * FROM procurement_lots WHERE ocid = $1 ORDER BY lot_id',
      'SELECT * FROM procurement_items WHERE ocid = $1 ORDER BY item_id',
      'SELECT * FROM procurement_bids WHERE ocid = $1 ORDER BY amount NULLS LAST, bid_id',
      'SELECT * FROM procurement_awards WHERE ocid = $1 ORDER BY date NULLS LAST, award_id',
      'SELECT * FROM procurement_contracts WHERE ocid = $1 ORDER BY contract_id',
      'SELECT * FROM procurement_contract_changes WHERE ocid = $1 ORDER BY date NULLS LAST, change_id',
      'SELECT * FROM procurement_complaints WHERE ocid = $1 ORDER BY date_submitted NULLS LAST, complaint_id',
      'SELECT indicator, subject_type, subject_id, value::float8 AS value, evidence FROM procurement_flags WHERE ocid = $1 ORDER BY indicator, subject_id',
    ].map((sql) => db.query<Record<string, unknown>>(sql, [ocid])),
  );
  return {
    procedure,
    lots: lots!,
    items: items!,
    bids: bids!,
    awards: awards!,
    contracts: contracts!,
    changes: changes!,
    complaints: complaints!,
    flags: flags!,
  };
}

/** A supplier across every city, or a buyer: who they are, their procedures and their flags. */
export async function partyProfile(db: Queryable, role: 'supplier' | 'buyer', edrpou: string) {
  const party = await db.one<{ edrpou: string; name: string }>(
    'SELECT edrpou, name FROM procurement_parties WHERE edrpou = $1',
    [edrpou],
  );
  if (!party) throw new NotFoundError('no such party');
  const procedures =
    role === 'buyer'
      ? await db.query<ProcedureSummary & { city_slug: string | null; city_name: string | null; amount: number }>(
          `SELECT p.ocid, p.tender_id, p.title, p.buyer_name, p.method_type, p.status, p.spend::float8 AS amount, p.started_at, p.bidders,
             c.slug AS city_slug, c.name_uk AS city_name,
             (SELECT count(*)::int FROM procurement_flags f WHERE f.ocid = p.ocid) AS flags
           FROM procurement_procedures p LEFT JOIN cities c ON c.id = p.city_id
           WHERE p.buyer_edrpou = $1 ORDER BY p.started_at DESC NULLS LAST LIMIT 200`,
          [edrpou],
        )
      : await db.query<ProcedureSummary & { city_slug: string | null; city_name: string | null; amount: number }>(
          `SELECT p.ocid, p.tender_id, p.title, p.buyer_name, p.method_type, p.status, coalesce(sum(a.amount), 0)::float8 AS amount, p.started_at, p.bidders,
             c.slug AS city_slug, c.name_uk AS city_name,
             (SELECT count(*)::int FROM procurement_flags f WHERE f.ocid = p.ocid) AS flags
           FROM procurement_awards a JOIN procurement_procedures p ON p.ocid = a.ocid LEFT JOIN cities c ON c.id = p.city_id
           WHERE a.supplier_edrpou = $1 AND a.status = 'active'
           GROUP BY p.ocid, c.slug, c.name_uk ORDER BY p.started_at DESC NULLS LAST LIMIT 200`,
          [edrpou],
        );
  const flags = await db.query<{ indicator: string; value: number; evidence: Record<string, unknown> }>(
    `SELECT indicator, value::float8 AS value, evidence FROM procurement_flags WHERE subject_type = $1 AND subject_id = $2 ORDER BY indicator`,
    [role, edrpou],
  );
  return { party, procedures, flags, total: procedures.reduce((s, p) => s + p.amount, 0) };
}

export async function setWatch(
  db: Queryable,
  userId: number,
  type: 'procedure' | 'buyer' | 'supplier',
  id: string,
  on: boolean,
) {
  if (on)
    await db.query(
      'INSERT INTO procurement_watches (user_id, subject_type, subject_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [userId, type, id],
    );
  else
    await db.query('DELETE FROM procurement_watches WHERE user_id = $1 AND subject_type = $2 AND subject_id = $3', [
      userId,
      type,
      id,
    ]);
}

export async function isWatching(
  db: Queryable,
  userId: number | undefined,
  type: string,
  id: string,
): Promise<boolean> {
  if (!userId) return false;
  return Boolean(
    await db.one('SELECT 1 FROM procurement_watches WHERE user_id = $1 AND subject_type = $2 AND subject_id = $3', [
      userId,
      type,
      id,
    ]),
  );
}

/** Whether a procedure has been imported (other modules link to its page only then). */
export async function procedureImported(db: Queryable, ocid: string): Promise<boolean> {
  return !!(await db.one('SELECT 1 FROM procurement_procedures WHERE ocid = $1', [ocid]));
}
