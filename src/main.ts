// The command line: `hromada serve | migrate | seed-demo | users create | tokens create | files migrate`.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './platform/config.ts';
import { openDatabase, type Database } from './platform/db/index.ts';
import { migrate } from './platform/db/migrate.ts';
import { checkDatabaseRoles } from './modules/datastore/sql-roles.ts';
import { startMailSender } from './platform/mail.ts';
import { createApiToken, ROLES, type Role } from './platform/auth.ts';
import { recordAudit } from './platform/audit.ts';
import { ValidationError } from './platform/errors.ts';
import { translator } from './platform/i18n/locales.ts';
import { createConfirmedUser, findUserByEmail } from './modules/accounts/service.ts';
import { buildApp } from './app.ts';
import { startJobWorker } from './platform/jobs.ts';
import { IMPORT_JOB, importHandler } from './modules/procurement/service.ts';
import { FEED_JOB, feedHandler, queueDueFeeds } from './modules/procurement/feed.ts';
import { sendDueReminders } from './modules/community/service.ts';
import { takeDailySnapshots } from './modules/data-programme/service.ts';
import { sendPlanReminders } from './modules/data-programme/inventory.ts';
import { seedHandbook } from './modules/handbook/chapters.ts';
import { SYSTEM_ACTOR } from './platform/audit.ts';
import { FILE_BACKENDS, openFileStore, removeAbandonedFiles, type FileBackend } from './platform/files.ts';
import { migrateFiles } from './platform/file-migration.ts';
import { dropOrphanTables, ingestHandler, INGEST_JOB } from './modules/datastore/service.ts';
import { IMPORT_JOB as OPEN_BUDGET_IMPORT_JOB, openBudgetImportHandler } from './modules/open-budget/jobs.ts';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './demo/seed.ts';

const HELP = `Hromada — open-government platform for cities

Usage: hromada <command> [options]

Commands:
  serve [--demo] [--port N]    Apply pending migrations and start the web server
                               (--demo: fill an empty database with demo cities,
                               organisations and users)
  migrate                      Apply pending database migrations and exit
  seed-demo                    Fill an empty database with the demo content and exit
  users create --email E --password P [--role R] [--name N]
               [--organization SLUG] [--oblast SLUG]
                               Create a confirmed account with a role:
                               ${ROLES.join(', ')} (default citizen).
                               city_editor and cso_assessor need --organization,
                               regional_coordinator needs --oblast
  tokens create --email E [--name N]
                               Create a personal API token and print it (shown once)
  files migrate --to postgres|local [--delete-source]
                               Copy every uploaded file the database refers to into the
                               database (postgres) or into the data folder (local), checking
                               each copy's size and SHA-256; safe to run again after an
                               interruption. --delete-source removes each file from the other
                               store once its copy is checked. Then set FILE_STORAGE.
  help, --help                 Show this text

Configuration comes from the environment: PORT, HOST, DATABASE_URL, HROMADA_DATA_DIR,
FILE_STORAGE, PUBLIC_URL, SMTP_URL, MAIL_FROM, LOG_LEVEL, API_RATE_LIMIT_ANONYMOUS,
API_RATE_LIMIT_AUTHENTICATED, UPLOAD_LIMIT_BYTES, JOB_STALE_SECONDS, HROMADA_SECRET, TRUST_PROXY. See the README.
With the embedded database (no DATABASE_URL) only one process may open the data folder:
stop the server before running other commands.
`;

class UsageError extends Error {}

