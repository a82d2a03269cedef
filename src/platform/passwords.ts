// Password hashing with argon2id (Node's built-in implementation), stored as a PHC string.
// Parameters follow OWASP's minimum: 19 MiB memory, 2 passes, 1 lane.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const argon2 = promisify(crypto.argon2);
const PARAMS = { memory: 19456, passes: 2, parallelism: 1, tagLength: 32 };

export async function hashPassword(password: string): Promise<string> {
  const nonce = crypto.randomBytes(16);
  const hash = await argon2('argon2id', { message: password, nonce, ...PARAMS });
  const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(nonce)}$${b64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!match) return false;
  const expected = Buffer.from(match[5]!, 'base64');
  const actual = await argon2('argon2id', {
    message: password,
    nonce: Buffer.from(match[4]!, 'base64'),
    memory: Number(match[1]),
    passes: Number(match[2]),
    parallelism: Number(match[3]),
    tagLength: expected.length,
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** A random secret for a cookie, link or token, and the SHA-256 under which it is stored. */
export function newSecret(bytes = 32): { secret: string; hash: string } {
  const secret = crypto.randomBytes(bytes).toString('base64url');
  return { secret, hash: sha256(secret) };
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
