// The demo as `npm start --demo` has it: its files uploaded to a data folder (with their size and
// SHA-256) and loaded into the DataStore by the ingest job, then the app on top. For tests of what
// the catalog publishes about uploads (DCAT checksums and sizes, Data Package table schemas).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { runQueuedJobs } from '../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../src/modules/datastore/service.ts';
import { createTestDatabase, testConfig, type Engine } from './helpers.ts';

/** With `ingest: false` the files stay queued, not loaded into the DataStore (quicker, when only the files matter). */
export async function createDemoAppWithFiles(
  engine: Engine,
  options: { ingest?: boolean } = {},
): Promise<FastifyInstance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-demo-files-'));
  const db = await createTestDatabase(engine);
  await migrate(db);
  await seedDemo(db, dataDir);
  if (options.ingest ?? true) await runQueuedJobs(db, { [INGEST_JOB]: ingestHandler(db, dataDir) });
  const app = await buildApp({ config: testConfig({ dataDir, datastoreReadUrl: db.readUrl }), db, logger: false });
  app.addHook('onClose', async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  await app.ready();
  return app;
}
