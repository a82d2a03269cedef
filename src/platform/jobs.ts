// Durable background jobs in the database: queued rows are claimed one at a time, keep a
// heartbeat while they run, and are re-queued (or failed after 3 tries) when a process died
// holding them. Handlers are registered by kind.
//
// Several servers share the table. A claim is a lease: the claiming process beats on a timer
// while the handler runs, and every write about the job names the attempt it claimed, so a
// process that lost its lease (paused past the stale limit, then resumed) changes nothing.
import type { Database } from './db/index.ts';

export interface Job {
  id: number;
  kind: string;
  resource_id: string | null;
  /** What a job that is not a DataStore load works on (an import's id, a feed's id). */
  subject: string | null;
  attempts: number;
}

export type JobHandler = (job: Job, heartbeat: (progress: Record<string, unknown>) => Promise<void>) => Promise<void>;

const MAX_ATTEMPTS = 3;
const STALE_SECONDS = 60;

export async function enqueueJob(
  db: Pick<Database, 'one'>,
  kind: string,
  resourceId: string | null,
  subject: string | null = null,
): Promise<number> {
  return (await db.one<{ id: number }>(
    'INSERT INTO jobs (kind, resource_id, subject) VALUES ($1, $2, $3) RETURNING id',
    [kind, resourceId, subject],
  ))!.id;
}

/** Jobs whose process stopped: queued again, or failed once they have been tried too often. */
export async function recoverStaleJobs(db: Database, olderThanSeconds = STALE_SECONDS): Promise<void> {
  await db.query(
    `UPDATE jobs SET state = 'failed', finished_at = now(), error = 'interrupted ' || attempts || ' times; giving up'
     WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) AND attempts >= $2`,
    [olderThanSeconds, MAX_ATTEMPTS],
  );
  await db.query(
    `UPDATE jobs SET state = 'queued' WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
    [olderThanSeconds],
  );
}

/** Whether this attempt still holds the job: false once another process has re-claimed it. */
export async function holdsJob(db: Pick<Database, 'one'>, job: Job): Promise<boolean> {
  return Boolean(
    await db.one(`SELECT 1 FROM jobs WHERE id = $1 AND attempts = $2 AND state = 'running' FOR UPDATE`, [
      job.id,
      job.attempts,
    ]),
  );
}

async function claim(db: Database): Promise<Job | undefined> {
  return db.one<Job>(
    `UPDATE jobs SET state = 'running', started_at = now(), heartbeat_at = now(), attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
     RETURNING id, kind, resource_id, subject, attempts`,
  );
}

const HELD = "id = $1 AND attempts = $2 AND state = 'running'";

/** Runs queued jobs until none is left; returns how many ran. */
export async function runQueuedJobs(
  db: Database,
  handlers: Record<string, JobHandler>,
  options: { staleSeconds?: number } = {},
): Promise<number> {
  let ran = 0;
  for (let job = await claim(db); job; job = await claim(db)) {
    ran++;
    const claimed = job;
    const heartbeat = async (progress: Record<string, unknown>) => {
      await db.query(`UPDATE jobs SET heartbeat_at = now(), progress = $3 WHERE ${HELD}`, [
        claimed.id,
        claimed.attempts,
        JSON.stringify(progress),
      ]);
    };
    // The lease is kept alive on a timer, whatever the handler is doing (an index can take minutes).
    const beatEveryMs = ((options.staleSeconds ?? STALE_SECONDS) * 1000) / 4;
    const beat = setInterval(() => {
      db.query(`UPDATE jobs SET heartbeat_at = now() WHERE ${HELD}`, [claimed.id, claimed.attempts]).catch(() => {});
    }, beatEveryMs);
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job, heartbeat);
      await db.query(`UPDATE jobs SET state = 'done', finished_at = now(), error = NULL WHERE ${HELD}`, [
        job.id,
        job.attempts,
      ]);
    } catch (error) {
      await db.query(`UPDATE jobs SET state = 'failed', finished_at = now(), error = $3 WHERE ${HELD}`, [
        job.id,
        job.attempts,
        (error as Error).message.slice(0, 2000),
      ]);
    } finally {
      clearInterval(beat);
    }
  }
  return ran;
}

/** Polls for jobs in the background until stopped. */
export function startJobWorker(
  db: Database,
  handlers: Record<string, JobHandler>,
  onError: (error: unknown) => void,
  options: { pollMs?: number; staleSeconds?: number } = {},
) {
  const pollMs = options.pollMs ?? 1000;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (stopped) return;
    running = recoverStaleJobs(db, options.staleSeconds)
      .then(() => runQueuedJobs(db, handlers, options))
      .catch(onError);
    await running;
    if (!stopped) timer = setTimeout(tick, pollMs);
  };
  let timer = setTimeout(tick, 10);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
