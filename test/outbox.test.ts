// The outbox with several senders: each message reaches a real SMTP server exactly once, and a
// failed one waits before it is tried again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { deliverOutbox, queueMail, startMailSender } from '../src/platform/mail.ts';
import { createPostgresDatabase } from './helpers.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

const subjects = (sink: SmtpSink) => sink.received.map((raw) => /^Subject: (.*)$/m.exec(raw)?.[1] ?? '?');

describe('outbox on PostgreSQL with two senders', { skip: !process.env.TEST_POSTGRES_URL }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let serverA: Database;
  let serverB: Database;
  let sink: SmtpSink;

  before(async () => {
    database = await createPostgresDatabase();
    serverA = await openDatabase({ databaseUrl: database.url, dataDir: null });
    serverB = await openDatabase({ databaseUrl: database.url, dataDir: null });
    await migrate(serverA);
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.close();
    await serverA?.close();
    await serverB?.close();
    await database?.drop();
  });

  test('N queued messages are delivered exactly N times by two servers sending at once', async () => {
    const count = 120;
    for (let i = 0; i < count; i++) await queueMail(serverA, `person${i}@example.org`, `message ${i}`, 'body');
    const sendUntilEmpty = async (db: Database) => {
      let total = 0;
      for (let sent = -1; sent !== 0; ) {
        sent = await deliverOutbox(db, sink.url, 'Hromada <no-reply@example.org>', { limit: 10 });
        total += sent;
      }
      return total;
    };
    const [a, b] = await Promise.all([sendUntilEmpty(serverA), sendUntilEmpty(serverB)]);
    assert.equal(a + b, count);
    assert.ok(a > 0 && b > 0, `both servers sent (${a} and ${b})`);
    assert.equal(sink.received.length, count, 'each message reached the SMTP server once');
    assert.equal(new Set(subjects(sink)).size, count);
    const pending = await serverA.one<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
    assert.equal(pending!.n, 0);
  });

  test('a failed message waits before it is tried again, then goes out once', async () => {
    sink.received.length = 0;
    const id = await queueMail(serverA, 'late@example.org', 'retry me', 'body');
    sink.failNext(1);
    assert.equal(await deliverOutbox(serverA, sink.url, 'no-reply@example.org'), 0);
    const failed = await serverA.one<{ attempts: number; last_error: string; wait: number }>(
      `SELECT attempts, last_error, extract(epoch FROM next_attempt_at - now())::int AS wait FROM outbox WHERE id = $1`,
      [id],
    );
    assert.equal(failed!.attempts, 1);
    assert.match(failed!.last_error, /mailbox busy/);
    assert.ok(failed!.wait >= 50 && failed!.wait <= 60, `waits a minute (${failed!.wait} s)`);
    assert.equal(await deliverOutbox(serverB, sink.url, 'no-reply@example.org'), 0, 'not before its time');
    await serverA.query(`UPDATE outbox SET next_attempt_at = now() WHERE id = $1`, [id]);
    const [a, b] = await Promise.all([
      deliverOutbox(serverA, sink.url, 'no-reply@example.org'),
      deliverOutbox(serverB, sink.url, 'no-reply@example.org'),
    ]);
    assert.equal(a + b, 1);
    assert.deepEqual(subjects(sink), ['retry me']);
  });

  test('a message claimed by a server that died is sent by another once its lease runs out', async () => {
    sink.received.length = 0;
    const id = await queueMail(serverA, 'orphan@example.org', 'orphaned', 'body');
    // Claimed by a server that then died: the lease holds it back from everyone else.
    await serverA.query(`UPDATE outbox SET claimed_until = now() + interval '5 minutes', attempts = 1 WHERE id = $1`, [
      id,
    ]);
    assert.equal(await deliverOutbox(serverB, sink.url, 'no-reply@example.org'), 0);
    await serverA.query(`UPDATE outbox SET claimed_until = now() - interval '1 second' WHERE id = $1`, [id]);
    assert.equal(await deliverOutbox(serverB, sink.url, 'no-reply@example.org'), 1);
    assert.deepEqual(subjects(sink), ['orphaned']);
  });

  test('a server stopping for a deploy finishes the message it is sending and claims no more', async () => {
    sink.received.length = 0;
    await serverA.query('DELETE FROM outbox');
    for (let i = 0; i < 30; i++) await queueMail(serverA, `deploy${i}@example.org`, `deploy ${i}`, 'body');
    const errors: unknown[] = [];
    const sender = startMailSender(serverA, sink.url, 'no-reply@example.org', (e) => errors.push(e), 5);
    while (sink.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await sender.stop();
    const rows = await serverA.query<{ sent: boolean; claimed: boolean }>(
      'SELECT sent_at IS NOT NULL AS sent, claimed_until IS NOT NULL AS claimed FROM outbox',
    );
    assert.deepEqual(errors, []);
    assert.equal(rows.filter((row) => row.claimed).length, 0, 'nothing left claimed for another server to wait on');
    const sent = rows.filter((row) => row.sent).length;
    assert.ok(sent > 0 && sent < 30, `stopped part-way (${sent} of 30 sent)`);
    assert.equal(sink.received.length, sent, 'each message the outbox calls sent reached the SMTP server');
    const stillSent = sink.received.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sink.received.length, stillSent, 'nothing is sent after stop()');
  });
});
