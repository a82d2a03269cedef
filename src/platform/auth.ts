// Who is making a request: a browser session (cookie) or an API token (Authorization header).
// Sessions and tokens are stored as SHA-256 hashes; the secrets exist only on the client.
import type { Queryable } from './db/index.ts';
import { newSecret, sha256 } from './passwords.ts';

export const ROLES = ['admin', 'city_editor', 'cso_assessor', 'regional_coordinator', 'citizen'] as const;
export type Role = (typeof ROLES)[number];

export interface Membership {
  id: number;
  role: Role;
  organizationId: number | null;
  /** The city of the membership's organisation, if it has one (a city council's city). */
  cityId: number | null;
  oblastSlug: string | null;
}

export interface CurrentUser {
  id: number;
  email: string;
  displayName: string;
  locale: string;
  emailConfirmed: boolean;
  memberships: Membership[];
  isAdmin: boolean;
  /** How this request proved who it is. */
  via: 'session' | 'token';
}

export const SESSION_COOKIE = 'hromada_session';
export const SESSION_DAYS = 30;
const TOKEN_PREFIX = 'hmd_';

export async function loadUser(db: Queryable, userId: number, via: CurrentUser['via']): Promise<CurrentUser | null> {
  const user = await db.one<{
    id: number;
    email: string;
    display_name: string;
    locale: string;
    email_confirmed_at: Date | null;
  }>('SELECT id, email, display_name, locale, email_confirmed_at FROM users WHERE id = $1 AND disabled_at IS NULL', [
    userId,
  ]);
  if (!user) return null;
  const memberships = (
    await db.query<{
      id: number;
      role: Role;
      organization_id: number | null;
      city_id: number | null;
      oblast_slug: string | null;
    }>(
      `SELECT m.id, m.role, m.organization_id, o.city_id, m.oblast_slug
       FROM memberships m LEFT JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 ORDER BY m.id`,
      [userId],
    )
  ).map((m) => ({
    id: m.id,
    role: m.role,
    organizationId: m.organization_id,
    cityId: m.city_id,
    oblastSlug: m.oblast_slug,
  }));
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    locale: user.locale,
    emailConfirmed: user.email_confirmed_at !== null,
    memberships,
    isAdmin: memberships.some((m) => m.role === 'admin'),
    via,
  };
}

export async function createSession(db: Queryable, userId: number): Promise<string> {
  const { secret, hash } = newSecret();
  await db.query(
    `INSERT INTO sessions (id_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(days => $3))`,
    [hash, userId, SESSION_DAYS],
  );
  return secret;
}

export async function userForSession(db: Queryable, secret: string): Promise<CurrentUser | null> {
  const row = await db.one<{ user_id: number }>(
    'SELECT user_id FROM sessions WHERE id_hash = $1 AND expires_at > now()',
    [sha256(secret)],
  );
  return row ? loadUser(db, row.user_id, 'session') : null;
}

export async function endSession(db: Queryable, secret: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [sha256(secret)]);
}

/** Ends every session of the user, except the one whose secret is given (the person's own). */
export async function endAllSessions(db: Queryable, userId: number, exceptSecret?: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2', [
    userId,
    exceptSecret ? sha256(exceptSecret) : '',
  ]);
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** Creates a token and returns its secret, which is shown once and never stored. */
export async function createApiToken(
  db: Queryable,
  userId: number,
  name: string,
): Promise<{ token: string; id: number }> {
  const { secret } = newSecret();
  const token = TOKEN_PREFIX + secret;
  const row = await db.one<{ id: number }>(
    'INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING id',
    [userId, name, sha256(token), token.slice(0, 10)],
  );
  return { token, id: row!.id };
}

export async function listApiTokens(db: Queryable, userId: number): Promise<ApiToken[]> {
  return db.query<ApiToken>(
    'SELECT id, name, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id',
    [userId],
  );
}

export async function revokeApiToken(db: Queryable, userId: number, tokenId: number): Promise<boolean> {
  const rows = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
    [tokenId, userId],
  );
  return rows.length > 0;
}

/** Revokes every live token of the user at once; returns the ids of those it revoked. */
export async function revokeAllApiTokens(db: Queryable, userId: number): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    'UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
    [userId],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export async function userForApiToken(db: Queryable, token: string): Promise<CurrentUser | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db.one<{ id: number; user_id: number; last_used_at: Date | null }>(
    'SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256(token)],
  );
  if (!row) return null;
  // Record use at most once a minute so a busy client does not turn every read into a write.
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
  }
  return loadUser(db, row.user_id, 'token');
}
