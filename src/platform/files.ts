// Stored files: uploads are streamed to <data folder>/files under a random key (never the
// name the client sent), with their size and SHA-256 computed on the way.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';

export class FileTooLargeError extends Error {
  readonly statusCode = 413;
}

export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
}

export function filePath(dataDir: string, key: string): string {
  if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error(`invalid file key ${key}`);
  return path.join(dataDir, 'files', key);
}

export async function storeStream(dataDir: string, source: Readable, maxBytes: number): Promise<StoredFile> {
  const id = crypto.randomUUID();
  const key = `${id.slice(0, 2)}/${id}`;
  const target = filePath(dataDir, key);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new FileTooLargeError(`file larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    fs.rmSync(target, { force: true });
    throw error;
  }
  return { key, size, sha256: hash.digest('hex') };
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
 * Reads a multipart request: its text fields, and its first file streamed to storage.
 * `beforeFile` sees the fields that came before the file and may refuse it (a CSRF check); it runs
 * once, also when no file comes;
 * a file over `maxBytes` is removed and FileTooLargeError thrown. Nothing is left on disk on error.
 */
export async function receiveUpload(
  request: { parts(): AsyncIterableIterator<MultipartPart> },
  dataDir: string,
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
      stored = { file: await storeStream(dataDir, part.file, maxBytes), fileName: part.filename };
      if (part.file.truncated) throw new FileTooLargeError('too large');
    }
    // A form without a file is checked all the same (a CSRF check refuses it before anything else).
    if (!checked) await beforeFile(fields);
  } catch (error) {
    if (stored) fs.rmSync(filePath(dataDir, stored.file.key), { force: true });
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new FileTooLargeError('too large');
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
export function sniffFileType(dataDir: string, key: string): SniffedType | null {
  const head = Buffer.alloc(12);
  const fd = fs.openSync(filePath(dataDir, key), 'r');
  try {
    fs.readSync(fd, head, 0, 12, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  return null;
}
