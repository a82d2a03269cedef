// Outgoing mail goes through the outbox table first, so nothing is lost when SMTP is down or
// not configured; with SMTP_URL set, a sender delivers it and records the outcome.
import nodemailer from 'nodemailer';
import type { Database, Queryable } from './db/index.ts';

export interface OutboxMessage {
  id: number;
  to_address: string;
  subject: string;
  body_text: string;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}

export async function queueMail(db: Queryable, to: string, subject: string, body: string): Promise<number> {
  const row = await db.one<{ id: number }>(
    'INSERT INTO outbox (to_address, subject, body_text) VALUES ($1, $2, $3) RETURNING id',
    [to, subject, body],
  );
  return row!.id;
}

export async function listOutbox(
  db: Queryable,
  limit: number,
  offset: number,
): Promise<{ items: OutboxMessage[]; total: number }> {
  const items = await db.query<OutboxMessage>('SELECT * FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2', [
    limit,
    offset,
  ]);
  const count = await db.one<{ total: number }>('SELECT count(*)::int AS total FROM outbox');
  return { items, total: count?.total ?? 0 };
}

export async function getOutboxMessage(db: Queryable, id: number): Promise<OutboxMessage | undefined> {
  return db.one<OutboxMessage>('SELECT * FROM outbox WHERE id = $1', [id]);
}

/** Sends unsent messages through SMTP; returns how many went out. Gives up on a message after 5 tries. */
export async function deliverOutbox(db: Database, smtpUrl: string, from: string): Promise<number> {
  const transport = nodemailer.createTransport(smtpUrl);
  const pending = await db.query<OutboxMessage>(
    'SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < 5 ORDER BY id LIMIT 50',
  );
  let sent = 0;
  for (const message of pending) {
    try {
      await transport.sendMail({ from, to: message.to_address, subject: message.subject, text: message.body_text });
      await db.query('UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [
        message.id,
      ]);
      sent++;
    } catch (error) {
      await db.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
        message.id,
        String((error as Error).message).slice(0, 500),
      ]);
    }
  }
  return sent;
}
