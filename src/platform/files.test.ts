// Both file stores (the data folder, large objects in the database) on both engines: a file of a
// few MB goes in and comes back byte for byte with its size and SHA-256; a file over the limit,
// a source that fails half-way and a rolled-back transaction leave nothing behind; files move
// between the stores and back, verified and safe to re-run; uploads and downloads through the
// site with FILE_STORAGE=postgres, including a load into the DataStore.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import {
  Client,
  createTestApp,
  createTestDatabase,
  DEMO_PASSWORD,
  ENGINES,
  multipartBody,
  testConfig,
} from '../../test/helpers.ts';
import { buildApp } from '../app.ts';
import type { Database } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import {
  CHUNK_BYTES,
  digestStream,
  FILE_BACKENDS,
  FileTooLargeError,
  LocalFileStore,
  MissingFileError,
  openFileStore,
  PostgresFileStore,
  removeAbandonedFiles,
  type FileStore,
} from './files.ts';
import { migrateFiles, referencedFiles } from './file-migration.ts';
import { runQueuedJobs } from './jobs.ts';
import { seedDemo } from '../demo/seed.ts';
import { ingestHandler, INGEST_JOB } from '../modules/datastore/service.ts';

const sha256 = (data: Uint8Array) => crypto.createHash('sha256').update(data).digest('hex');

/** `data` as a stream of 64 KiB pieces, as an upload arrives. */
function pieces(data: Uint8Array, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
    })(),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a store holds: the files under the data folder, the rows and large objects in the database. */
async function contents(db: Database, dataDir: string) {
  const dir = path.join(dataDir, 'files');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    : [];
  const rows = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM stored_files'))!.n;
  const objects = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM pg_largeobject_metadata'))!.n;
  return { files, rows, objects };
}

const EMPTY = { files: [], rows: 0, objects: 0 };

