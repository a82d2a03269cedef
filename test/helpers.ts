// Test support: a fresh database per test on each engine (PGlite in memory, and the private
// PostgreSQL server that scripts/test.ts starts), the app on top of it, and a cookie-carrying
// client for form flows with CSRF tokens.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createAppDatabase } from '../scripts/postgres.ts';
import type { Clock } from '../src/platform/clock.ts';

export type Engine = 'pglite' | 'postgres';

/** Both engines; PostgreSQL only when the test runner started a server (npm test always does). */
export const ENGINES: Engine[] = process.env.TEST_POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A new, empty database on the test PostgreSQL server, owned by the application's unprivileged
 * role; `readUrl` is datastore_search_sql's role on it.
 */
export async function createPostgresDatabase(): Promise<{ url: string; readUrl: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_POSTGRES_URL!;
  const name = `test_${crypto.randomBytes(6).toString('hex')}`;
  const { url, readUrl } = await createAppDatabase(adminUrl, name);
  return {
    url,
    readUrl,
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A database on the engine; on PostgreSQL it knows the address of its SQL role too. */
export async function createTestDatabase(engine: Engine): Promise<Database & { readUrl?: string }> {
  if (engine === 'pglite') return openDatabase({ dataDir: null });
  const database = await createPostgresDatabase();
  const db = await openDatabase({ databaseUrl: database.url, dataDir: null });
  const close = db.close.bind(db);
  return Object.assign(db, {
    readUrl: database.readUrl,
    close: async () => {
      await close();
      await database.drop();
    },
  });
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({
    publicUrl: 'http://localhost:3000',
    dataDir: path.join(os.tmpdir(), `hromada-test-${process.pid}`),
    databaseUrl: undefined,
    logLevel: 'silent',
    ...overrides,
  });
}

/** A migrated database with the demo content, and the app on it. */
export async function createTestApp(
  engine: Engine,
  options: { demo?: boolean; config?: Partial<Config>; clock?: Clock } = {},
): Promise<FastifyInstance> {
  const db = await createTestDatabase(engine);
  await migrate(db);
  if (options.demo ?? true) await seedDemo(db);
  const config = testConfig({ datastoreReadUrl: db.readUrl, ...options.config });
  const app = await buildApp({ config, db, logger: false, clock: options.clock });
  await app.ready();
  return app;
}

/** Remembers cookies like a browser, and reads the CSRF token from the last page's forms. */
export class Client {
  readonly app: FastifyInstance;
  cookies = new Map<string, string>();
  lastBody = '';
  /** The client's IP address as the server sees it. */
  readonly remoteAddress: string;
  constructor(app: FastifyInstance, remoteAddress = '127.0.0.1') {
    this.app = app;
    this.remoteAddress = remoteAddress;
  }

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired =
        cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    this.lastBody = response.body;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.remoteAddress,
      headers: { cookie: this.cookieHeader, ...headers },
    });
    this.remember(response);
    return response;
  }

  /** The CSRF token of the first form on the last page fetched. */
  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastBody);
    if (!match) throw new Error('no CSRF token on the last page');
    return match[1]!;
  }

  /** Fetches `formPage` (for its CSRF token) and posts `fields` to `action`. */
  async submit(formPage: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    await this.get(formPage);
    return this.post(action, { _csrf: this.csrfToken(), ...fields });
  }

  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    this.remember(response);
    return response;
  }

  /** Creates a personal API token on the account page, as a person would, and returns it. */
  async apiToken(name = 'test'): Promise<string> {
    await this.get('/account');
    const page = await this.post('/account/tokens', { _csrf: this.csrfToken(), name });
    const token = /id="new-token">([^<]+)</.exec(page.body)?.[1];
    if (!token) throw new Error(`no token on the page: ${page.statusCode}`);
    return token;
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.submit('/login', '/login', { email, password });
    if (response.statusCode !== 303) throw new Error(`login as ${email} failed with ${response.statusCode}`);
    return response;
  }
}

/** The newest message in the outbox sent to `to`, and the first link in it. */
export async function lastMailTo(
  db: Database,
  to: string,
): Promise<{ subject: string; body: string; link: string | null }> {
  const row = await db.one<{ subject: string; body_text: string }>(
    'SELECT subject, body_text FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1',
    [to],
  );
  if (!row) throw new Error(`no mail to ${to}`);
  const link = /https?:\/\/\S+/.exec(row.body_text)?.[0] ?? null;
  return { subject: row.subject, body: row.body_text, link };
}

export { DEMO_PASSWORD } from '../src/demo/seed.ts';

/** A multipart/form-data body with fields first and one file, as a browser sends an upload form. */
export function multipartBody(
  fields: Record<string, string>,
  file?: { name: string; content: Uint8Array | string; field?: string },
) {
  const boundary = `----hromada${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    );
    parts.push(typeof file.content === 'string' ? Buffer.from(file.content) : Buffer.from(file.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
