// `npm test`: type-check, start a private PostgreSQL server, then run every test file with
// node:test. Integration tests run on both PGlite and that server (see test/helpers.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startPostgres } from './postgres.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

console.log('> tsc --noEmit');
const typecheck = spawnSync(bin('tsc'), ['--noEmit', '-p', root], { stdio: 'inherit' });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

console.log('> biome ci');
const lint = spawnSync(bin('biome'), ['ci', '--colors=off', root], { stdio: 'inherit' });
if (lint.status !== 0) process.exit(lint.status ?? 1);

console.log('> starting a private PostgreSQL server');
const postgres = await startPostgres();
let status = 1;
try {
  const files = process.argv.slice(2);
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=2',
      '--test-timeout=300000',
      ...(files.length ? files : ['src/**/*.test.ts', 'test/**/*.test.ts']),
    ],
    { stdio: 'inherit', cwd: root, env: { ...process.env, TEST_POSTGRES_URL: postgres.url } },
  );
  status = result.status ?? 1;
} finally {
  postgres.stop();
}
process.exit(status);