async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function serve(config: Config, demo: boolean): Promise<void> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(db);
  const app = await buildApp({ config, db });
  if (applied.length) app.log.info({ migrations: applied }, 'applied migrations');
  if (demo && (await seedDemo(db, app.files))) {
    app.log.info(
      { users: DEMO_USERS.map((u) => `${u.email} (${u.role})`), password: DEMO_PASSWORD },
      'demo content created',
    );
  }
  // The handbook's first chapters, on any platform whose handbook is still empty.
  if (await db.transaction((tx) => seedHandbook(tx, SYSTEM_ACTOR))) app.log.info('handbook: first chapters stored');
  const dropped = await dropOrphanTables(db, config.jobStaleSeconds);
  if (dropped.length) app.log.warn({ tables: dropped }, 'dropped DataStore tables left by an interrupted load');
  // Files a process began to store in the database and never finished (it died mid-upload).
  const sweepFiles = () =>
    removeAbandonedFiles(db).then(
      (keys) =>
        keys.length && app.log.warn({ files: keys }, 'removed files left half-written by an interrupted upload'),
      (error) => app.log.error({ err: error }, 'removing half-written files failed'),
    );
  await sweepFiles();
  const fileTimer = setInterval(sweepFiles, 60 * 60 * 1000);
  fileTimer.unref();
  // Each city's compliance is recorded once a day (a row per city and day; servers that run this
  // together insert it once), besides on every change of a declaration.
  // The same round mails the inventory plan's reminders (each entry at most once a week).
  const snapshotCompliance = () =>
    takeDailySnapshots(db, app.clock.now())
      .then(() => db.transaction((tx) => sendPlanReminders(tx, app.clock.now(), config.publicUrl)))
      .catch((error) => app.log.error({ err: error }, 'recording the daily compliance or plan reminders failed'));
  await snapshotCompliance();
  const complianceTimer = setInterval(snapshotCompliance, 60 * 60 * 1000);
  complianceTimer.unref();
  const worker = startJobWorker(
    db,
    {
      [INGEST_JOB]: ingestHandler(db, app.files),
      [OPEN_BUDGET_IMPORT_JOB]: openBudgetImportHandler(db, app.files),
      [IMPORT_JOB]: importHandler(db, app.files, app.clock),
      [FEED_JOB]: feedHandler(db, app.clock),
    },
    (error) => app.log.error({ err: error }, 'job worker failed'),
    { staleSeconds: config.jobStaleSeconds },
  );
  // Reminders of events starting within a day: each registration is claimed by the UPDATE that
  // marks it, so every server may run this without sending one twice.
  const remindTimer = setInterval(() => {
    sendDueReminders(db, { publicUrl: config.publicUrl }, app.clock.now()).catch((error) =>
      app.log.error({ err: error }, 'event reminders failed'),
    );
  }, 60_000);
  remindTimer.unref();
  // Prozorro feeds that run on a schedule: each due run is queued once, whichever server sees it first.
  const feedTimer = setInterval(() => {
    queueDueFeeds(db, app.clock.now()).catch((error) =>
      app.log.error({ err: error }, 'queuing scheduled feeds failed'),
    );
  }, 60_000);
  feedTimer.unref();
  const mailSender = config.smtpUrl
    ? startMailSender(db, config.smtpUrl, config.mailFrom, (error) =>
        app.log.error({ err: error }, 'mail delivery failed'),
      )
    : undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(fileTimer);
    clearInterval(remindTimer);
    clearInterval(feedTimer);
    clearInterval(complianceTimer);
    await Promise.all([worker.stop(), mailSender?.stop()]);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close(); // stops accepting, finishes in-flight requests, closes the database
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: config.publicUrl, database: db.engine }, 'Hromada is ready');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      demo: { type: 'boolean' },
      port: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      organization: { type: 'string' },
      oblast: { type: 'string' },
      to: { type: 'string' },
      'delete-source': { type: 'boolean' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 1;
  }
  const config = loadConfig({
    ...(values.port ? { port: Number(values.port) } : {}),
    // The demo's admin password is published: only this machine may reach it unless HOST says otherwise.
    ...(command === 'serve' && values.demo && !process.env.HOST ? { host: '127.0.0.1' } : {}),
  });

  switch (command) {
    case 'serve':
      await serve(config, values.demo ?? false);
      return -1; // keeps running
    case 'migrate': {
      // Migrates, then checks the database roles as the README's security section asks them to be.
      const report = await withDatabase(config, (db) => checkDatabaseRoles(db, config.datastoreReadUrl));
      process.stdout.write('Database is up to date\n');
      for (const note of report.notes) process.stdout.write(`ok: ${note}\n`);
      for (const warning of report.warnings) process.stdout.write(`warning: ${warning}\n`);
      for (const error of report.errors) process.stderr.write(`error: ${error}\n`);
      return report.errors.length ? 1 : 0;
    }
    case 'seed-demo': {
      const seeded = await withDatabase(config, (db) => seedDemo(db, openFileStore(config, db)));
      process.stdout.write(
        seeded
          ? `Demo content created; demo password: ${DEMO_PASSWORD}\n`
          : 'The database already has cities; nothing done\n',
      );
      return 0;
    }
    case 'users': {
      if (sub !== 'create') throw new UsageError('usage: hromada users create --email E --password P [--role R]');
      const role = (values.role ?? 'citizen') as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`);
      const user = await withDatabase(config, (db) =>
        db.transaction((tx) =>
          createConfirmedUser(
            tx,
            { userId: null, label: 'cli' },
            {
              email: required(values, 'email'),
              password: required(values, 'password'),
              role,
              displayName: values.name,
              organization: values.organization,
              oblast: values.oblast,
            },
          ),
        ),
      );
      process.stdout.write(`Created user ${user.email} (id ${user.id}, role ${role})\n`);
      return 0;
    }
    case 'tokens': {
      if (sub !== 'create') throw new UsageError('usage: hromada tokens create --email E [--name N]');
      const email = required(values, 'email');
      const token = await withDatabase(config, (db) =>
        db.transaction(async (tx) => {
          const user = await findUserByEmail(tx, email);
          if (!user) throw new UsageError(`no user with e-mail ${email}`);
          const created = await createApiToken(tx, user.id, values.name ?? 'cli');
          await recordAudit(tx, { userId: null, label: 'cli' }, 'api_token.create', 'api_token', created.id, null, {
            name: values.name ?? 'cli',
            user: email,
          });
          return created.token;
        }),
      );
      process.stdout.write(`${token}\n`);
      return 0;
    }
    case 'files': {
      const to = values.to as FileBackend;
      if (sub !== 'migrate' || !FILE_BACKENDS.includes(to))
        throw new UsageError('usage: hromada files migrate --to postgres|local [--delete-source]');
      const from = to === 'postgres' ? `${config.dataDir}/files` : 'the database';
      const report = await withDatabase(config, (db) =>
        migrateFiles(db, {
          dataDir: config.dataDir,
          to,
          deleteSource: values['delete-source'] ?? false,
          progress: (key, outcome) => {
            if (outcome === 'copied') process.stdout.write(`copied ${key}\n`);
          },
        }),
      );
      for (const problem of report.problems) process.stderr.write(`error: ${problem}\n`);
      process.stdout.write(
        `Files from ${from} to ${to === 'postgres' ? 'the database' : `${config.dataDir}/files`}: ` +
          `${report.copied} copied, ${report.present} already there, ${report.problems.length} failed` +
          (values['delete-source'] ? `, ${report.deleted} removed from the source\n` : '\n'),
      );
      if (!report.problems.length)
        process.stdout.write(`Set FILE_STORAGE=${to} on every server to use them from there.\n`);
      return report.problems.length ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"; run hromada --help`);
  }
}

const t = translator('en');
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ValidationError) {
      process.stderr.write(
        `Error: ${error.problems.map((p) => `--${p.field}: ${t(p.message, p.params)}`).join('; ')}\n`,
      );
    } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`Error: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(`Error: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exit(2);
  },
);
