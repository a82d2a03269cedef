// Configuration comes from environment variables only, read once at start-up.
// Every variable is documented in the README's "Configuration" section.
import path from 'node:path';
import { FILE_BACKENDS, type FileBackend } from './files.ts';

export interface Config {
  port: number;
  host: string;
  /** postgres://… to use a PostgreSQL server; undefined means embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files, local uploads live, and the generated secret is stored. */
  dataDir: string;
  /** Where uploaded files are kept: 'local' (<dataDir>/files) or 'postgres' (large objects in the database). */
  fileStorage: FileBackend;
  /** The address people reach the platform at; used in e-mails and to decide on secure cookies. */
  publicUrl: string;
  /** smtp://user:pass@host:port; undefined keeps mail in the outbox only. */
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  /** Requests per minute for anonymous and for authenticated API clients. */
  apiRateLimitAnonymous: number;
  apiRateLimitAuthenticated: number;
  /** The largest file an editor may upload. */
  uploadLimitBytes: number;
  /** A running job whose heartbeat is older than this is taken as abandoned by a dead process. */
  jobStaleSeconds: number;
  /** Petition signatures per hour from one account, and from one client address (many people share one behind NAT). */
  signRateLimitPerAccount: number;
  signRateLimitPerAddress: number;
  /** Saves of a participatory-budget ballot (page or API) per hour from one account. */
  ballotRateLimitPerAccount: number;
  /** Files one account may upload per hour to each kind of upload (resources, attachments, photos). */
  uploadRateLimitPerHour: number;
  /** postgres://… of the login role datastore_search_sql runs as (CKAN's datastore.read_url); unset = SQL off. */
  datastoreReadUrl: string | undefined;
  /** Connections of that role per server process: the most SQL queries running at once. */
  sqlPoolSize: number;
  /** An XYZ raster tile server (https://tiles.example.org/{z}/{x}/{y}.png) and the attribution its
   * licence asks for; unset, maps draw the offline base of oblast boundaries. */
  mapTilesUrl: string | undefined;
  mapTilesAttribution: string;
  /** The openbudget.gov.ua public API's address template for a budget file (city budget imports). */
  openBudgetApiUrl: string;
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Configuration error: ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const port = integer('PORT', 3000);
  const config: Config = {
    port,
    host: process.env.HOST || '0.0.0.0',
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: path.resolve(process.env.HROMADA_DATA_DIR || 'data'),
    fileStorage: (process.env.FILE_STORAGE || 'local') as FileBackend,
    publicUrl: (process.env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    smtpUrl: process.env.SMTP_URL || undefined,
    mailFrom: process.env.MAIL_FROM || 'Hromada <no-reply@hromada.localhost>',
    logLevel: process.env.LOG_LEVEL || 'info',
    apiRateLimitAnonymous: integer('API_RATE_LIMIT_ANONYMOUS', 120),
    apiRateLimitAuthenticated: integer('API_RATE_LIMIT_AUTHENTICATED', 1200),
    uploadLimitBytes: integer('UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024),
    jobStaleSeconds: integer('JOB_STALE_SECONDS', 60),
    signRateLimitPerAccount: integer('SIGN_RATE_LIMIT_PER_ACCOUNT', 60),
    signRateLimitPerAddress: integer('SIGN_RATE_LIMIT_PER_ADDRESS', 600),
    ballotRateLimitPerAccount: integer('BALLOT_RATE_LIMIT_PER_ACCOUNT', 60),
    uploadRateLimitPerHour: integer('UPLOAD_RATE_LIMIT_PER_HOUR', 100),
    datastoreReadUrl: process.env.DATASTORE_READ_URL || undefined,
    sqlPoolSize: integer('SQL_POOL_SIZE', 3),
    mapTilesUrl: process.env.MAP_TILES_URL || undefined,
    mapTilesAttribution: process.env.MAP_TILES_ATTRIBUTION || '',
    openBudgetApiUrl:
      process.env.OPENBUDGET_API_URL ||
      'https://api.openbudget.gov.ua/api/public/localBudgetData?budgetCode={budgetCode}&budgetItem={budgetItem}&classificationType={classificationType}&period=MONTH&year={year}',
    ...overrides,
  };
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('Configuration error: DATABASE_URL must start with postgres:// or postgresql://');
  }
  if (!FILE_BACKENDS.includes(config.fileStorage)) {
    throw new Error(`Configuration error: FILE_STORAGE must be local or postgres, got "${config.fileStorage}"`);
  }
  if (config.datastoreReadUrl && !/^postgres(ql)?:\/\/[^/]+/.test(config.datastoreReadUrl)) {
    throw new Error('Configuration error: DATASTORE_READ_URL must start with postgres:// or postgresql://');
  }
  if (config.mapTilesUrl !== undefined) {
    // One origin, so that the CSP can name it; {s} subdomains would need several.
    if (!/^https?:\/\/[^/{}]+\/.*\{z\}.*\{x\}.*\{y\}/.test(config.mapTilesUrl))
      throw new Error(
        `Configuration error: MAP_TILES_URL must be an http(s) XYZ template with {z}, {x} and {y} on one host, got "${config.mapTilesUrl}"`,
      );
    if (!config.mapTilesAttribution.trim())
      throw new Error('Configuration error: MAP_TILES_ATTRIBUTION must say whose tiles and data MAP_TILES_URL shows');
  }
  if (!/^https?:\/\/[^/]+/.test(config.publicUrl)) {
    throw new Error(`Configuration error: PUBLIC_URL must be an http(s) address, got "${config.publicUrl}"`);
  }
  return config;
}
