// The audit log: one append-only row per change, with the values before and after.
import type { Queryable } from './db/index.ts';

export interface Actor {
  userId: number | null;
  /** Shown in the log even after the user is gone: an e-mail, or "cli", "system". */
  label: string;
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system' };

export async function recordAudit(
  db: Queryable,
  actor: Actor,
  action: string,
  entityType: string,
  entityId: string | number | null,
  before: unknown,
  after: unknown,
): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (actor_user_id, actor_label, action, entity_type, entity_id, before, after, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      actor.userId,
      actor.label,
      action,
      entityType,
      entityId === null ? null : String(entityId),
      before === undefined || before === null ? null : JSON.stringify(before),
      after === undefined || after === null ? null : JSON.stringify(after),
      actor.ip ?? null,
    ],
  );
}

export interface AuditEvent {
  id: number;
  at: Date;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export async function listAudit(
  db: Queryable,
  filter: { entityType?: string; entityId?: string; limit: number; offset: number },
): Promise<{ items: AuditEvent[]; total: number }> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.entityType) conditions.push(`entity_type = $${params.push(filter.entityType)}`);
  if (filter.entityId) conditions.push(`entity_id = $${params.push(filter.entityId)}`);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const items = await db.query<AuditEvent>(
    `SELECT id, at, actor_label, action, entity_type, entity_id, before, after, ip FROM audit_events ${where}
     ORDER BY id DESC LIMIT ${filter.limit | 0} OFFSET ${filter.offset | 0}`,
    params,
  );
  const count = await db.one<{ total: number }>(`SELECT count(*)::int AS total FROM audit_events ${where}`, params);
  return { items, total: count?.total ?? 0 };
}