for (const engine of ENGINES) {
  for (const backend of FILE_BACKENDS) {
    describe(`the ${backend} file store on ${engine}`, () => {
      let db: Database;
      let dataDir: string;
      let store: FileStore;
      before(async () => {
        db = await createTestDatabase(engine);
        await migrate(db);
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-files-'));
        store = openFileStore({ fileStorage: backend, dataDir }, db);
        assert.equal(store.backend, backend);
      });
      after(async () => {
        await db?.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      });

      test('a file of a few MB is stored in pieces and read back byte for byte, then removed', async () => {
        const data = crypto.randomBytes(3 * CHUNK_BYTES + 12_345);
        const stored = await store.put(pieces(data), 10 * CHUNK_BYTES);
        assert.match(stored.key, /^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
        assert.deepEqual({ size: stored.size, sha256: stored.sha256 }, { size: data.length, sha256: sha256(data) });
        assert.deepEqual(await store.stat(stored.key), { size: data.length, sha256: sha256(data) });

        const opened = await store.open(stored.key);
        assert.equal(opened.size, data.length);
        const back = await readAll(opened.stream);
        assert.ok(back.equals(data), 'the same bytes');
        assert.ok((await store.head(stored.key, 12)).equals(data.subarray(0, 12)));

        let local = '';
        const hashed = await store.withLocalFile(stored.key, async (file) => {
          local = file;
          return sha256(fs.readFileSync(file));
        });
        assert.equal(hashed, sha256(data));
        if (backend === 'postgres') assert.equal(fs.existsSync(local), false, 'the temporary copy is removed');

        await store.remove(stored.key);
        assert.equal(await store.stat(stored.key), null);
        await assert.rejects(store.open(stored.key), MissingFileError);
        await store.remove(stored.key); // removing again is no error
        assert.deepEqual(await contents(db, dataDir), EMPTY);
      });

      test('an empty file and a file of exactly one piece', async () => {
        for (const data of [Buffer.alloc(0), crypto.randomBytes(CHUNK_BYTES)]) {
          const stored = await store.put(Readable.from([data]), CHUNK_BYTES);
          assert.equal(stored.size, data.length);
          const { size, stream } = await store.open(stored.key);
          assert.equal(size, data.length);
          assert.ok((await readAll(stream)).equals(data));
          await store.remove(stored.key);
        }
        assert.deepEqual(await contents(db, dataDir), EMPTY);
      });

      test('a file over the limit, or a source that fails half-way, leaves nothing behind', async () => {
        const data = crypto.randomBytes(3 * CHUNK_BYTES);
        await assert.rejects(store.put(pieces(data), 2 * CHUNK_BYTES + 1), FileTooLargeError);
        assert.deepEqual(await contents(db, dataDir), EMPTY);
        const broken = Readable.from(
          (function* () {
            yield data.subarray(0, CHUNK_BYTES + 100);
            yield data.subarray(CHUNK_BYTES + 100, 2 * CHUNK_BYTES + 200);
            throw new Error('the client went away');
          })(),
        );
        await assert.rejects(store.put(broken, 10 * CHUNK_BYTES), /the client went away/);
        assert.deepEqual(await contents(db, dataDir), EMPTY);
      });

      if (backend === 'postgres') {
        test('a file written in a transaction that rolls back is gone with it', async () => {
          await assert.rejects(
            db.transaction(async (tx) => {
              const stored = await store.put(pieces(crypto.randomBytes(CHUNK_BYTES + 5)), 10 * CHUNK_BYTES, { db: tx });
              assert.ok(await tx.one('SELECT 1 FROM stored_files WHERE key = $1 AND size IS NOT NULL', [stored.key]));
              throw new Error('the rest of the change failed');
            }),
            /the rest of the change failed/,
          );
          assert.deepEqual(await contents(db, dataDir), EMPTY);
        });

        test('a file a dead process left half-written is removed after a day, with its large object', async () => {
          await db.query(
            `INSERT INTO stored_files (key, lo_oid, created_at) VALUES
               ('aa/aaaaaaaa-0000-4000-8000-000000000000', lo_create(0), now() - interval '25 hours'),
               ('bb/bbbbbbbb-0000-4000-8000-000000000000', lo_create(0), now() - interval '1 hour')`,
          );
          assert.equal(await store.stat('aa/aaaaaaaa-0000-4000-8000-000000000000'), null, 'not a file yet');
          assert.deepEqual(await removeAbandonedFiles(db), ['aa/aaaaaaaa-0000-4000-8000-000000000000']);
          assert.deepEqual(await contents(db, dataDir), { files: [], rows: 1, objects: 1 }, 'a recent one stays');
          await store.remove('bb/bbbbbbbb-0000-4000-8000-000000000000');
          assert.deepEqual(await contents(db, dataDir), EMPTY);
        });
      }
    });
  }

  describe(`files migrate between the stores on ${engine}`, () => {
    let db: Database;
    let dataDir: string;
    let local: LocalFileStore;
    let postgres: PostgresFileStore;
    let big: Buffer;
    let bigKey: string;
    let total: number;
    before(async () => {
      db = await createTestDatabase(engine);
      await migrate(db);
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-files-move-'));
      local = new LocalFileStore(dataDir);
      postgres = new PostgresFileStore(db);
      await seedDemo(db, local); // the demo's files and the ranking's CSVs, in the data folder
      // One resource gets a file of a few MB instead.
      big = crypto.randomBytes(2 * CHUNK_BYTES + 777);
      const stored = await local.put(pieces(big), Number.POSITIVE_INFINITY);
      bigKey = stored.key;
      const replaced = await db.one<{ file_key: string }>(
        `UPDATE resources r SET file_key = $1, size_bytes = $2, sha256 = $3 FROM resources old
         WHERE r.id = (SELECT id FROM resources WHERE file_key IS NOT NULL ORDER BY id LIMIT 1) AND old.id = r.id
         RETURNING old.file_key`,
        [stored.key, stored.size, stored.sha256],
      );
      await local.remove(replaced!.file_key);
      total = (await referencedFiles(db)).length;
      assert.ok(total >= 5, `the demo stores files (${total})`);
    });
    after(async () => {
      await db?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('to postgres: every file copied and verified; a re-run after an interruption copies only what is missing', async () => {
      const first = await migrateFiles(db, { dataDir, to: 'postgres' });
      assert.deepEqual(first, { copied: total, present: 0, deleted: 0, problems: [] });
      for (const file of await referencedFiles(db)) {
        // Imports' files record neither size nor hash; the rest are checked against what was recorded.
        const copy = await postgres.stat(file.key);
        assert.ok(copy, file.key);
        if (file.size !== null) assert.equal(copy.size, Number(file.size), file.key);
        if (file.sha256 !== null) assert.equal(copy.sha256, file.sha256, file.key);
        assert.ok(await local.stat(file.key), 'the source keeps its files');
      }
      assert.ok((await readAll((await postgres.open(bigKey)).stream)).equals(big));

      // An interruption: one copy never made, another half-written (its row still says so).
      const [gone, half] = (await referencedFiles(db)).map((f) => f.key);
      await postgres.remove(gone!);
      await postgres.remove(half!);
      await db.query('INSERT INTO stored_files (key, lo_oid) VALUES ($1, lo_create(0))', [half]);
      const again = await migrateFiles(db, { dataDir, to: 'postgres' });
      assert.deepEqual(again, { copied: 2, present: total - 2, deleted: 0, problems: [] });
      assert.equal((await contents(db, dataDir)).objects, total, 'no stray large object');

      const moved = await migrateFiles(db, { dataDir, to: 'postgres', deleteSource: true });
      assert.deepEqual(moved, { copied: 0, present: total, deleted: total, problems: [] });
      assert.deepEqual((await contents(db, dataDir)).files, [], 'the data folder is empty');
    });

    test('the site serves the moved files from the database, with their length and type', async () => {
      // The database is this suite's: the app gets one whose close does nothing.
      const shared: Database = { ...db, close: async () => {} };
      const app = await buildApp({
        config: testConfig({ dataDir, fileStorage: 'postgres' }),
        db: shared,
        logger: false,
      });
      try {
        const resource = (await db.one<{ id: string; name: string }>(
          'SELECT r.id, d.name FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE r.file_key = $1',
          [bigKey],
        ))!;
        const url = `/datasets/${resource.name}/resources/${resource.id}/download`;
        const response = await app.inject(url);
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers['content-length'], String(big.length));
        assert.equal(response.headers['content-type'], 'application/octet-stream');
        assert.ok(response.rawPayload.equals(big));
        const head = await app.inject({ method: 'HEAD', url });
        assert.equal(head.statusCode, 200);
        assert.equal(head.headers['content-length'], String(big.length));
        assert.equal(head.rawPayload.length, 0);
      } finally {
        await app.close();
      }
    });

    test('back to local with --delete-source empties the database; a lost file is reported, not skipped', async () => {
      const back = await migrateFiles(db, { dataDir, to: 'local', deleteSource: true });
      assert.deepEqual(back, { copied: total, present: 0, deleted: total, problems: [] });
      const left = await contents(db, dataDir);
      assert.deepEqual(
        { rows: left.rows, objects: left.objects, files: left.files.length },
        { rows: 0, objects: 0, files: total },
      );
      const opened = await local.open(bigKey);
      assert.ok((await readAll(opened.stream)).equals(big));
      assert.deepEqual(await digestStream((await local.open(bigKey)).stream), {
        size: big.length,
        sha256: sha256(big),
      });

      // A file whose bytes no longer match what was recorded is not copied, and the source stays.
      fs.writeFileSync(local.path(bigKey), 'not what was uploaded');
      const lost = (await referencedFiles(db)).find((f) => f.key !== bigKey)!.key;
      await local.remove(lost);
      const report = await migrateFiles(db, { dataDir, to: 'postgres', deleteSource: true });
      assert.equal(report.copied, total - 2);
      assert.equal(report.problems.length, 2, report.problems.join('\n'));
      assert.ok(report.problems.some((p) => p.startsWith(`${lost}: missing from the local store`)));
      assert.ok(report.problems.some((p) => p.startsWith(`${bigKey}: the copy has 21 bytes`)));
      assert.equal(await postgres.stat(bigKey), null, 'the bad copy is removed');
      assert.ok(fs.existsSync(local.path(bigKey)), 'and the source kept');
    });
  });

  describe(`uploads and downloads through the site with FILE_STORAGE=postgres on ${engine}`, () => {
    let app: FastifyInstance;
    let editor: Client;
    let dataDir: string;

    async function upload(name: string, content: Uint8Array | string) {
      await editor.get('/datasets/lviv-budget-2024/resources/upload');
      const body = multipartBody({ _csrf: editor.csrfToken(), name, description: '' }, { name, content });
      return app.inject({
        method: 'POST',
        url: '/datasets/lviv-budget-2024/resources/upload',
        payload: body.payload,
        headers: { 'content-type': body.contentType, cookie: editor.cookieHeader },
      });
    }

    before(async () => {
      // An empty data folder that must stay empty: every byte goes to the database.
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-files-site-'));
      app = await createTestApp(engine, {
        config: { dataDir, fileStorage: 'postgres', uploadLimitBytes: 3 * CHUNK_BYTES },
      });
      editor = new Client(app);
      await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    });
    after(async () => {
      await app?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('a CSV of a few MB is stored in the database, loaded into the DataStore and downloaded whole', async () => {
      let csv = 'district,amount\n';
      for (let i = 0; csv.length < 2.5 * CHUNK_BYTES; i++) csv += `District ${i % 7},${i}\n`;
      const response = await upload('amounts.csv', csv);
      assert.equal(response.statusCode, 303, response.body);
      const id = /resources\/([0-9a-f-]{36})$/.exec(String(response.headers.location))![1]!;
      const row = (await app.db.one<{ file_key: string; size_bytes: number; sha256: string }>(
        'SELECT file_key, size_bytes, sha256 FROM resources WHERE id = $1',
        [id],
      ))!;
      assert.deepEqual(await app.db.one('SELECT size, sha256 FROM stored_files WHERE key = $1', [row.file_key]), {
        size: Buffer.byteLength(csv),
        sha256: sha256(Buffer.from(csv)),
      });
      assert.equal(row.size_bytes, Buffer.byteLength(csv));

      const tmp = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('hromada-file-')).length;
      assert.equal(await runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, app.files) }), 1);
      const info = await app.inject(`/api/3/action/datastore_search?resource_id=${id}&limit=1`);
      assert.equal(info.json().result.total, csv.split('\n').length - 2, 'every row loaded');
      assert.ok(
        fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('hromada-file-')).length <= tmp,
        'the temporary copy is removed',
      );

      const download = await app.inject(`/datasets/lviv-budget-2024/resources/${id}/download`);
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-length'], String(Buffer.byteLength(csv)));
      assert.equal(download.body, csv);
      assert.deepEqual(fs.readdirSync(dataDir).includes('files'), false, 'nothing in the data folder');
    });

    test('a too large upload and an upload cut off half-way are refused and leave no row and no large object', async () => {
      const before = await contents(app.db, dataDir);
      const big = await upload('big.csv', 'a\n' + '1\n'.repeat(2 * CHUNK_BYTES));
      assert.equal(big.statusCode, 413);
      assert.deepEqual(await contents(app.db, dataDir), before);

      await editor.get('/datasets/lviv-budget-2024/resources/upload');
      const body = multipartBody(
        { _csrf: editor.csrfToken(), name: 'cut.csv', description: '' },
        { name: 'cut.csv', content: crypto.randomBytes(2 * CHUNK_BYTES) },
      );
      const cut = await app.inject({
        method: 'POST',
        url: '/datasets/lviv-budget-2024/resources/upload',
        payload: body.payload.subarray(0, CHUNK_BYTES + 5000), // the connection dropped mid-file
        headers: { 'content-type': body.contentType, cookie: editor.cookieHeader },
      });
      assert.equal(cut.statusCode, 400, 'the client is at fault, not the server');
      assert.deepEqual(await contents(app.db, dataDir), before);
    });
  });
}
