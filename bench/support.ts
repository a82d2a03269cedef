// What the HTTP benchmarks share: the real server as a child process on a port, and, for the
// load tests, many people with API tokens inserted straight into the database.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Starts `hromada serve --demo` and waits until it answers /readyz. */
export async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/main.ts'), 'serve', '--demo'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready');
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/**
 * Inserts `count` confirmed people who cannot log in, the first `withTokens` of them with an API
 * token each; returns their ids and those tokens.
 */
export async function insertPeople(
  db: pg.Pool,
  prefix: string,
  count: number,
  withTokens: number,
): Promise<{ ids: number[]; tokens: string[] }> {
  const ids = (
    await db.query(
      `INSERT INTO users (email, display_name, password_hash, email_confirmed_at)
     SELECT $1 || n || '@bench.example', 'Bench ' || n, 'no-login', now() FROM generate_series(1, $2::int) AS n RETURNING id`,
      [prefix, count],
    )
  ).rows.map((r: { id: number }) => r.id);
  const tokens = Array.from({ length: withTokens }, () => `hmd_${crypto.randomBytes(24).toString('base64url')}`);
  await db.query(
    `INSERT INTO api_tokens (user_id, name, token_hash, prefix) SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])`,
    [
      ids.slice(0, withTokens),
      tokens.map(() => 'bench'),
      tokens.map((t) => crypto.createHash('sha256').update(t).digest('hex')),
      tokens.map((t) => t.slice(0, 10)),
    ],
  );
  return { ids, tokens };
}
