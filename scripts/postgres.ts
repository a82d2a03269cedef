// Starts a throw-away PostgreSQL server (Debian's package) in a temporary folder, for the
// test suite and the benchmarks. Runs it as the `postgres` user when we are root, since
// PostgreSQL refuses to run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** The superuser's address, for creating databases; the app itself logs in as APP_ROLE. */
  url: string;
  stop(): void;
}

function findBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = path.join(root, version, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL's ${name} was not found under ${root}; install Debian's postgresql package`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The roles a database administrator creates once, as the README's security section says. */
export const APP_ROLE = 'hromada_app';
export const SQL_ROLE = 'hromada_sql';

async function createRoles(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // The application owns its database but may not create roles or databases, nor bypass anything.
    await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`);
    // datastore_search_sql's role: logs in, owns nothing, is granted SELECT on views by the app.
    await admin.query(
      `CREATE ROLE ${SQL_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT CONNECTION LIMIT 60`,
    );
  } finally {
    await admin.end();
  }
}

/** A database owned by the application's role, with the addresses the app and its SQL role use. */
export async function createAppDatabase(adminUrl: string, name: string): Promise<{ url: string; readUrl: string }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
  const at = (role: string) => adminUrl.replace(/\/\/[^@/]*@/, `//${role}@`).replace(/\/[^/]*$/, `/${name}`);
  return { url: at(APP_ROLE), readUrl: at(SQL_ROLE) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-pg-'));
  const dataDir = path.join(dir, 'data');
  const run = (bin: string, args: string[]) => {
    const command = asRoot ? 'runuser' : bin;
    const fullArgs = asRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  };
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  run(findBin('initdb'), ['-D', dataDir, '-U', 'hromada', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  run(findBin('pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  const url = `postgres://hromada@127.0.0.1:${port}/postgres`;
  await createRoles(url);
  return {
    url,
    stop() {
      try {
        run(findBin('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
