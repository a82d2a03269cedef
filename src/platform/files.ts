// Stored files: uploads are streamed to a file store under a random key (never the name the
// client sent), with their size and SHA-256 computed on the way. Two stores (FILE_STORAGE):
// - local: files under <data folder>/files, one server's disk (the default);
// - postgres: large objects in the database, written and read in 1 MiB pieces through the
//   server-side functions lo_put and lo_get, so every server reads every file and memory stays
//   flat whatever the file's size. Works on PGlite and on a PostgreSQL server.
// Every write, read and delete of an uploaded file goes through a FileStore.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Queryable } from './db/index.ts';

export class FileTooLargeError extends Error {
  readonly statusCode = 413;
}

/** A multipart body that ends before its file does (a dropped connection) or is not multipart at all. */
export class MalformedUploadError extends Error {
  readonly statusCode = 400;
}

/** A file the database refers to is not in the store (a server whose store lacks it, or a lost file). */
export class MissingFileError extends Error {}

export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
}

export const FILE_BACKENDS = ['local', 'postgres'] as const;
export type FileBackend = (typeof FILE_BACKENDS)[number];

/** The size of each piece a file is written and read in, in the postgres store. */
export const CHUNK_BYTES = 1024 * 1024;

/** A file still being written this long after it began was left by a process that died. */
const ABANDONED_SECONDS = 24 * 60 * 60;

export interface FileStore {
  readonly backend: FileBackend;
  /**
   * Streams `source` into the store; over `maxBytes` it stops with FileTooLargeError. Whatever
   * fails, nothing of the file is left behind. `db`: the transaction to write in (postgres; a
   * caller inside a transaction must pass it). `key`: store under this key (moving files between
   * stores keeps their keys); otherwise a new random one.
   */
  put(
    source: AsyncIterable<Uint8Array> | Readable,
    maxBytes: number,
    options?: { db?: Queryable; key?: string },
  ): Promise<StoredFile>;
  /** The file's size and a stream of its bytes, read as it is consumed. MissingFileError when absent. */
  open(key: string): Promise<{ size: number; stream: Readable }>;
  /** Up to the first `bytes` bytes (to see what a file really is). */
  head(key: string, bytes: number): Promise<Buffer>;
  /** Size and SHA-256 of a complete file, or null when the store has none under the key. */
  stat(key: string): Promise<{ size: number; sha256: string } | null>;
  /** Removes the file (and, in postgres, a half-written one); nothing happens when there is none. */
  remove(key: string, options?: { db?: Queryable }): Promise<void>;
  /**
   * Runs `fn` with the path of a local file holding the bytes, for readers that need a file
   * (XLSX is a zip). The postgres store copies the file to a temporary folder first, streamed,
   * and removes it when `fn` ends, however it ends.
   */
  withLocalFile<T>(key: string, fn: (file: string) => Promise<T>): Promise<T>;
}

export function newFileKey(): string {
  const id = crypto.randomUUID();
  return `${id.slice(0, 2)}/${id}`;
}

function checkKey(key: string): string {
  if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error(`invalid file key ${key}`);
  return key;
}

/** Counts and hashes what passes, and refuses more than `maxBytes`. */
class Meter {
  size = 0;
  private readonly hash = crypto.createHash('sha256');
  private readonly maxBytes: number;
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }
  take(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new FileTooLargeError(`file larger than ${this.maxBytes} bytes`);
    this.hash.update(chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Size and SHA-256 of a stream's bytes. */
export async function digestStream(stream: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const meter = new Meter(Number.POSITIVE_INFINITY);
  for await (const chunk of stream) meter.take(chunk);
  return { size: meter.size, sha256: meter.digest() };
}

// ---- local: <data folder>/files ----

export class LocalFileStore implements FileStore {
  readonly backend = 'local';
  readonly dataDir: string;
  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  /** Where the file of `key` lives. */
  path(key: string): string {
    return path.join(this.dataDir, 'files', checkKey(key));
  }

  async put(
    source: AsyncIterable<Uint8Array> | Readable,
    maxBytes: number,
    options: { key?: string } = {},
  ): Promise<StoredFile> {
    const key = options.key ?? newFileKey();
    const target = this.path(key);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written under a temporary name and renamed once complete: a crash never leaves half a file under the key.
    const partial = `${target}.${crypto.randomBytes(6).toString('hex')}.part`;
    const meter = new Meter(maxBytes);
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            meter.take(chunk);
            yield chunk;
          }
        },
        fs.createWriteStream(partial, { flags: 'wx' }),
      );
      fs.renameSync(partial, target);
    } catch (error) {
      fs.rmSync(partial, { force: true });
      throw error;
    }
    return { key, size: meter.size, sha256: meter.digest() };
  }

  private async size(key: string): Promise<number> {
    try {
      return (await fs.promises.stat(this.path(key))).size;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT')
        throw new MissingFileError(`no file ${key} in ${this.dataDir}`);
      throw error;
    }
  }

  async open(key: string): Promise<{ size: number; stream: Readable }> {
    const size = await this.size(key);
    return { size, stream: fs.createReadStream(this.path(key)) };
  }

  head(key: string, bytes: number): Promise<Buffer> {
    return readFileHead(this.path(key), bytes);
  }

  async stat(key: string): Promise<{ size: number; sha256: string } | null> {
    if (!fs.existsSync(this.path(key))) return null;
    return digestStream(fs.createReadStream(this.path(key)));
  }

  async remove(key: string): Promise<void> {
    fs.rmSync(this.path(key), { force: true });
  }

  async withLocalFile<T>(key: string, fn: (file: string) => Promise<T>): Promise<T> {
    await this.size(key);
    return fn(this.path(key));
  }
}

