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
  attachments: MailAttachment[] | null;
}

/** A small text attachment kept with the message (an event's .ics invitation). */
export interface MailAttachment {
  filename: string;
  content_type: string;
  content: string;
}

export async function queueMail(
  db: Queryable,
  to: string,
  subject: string,
  body: string,
  attachments: MailAttachment[] = [],
): Promise<number> {
  const row = await db.one<{ id: number }>(
    'INSERT INTO outbox (to_address, subject, body_text, attachments) VALUES ($1, $2, $3, $4) RETURNING id',
    [to, subject, body, attachments.length ? JSON.stringify(attachments) : null],
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

/** How long a claimed message is reserved for the server sending it: longer than one send can take. */
const CLAIM_SECONDS = 300;
const MAX_ATTEMPTS = 5;

/**
 * Claims the next message due, for this process alone: `SKIP LOCKED` lets several servers claim
 * side by side, and the lease keeps the message from every other server until it runs out (a
 * server that died while sending).
 */
async function claimMessage(db: Database): Promise<OutboxMessage | undefined> {
  return db.one<OutboxMessage>(
    `UPDATE outbox SET claimed_until = now() + make_interval(secs => $1), attempts = attempts + 1
     WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND attempts < $2 AND next_attempt_at <= now()
                 AND (claimed_until IS NULL OR claimed_until < now())
                 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [CLAIM_SECONDS, MAX_ATTEMPTS],
  );
}

/**
 * Sends due messages through SMTP, each claimed first; returns how many went out. A failure
 * waits 1, 4, 16, 64 minutes before the next attempt; the fifth failure is final.
 */
export async function deliverOutbox(
  db: Database,
  smtpUrl: string,
  from: string,
  options: { limit?: number; stopping?: () => boolean } = {},
): Promise<number> {
  // Short timeouts keep one send well inside the lease.
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
  let sent = 0;
  try {
    for (let i = 0; i < (options.limit ?? 50) && !options.stopping?.(); i++) {
      const message = await claimMessage(db);
      if (!message) break;
      try {
        await transport.sendMail({
          from,
          to: message.to_address,
          subject: message.subject,
          text: message.body_text,
          attachments: (message.attachments ?? []).map((a) => ({
            filename: a.filename,
            contentType: a.content_type,
            content: a.content,
          })),
        });
        await db.query('UPDATE outbox SET sent_at = now(), claimed_until = NULL, last_error = NULL WHERE id = $1', [
          message.id,
        ]);
        sent++;
      } catch (error) {
        await db.query(
          `UPDATE outbox SET claimed_until = NULL, last_error = $2,
             next_attempt_at = now() + make_interval(mins => power(4, attempts - 1)::int) WHERE id = $1`,
          [message.id, String((error as Error).message).slice(0, 500)],
        );
      }
    }
  } finally {
    transport.close();
  }
  return sent;
}

/**
 * Delivers the outbox every `intervalMs`, one round at a time. `stop()` claims nothing more and
 * waits for the message being sent: a server stopped for a deploy must not leave a message
 * claimed, which would hold it back from every other server until its lease ran out.
 */
export function startMailSender(
  db: Database,
  smtpUrl: string,
  from: string,
  onError: (error: unknown) => void,
  intervalMs = 10_000,
): { stop(): Promise<void> } {
  let stopping = false;
  let round: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    round = round
      .then(() => (stopping ? 0 : deliverOutbox(db, smtpUrl, from, { stopping: () => stopping })))
      .catch(onError);
  }, intervalMs);
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await round;
    },
  };
}