// ---- postgres: large objects named by stored_files ----

export class PostgresFileStore implements FileStore {
  readonly backend = 'postgres';
  // PGlite turns bytea parameters and results into hex text one byte at a time in JavaScript
  // (about 2 MB/s); base64 text, which the server encodes and decodes, is several times faster.
  // The pg driver sends and reads bytea efficiently as it is.
  private readonly base64: boolean;
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
    this.base64 = db.engine === 'pglite';
  }

  async put(
    source: AsyncIterable<Uint8Array> | Readable,
    maxBytes: number,
    options: { db?: Queryable; key?: string } = {},
  ): Promise<StoredFile> {
    const db = options.db ?? this.db;
    const key = checkKey(options.key ?? newFileKey());
    // The row comes first, in a statement of its own: whatever happens next, the object has a
    // row naming it, and deleting the row (below, or the clean-up of abandoned files) unlinks it.
    const { lo_oid: oid } = (await db.one<{ lo_oid: number }>(
      'INSERT INTO stored_files (key, lo_oid) VALUES ($1, lo_create(0)) RETURNING lo_oid',
      [key],
    ))!;
    const meter = new Meter(maxBytes);
    let offset = 0;
    const write = async (piece: Buffer) => {
      if (this.base64)
        await db.query(`SELECT lo_put($1, $2, decode($3, 'base64'))`, [oid, offset, piece.toString('base64')]);
      else await db.query('SELECT lo_put($1, $2, $3)', [oid, offset, piece]);
      offset += piece.length;
    };
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of source) {
        meter.take(chunk);
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.length;
        while (pendingBytes >= CHUNK_BYTES) {
          const all = Buffer.concat(pending, pendingBytes);
          await write(all.subarray(0, CHUNK_BYTES));
          pending = [all.subarray(CHUNK_BYTES)];
          pendingBytes -= CHUNK_BYTES;
        }
      }
      if (pendingBytes > 0) await write(Buffer.concat(pending, pendingBytes));
      const sha256 = meter.digest();
      const done = await db.one(
        'UPDATE stored_files SET size = $2, sha256 = $3 WHERE key = $1 AND lo_oid = $4 AND size IS NULL RETURNING key',
        [key, meter.size, sha256, oid],
      );
      if (!done) throw new Error(`stored file ${key} was removed while it was being written`);
      return { key, size: meter.size, sha256 };
    } catch (error) {
      // Inside a transaction that an SQL error has aborted this fails, and the rollback removes all.
      await db.query('DELETE FROM stored_files WHERE key = $1 AND lo_oid = $2', [key, oid]).catch(() => {});
      throw error;
    }
  }

  private async row(key: string): Promise<{ lo_oid: number; size: number; sha256: string } | undefined> {
    return this.db.one('SELECT lo_oid, size, sha256 FROM stored_files WHERE key = $1 AND size IS NOT NULL', [
      checkKey(key),
    ]);
  }

  private async read(oid: number, offset: number, length: number): Promise<Buffer> {
    if (this.base64) {
      const row = await this.db.one<{ data: string }>(`SELECT encode(lo_get($1, $2, $3), 'base64') AS data`, [
        oid,
        offset,
        length,
      ]);
      return Buffer.from(row!.data, 'base64');
    }
    const row = await this.db.one<{ data: Uint8Array }>('SELECT lo_get($1, $2, $3) AS data', [oid, offset, length]);
    return Buffer.from(row!.data.buffer, row!.data.byteOffset, row!.data.byteLength);
  }

  async open(key: string): Promise<{ size: number; stream: Readable }> {
    const row = await this.row(key);
    if (!row) throw new MissingFileError(`no file ${key} in the database`);
    const read = this.read.bind(this);
    async function* pieces() {
      for (let offset = 0; offset < row!.size; offset += CHUNK_BYTES) {
        const length = Math.min(CHUNK_BYTES, row!.size - offset);
        const piece = await read(row!.lo_oid, offset, length);
        if (piece.length !== length) throw new Error(`stored file ${key} is shorter than its recorded size`);
        yield piece;
      }
    }
    // Nothing is read until the stream is; one piece ahead at most.
    return { size: row.size, stream: Readable.from(pieces(), { objectMode: false, highWaterMark: CHUNK_BYTES }) };
  }

  async head(key: string, bytes: number): Promise<Buffer> {
    const row = await this.row(key);
    if (!row) throw new MissingFileError(`no file ${key} in the database`);
    return this.read(row.lo_oid, 0, Math.min(bytes, row.size));
  }

  async stat(key: string): Promise<{ size: number; sha256: string } | null> {
    const row = await this.row(key);
    return row ? { size: row.size, sha256: row.sha256 } : null;
  }

  async remove(key: string, options: { db?: Queryable } = {}): Promise<void> {
    // The trigger on stored_files unlinks the large object in the same transaction.
    await (options.db ?? this.db).query('DELETE FROM stored_files WHERE key = $1', [checkKey(key)]);
  }

  async withLocalFile<T>(key: string, fn: (file: string) => Promise<T>): Promise<T> {
    const { stream } = await this.open(key);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-file-'));
    try {
      const file = path.join(dir, 'file');
      await pipeline(stream, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
      return await fn(file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The store FILE_STORAGE names. */
export function openFileStore(config: { fileStorage: FileBackend; dataDir: string }, db: Database): FileStore {
  return config.fileStorage === 'postgres' ? new PostgresFileStore(db) : new LocalFileStore(config.dataDir);
}

/** A store, or a data folder for the local store in it (as callers that only know a folder pass). */
export function fileStoreOf(files: FileStore | string): FileStore {
  return typeof files === 'string' ? new LocalFileStore(files) : files;
}

/**
 * Deletes files of the postgres store that a process began writing a day or more ago and never
 * finished (it died mid-upload); their large objects go with them. Returns their keys.
 */
export async function removeAbandonedFiles(db: Queryable, olderThanSeconds = ABANDONED_SECONDS): Promise<string[]> {
  const rows = await db.query<{ key: string }>(
    'DELETE FROM stored_files WHERE size IS NULL AND created_at < now() - make_interval(secs => $1) RETURNING key',
    [olderThanSeconds],
  );
  return rows.map((row) => row.key);
}

/**
 * A Content-Disposition naming a file as people named it: an ASCII fallback for old clients and
 * the real name in `filename*` (RFC 6266, RFC 5987). A raw Cyrillic name in a header is invalid
 * and made Node refuse the response.
 */
export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Sends a stored file as the reply's body, with its Content-Length; the type and other headers
 * are the caller's. A HEAD request gets the headers without the file being read.
 */
export async function sendStoredFile(
  request: FastifyRequest,
  reply: FastifyReply,
  files: FileStore,
  key: string,
): Promise<FastifyReply> {
  const file = await files.open(key);
  reply.header('content-length', String(file.size));
  if (request.method === 'HEAD') {
    file.stream.destroy();
    return reply.send(Readable.from([]));
  }
  return reply.send(file.stream);
}

/** A file name safe to show and to offer for download: no path, no control characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return cleaned || 'file';
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  stored: { file: StoredFile; fileName: string } | null;
}

/**
 * Reads a multipart request: its text fields, and its first file streamed to the store.
 * `beforeFile` sees the fields that came before the file and may refuse it (a CSRF check); it runs
 * once, also when no file comes;
 * a file over `maxBytes` is removed and FileTooLargeError thrown. Nothing is left stored on error.
 */
export async function receiveUpload(
  request: { parts(): AsyncIterableIterator<MultipartPart> },
  files: FileStore,
  maxBytes: number,
  beforeFile: (fields: Record<string, string>) => Promise<void> = async () => {},
): Promise<ReceivedUpload> {
  const fields: Record<string, string> = {};
  let stored: ReceivedUpload['stored'] = null;
  let checked = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (!checked) await beforeFile(fields);
      checked = true;
      if (stored || !part.filename) {
        part.file.resume();
        continue;
      }
      stored = { file: await files.put(part.file, maxBytes), fileName: part.filename };
      if (part.file.truncated) throw new FileTooLargeError('too large');
    }
    // A form without a file is checked all the same (a CSRF check refuses it before anything else).
    if (!checked) await beforeFile(fields);
  } catch (error) {
    // A failed removal must not hide why the upload failed.
    if (stored) await files.remove(stored.file.key).catch(() => {});
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new FileTooLargeError('too large');
    // The multipart parser's own errors are the client's: its body was cut off or malformed.
    if (
      !(error as { statusCode?: number }).statusCode &&
      /unexpected end of multipart data|Boundary not found/i.test((error as Error).message)
    )
      throw new MalformedUploadError(`the upload is incomplete or malformed: ${(error as Error).message}`);
    throw error;
  }
  return { fields, stored };
}

/** The shape of @fastify/multipart's parts that receiveUpload needs. */
type MultipartPart =
  | { type: 'field'; fieldname: string; value: unknown }
  | { type: 'file'; fieldname: string; filename: string; file: Readable & { truncated: boolean } };

export type SniffedType = 'pdf' | 'png' | 'jpeg' | 'webp';

export const MIME_TYPES: Record<SniffedType, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** What a stored file really is, from its first bytes, whatever its name says; null when none of these. */
export async function sniffFileType(files: FileStore, key: string): Promise<SniffedType | null> {
  const head = Buffer.alloc(12);
  (await files.head(key, 12)).copy(head);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  return null;
}

/** The first `bytes` bytes of a file on disk (fewer if it is shorter). */
export async function readFileHead(filePath: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
