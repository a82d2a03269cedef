// People: registration, e-mail confirmation, login, password reset, and the memberships that
// give them roles. Every change made on someone's behalf lands in the audit log.
import { likePattern, type Queryable } from '../../platform/db/index.ts';
import { Checker } from '../../platform/validate.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { hashPassword, newSecret, sha256, verifyPassword } from '../../platform/passwords.ts';
import { endAllSessions, revokeAllApiTokens, ROLES, type Role } from '../../platform/auth.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { queueMail } from '../../platform/mail.ts';
import { isLocale, translator, type Locale } from '../../platform/i18n/locales.ts';

export const PASSWORD_MIN = 10;
const CONFIRM_HOURS = 72;
const RESET_HOURS = 2;

export interface UserRow {
  id: number;
  email: string;
  display_name: string;
  locale: Locale;
  email_confirmed_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
}

const USER_COLUMNS = 'id, email, display_name, locale, email_confirmed_at, disabled_at, created_at';

export interface Registration {
  email: string;
  displayName: string;
  password: string;
  locale: Locale;
  /** The city the person lives in, by slug (optional). */
  homeCity: string | null;
}

/** The privacy notice a registration agrees to (/privacy); raise it when the notice changes. */
export const PRIVACY_NOTICE_VERSION = '2026-12';

export function parseRegistration(body: unknown, locale: Locale): Registration {
  const check = new Checker(body);
  const registration = {
    email: check.email('email'),
    displayName: check.text('display_name', { required: true, max: 100 }),
    password: check.password('password', PASSWORD_MIN),
    locale,
    homeCity: check.text('home_city', { max: 100 }) || null,
  };
  const input = (body ?? {}) as Record<string, unknown>;
  // Consent must be given, not assumed: the box is unticked until the person ticks it.
  if (input.privacy_consent !== 'yes') check.fail('privacy_consent', 'validation.privacy_consent');
  if (registration.password && input.password_confirm !== registration.password)
    check.fail('password_confirm', 'validation.password_mismatch');
  check.done();
  return registration;
}

async function issueEmailToken(
  db: Queryable,
  userId: number,
  purpose: 'confirm_email' | 'reset_password',
  hours: number,
): Promise<string> {
  const { secret, hash } = newSecret();
  await db.query(
    `INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [hash, userId, purpose, hours],
  );
  return secret;
}

async function sendConfirmation(
  db: Queryable,
  user: { id: number; email: string; display_name: string; locale: Locale },
  publicUrl: string,
) {
  const token = await issueEmailToken(db, user.id, 'confirm_email', CONFIRM_HOURS);
  const t = translator(user.locale);
  await queueMail(
    db,
    user.email,
    t('mail.confirm_subject'),
    t('mail.confirm_body', {
      name: user.display_name,
      link: `${publicUrl}/confirm?token=${token}`,
      hours: CONFIRM_HOURS,
    }),
  );
}

export async function registerUser(
  db: Queryable,
  registration: Registration,
  publicUrl: string,
  ip: string | null,
): Promise<UserRow> {
  if (await db.one('SELECT 1 FROM users WHERE email = $1', [registration.email])) {
    throw new ValidationError([{ field: 'email', message: 'validation.email_taken' }], 409);
  }
  const homeCity = registration.homeCity
    ? await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [registration.homeCity])
    : undefined;
  if (registration.homeCity && !homeCity)
    throw new ValidationError([{ field: 'home_city', message: 'validation.unknown_city' }]);
  const user = (await db.one<UserRow>(
    `INSERT INTO users (email, display_name, password_hash, locale, home_city_id, privacy_consent_at, privacy_notice_version)
     VALUES ($1, $2, $3, $4, $5, now(), $6) RETURNING ${USER_COLUMNS}`,
    [
      registration.email,
      registration.displayName,
      await hashPassword(registration.password),
      registration.locale,
      homeCity?.id ?? null,
      PRIVACY_NOTICE_VERSION,
    ],
  ))!;
  await db.query(`INSERT INTO memberships (user_id, role) VALUES ($1, 'citizen')`, [user.id]);
  await sendConfirmation(db, user, publicUrl);
  await recordAudit(db, { userId: user.id, label: user.email, ip }, 'user.register', 'user', user.id, null, {
    email: user.email,
    display_name: user.display_name,
  });
  return user;
}

/** Marks the address confirmed; returns the user's id, or null for an unknown, used or expired link. */
export async function confirmEmail(db: Queryable, token: string): Promise<number | null> {
  const row = await db.one<{ user_id: number }>(
    `UPDATE email_tokens SET used_at = now()
     WHERE token_hash = $1 AND purpose = 'confirm_email' AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
    [sha256(token)],
  );
  if (!row) return null;
  await db.query('UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1', [
    row.user_id,
  ]);
  await recordAudit(
    db,
    { userId: row.user_id, label: 'email-link' },
    'user.confirm_email',
    'user',
    row.user_id,
    null,
    null,
  );
  return row.user_id;
}

export async function resendConfirmation(db: Queryable, userId: number, publicUrl: string): Promise<void> {
  const user = await getUser(db, userId);
  if (!user.email_confirmed_at) await sendConfirmation(db, user, publicUrl);
}

// A real hash of a random password, so that an unknown e-mail takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** The user id for a correct e-mail and password of an active account, else null. */
export async function authenticate(db: Queryable, email: string, password: string): Promise<number | null> {
  const user = await db.one<{ id: number; password_hash: string; disabled_at: Date | null }>(
    'SELECT id, password_hash, disabled_at FROM users WHERE email = $1',
    [email.trim().toLowerCase()],
  );
  if (!user) {
    await verifyPassword(password, await (dummyHash ??= hashPassword(newSecret().secret)));
    return null;
  }
  const ok = await verifyPassword(password, user.password_hash);
  return ok && !user.disabled_at ? user.id : null;
}

/** Sends a reset link if the account exists; says nothing either way, so addresses can't be probed. */
export async function requestPasswordReset(db: Queryable, email: string, publicUrl: string): Promise<void> {
  const user = await db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1 AND disabled_at IS NULL`, [
    email.trim().toLowerCase(),
  ]);
  if (!user) return;
  const token = await issueEmailToken(db, user.id, 'reset_password', RESET_HOURS);
  const t = translator(user.locale);
  await queueMail(
    db,
    user.email,
    t('mail.reset_subject'),
    t('mail.reset_body', { name: user.display_name, link: `${publicUrl}/reset?token=${token}`, hours: RESET_HOURS }),
  );
}

export async function isResetTokenValid(db: Queryable, token: string): Promise<boolean> {
  return !!(await db.one(
    `SELECT 1 FROM email_tokens WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > now()`,
    [sha256(token)],
  ));
}

export function parseNewPassword(body: unknown): string {
  const check = new Checker(body);
  const password = check.password('password', PASSWORD_MIN);
  if (password && (body as Record<string, unknown>).password_confirm !== password)
    check.fail('password_confirm', 'validation.password_mismatch');
  check.done();
  return password;
}

/** Sets a new password through a reset link; ends every session and revokes every API token of the account. */
export async function resetPassword(
  db: Queryable,
  token: string,
  password: string,
  ip: string | null,
): Promise<number | null> {
  const row = await db.one<{ user_id: number }>(
    `UPDATE email_tokens SET used_at = now()
     WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
    [sha256(token)],
  );
  if (!row) return null;
  // Following the link proves the address too.
  await db.query(
    'UPDATE users SET password_hash = $1, email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $2',
    [await hashPassword(password), row.user_id],
  );
  // Whoever knew the old password may have made sessions and tokens with it: all of them end.
  await endAllSessions(db, row.user_id);
  const revoked = await revokeAllApiTokens(db, row.user_id);
  await recordAudit(
    db,
    { userId: row.user_id, label: 'reset-link', ip },
    'user.reset_password',
    'user',
    row.user_id,
    null,
    { sessions_ended: 'all', api_tokens_revoked: revoked },
  );
  return row.user_id;
}

/** Changes a signed-in person's password after checking the current one; ends their other sessions and revokes their API tokens. */
export async function changePassword(
  db: Queryable,
  userId: number,
  body: unknown,
  currentSession: string,
  ip: string | null,
): Promise<void> {
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const current = typeof input.current_password === 'string' ? input.current_password : '';
  if (!current) check.fail('current_password', 'validation.required');
  const password = check.password('password', PASSWORD_MIN);
  if (password && input.password_confirm !== password) check.fail('password_confirm', 'validation.password_mismatch');
  check.done();
  const row = await db.one<{ password_hash: string; email: string }>(
    'SELECT password_hash, email FROM users WHERE id = $1',
    [userId],
  );
  if (!row || !(await verifyPassword(current, row.password_hash))) {
    throw new ValidationError([{ field: 'current_password', message: 'validation.wrong_password' }]);
  }
  await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [await hashPassword(password), userId]);
  // The other sessions and every API token end; the person stays signed in here.
  await endAllSessions(db, userId, currentSession);
  const revoked = await revokeAllApiTokens(db, userId);
  await recordAudit(db, { userId, label: row.email, ip }, 'user.change_password', 'user', userId, null, {
    sessions_ended: 'others',
    api_tokens_revoked: revoked,
  });
}

export async function getUser(db: Queryable, id: number): Promise<UserRow> {
  const user = await db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  if (!user) throw new NotFoundError(`user ${id}`);
  return user;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email.trim().toLowerCase()]);
}

export async function listUsers(
  db: Queryable,
  filter: { q?: string; limit: number; offset: number },
): Promise<{ items: UserRow[]; total: number }> {
  const where = filter.q ? `WHERE email LIKE $1 OR lower(display_name) LIKE $1` : '';
  const params = filter.q ? [likePattern(filter.q.toLowerCase())] : [];
  const items = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users ${where} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const count = await db.one<{ total: number }>(`SELECT count(*)::int AS total FROM users ${where}`, params);
  return { items, total: count!.total };
}

export interface MembershipRow {
  id: number;
  role: Role;
  organization_id: number | null;
  organization_slug: string | null;
  oblast_slug: string | null;
}

export async function listMemberships(db: Queryable, userId: number): Promise<MembershipRow[]> {
  return db.query<MembershipRow>(
    `SELECT m.id, m.role, m.organization_id, o.slug AS organization_slug, m.oblast_slug
     FROM memberships m LEFT JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 ORDER BY m.id`,
    [userId],
  );
}

/** Grants a role. City editors and CSO assessors belong to an organisation; coordinators to an oblast. */
export async function addMembership(db: Queryable, actor: Actor, userId: number, body: unknown): Promise<void> {
  const check = new Checker(body);
  const role = check.oneOf('role', ROLES);
  const organizationSlug = check.text('organization', { max: 80 });
  const oblastSlug = check.text('oblast', { max: 80 });
  let organizationId: number | null = null;
  if (organizationSlug) {
    const org = await db.one<{ id: number; kind: string }>('SELECT id, kind FROM organizations WHERE slug = $1', [
      organizationSlug,
    ]);
    if (!org) check.fail('organization', 'validation.one_of');
    else {
      organizationId = org.id;
      if (role === 'city_editor' && org.kind !== 'city_council')
        check.fail('organization', 'validation.editor_needs_council');
      if (role === 'cso_assessor' && org.kind !== 'cso') check.fail('organization', 'validation.assessor_needs_cso');
    }
  }
  if ((role === 'city_editor' || role === 'cso_assessor') && !organizationSlug)
    check.fail('organization', 'validation.role_needs_organization');
  if (role === 'regional_coordinator') {
    if (!oblastSlug) check.fail('oblast', 'validation.role_needs_oblast');
    else if (!(await db.one('SELECT 1 FROM oblasts WHERE slug = $1', [oblastSlug])))
      check.fail('oblast', 'validation.one_of');
  }
  check.done();
  await getUser(db, userId);
  const scope = {
    organization_id: role === 'city_editor' || role === 'cso_assessor' || role === 'admin' ? organizationId : null,
    oblast_slug: role === 'regional_coordinator' ? oblastSlug : null,
  };
  const created = await db.one<{ id: number }>(
    `INSERT INTO memberships (user_id, role, organization_id, oblast_slug) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING id`,
    [userId, role, scope.organization_id, scope.oblast_slug],
  );
  if (!created) throw new ValidationError([{ field: 'role', message: 'validation.membership_exists' }], 409);
  await recordAudit(db, actor, 'membership.create', 'user', userId, null, {
    membership_id: created.id,
    role,
    ...scope,
  });
}

export async function removeMembership(
  db: Queryable,
  actor: Actor,
  userId: number,
  membershipId: number,
): Promise<void> {
  // An admin cannot take away their own admin role: there would be no one left to undo it.
  const target = await db.one<{ role: Role }>('SELECT role FROM memberships WHERE id = $1 AND user_id = $2', [
    membershipId,
    userId,
  ]);
  if (target?.role === 'admin' && actor.userId === userId) {
    throw new ValidationError([{ field: 'role', message: 'validation.cannot_remove_own_admin' }]);
  }
  const before = await db.one<MembershipRow>(
    'DELETE FROM memberships WHERE id = $1 AND user_id = $2 RETURNING id, role, organization_id, oblast_slug',
    [membershipId, userId],
  );
  if (!before) throw new NotFoundError(`membership ${membershipId}`);
  await recordAudit(
    db,
    actor,
    'membership.delete',
    'user',
    userId,
    {
      membership_id: before.id,
      role: before.role,
      organization_id: before.organization_id,
      oblast_slug: before.oblast_slug,
    },
    null,
  );
}

/** Admin changes to an account: name, disabled, confirmed. */
export async function updateUserByAdmin(db: Queryable, actor: Actor, userId: number, body: unknown): Promise<void> {
  const check = new Checker(body);
  const displayName = check.text('display_name', { required: true, max: 100 });
  const locale = check.text('locale', { max: 2 });
  check.done();
  const input = (body ?? {}) as Record<string, unknown>;
  const before = await getUser(db, userId);
  const disabled = input.disabled === 'on' || input.disabled === true;
  const confirmed = input.confirmed === 'on' || input.confirmed === true;
  if (disabled && actor.userId === userId)
    throw new ValidationError([{ field: 'disabled', message: 'validation.cannot_disable_self' }]);
  await db.query(
    `UPDATE users SET display_name = $2, locale = $3,
       disabled_at = CASE WHEN $4::boolean THEN coalesce(disabled_at, now()) ELSE NULL END,
       email_confirmed_at = CASE WHEN $5::boolean THEN coalesce(email_confirmed_at, now()) ELSE NULL END
     WHERE id = $1`,
    [userId, displayName, isLocale(locale) ? locale : before.locale, disabled, confirmed],
  );
  if (disabled) await endAllSessions(db, userId);
  const after = await getUser(db, userId);
  const view = (u: UserRow) => ({
    display_name: u.display_name,
    locale: u.locale,
    disabled: u.disabled_at !== null,
    confirmed: u.email_confirmed_at !== null,
  });
  await recordAudit(db, actor, 'user.update', 'user', userId, view(before), view(after));
}

const INVITE_HOURS = 72;

/**
 * An admin invites someone: the account is created with the address confirmed and no usable
 * password, and the person gets a link to choose one (a password-reset link that lasts longer).
 */
export async function inviteUser(db: Queryable, actor: Actor, body: unknown, publicUrl: string): Promise<UserRow> {
  const check = new Checker(body);
  const email = check.email('email');
  const displayName = check.text('display_name', { required: true, max: 100 });
  const locale = check.oneOf('locale', ['uk', 'en', 'bg'] as const) ?? 'uk';
  check.done();
  if (await findUserByEmail(db, email))
    throw new ValidationError([{ field: 'email', message: 'validation.email_taken' }], 409);
  const user = (await db.one<UserRow>(
    `INSERT INTO users (email, display_name, password_hash, locale, email_confirmed_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${USER_COLUMNS}`,
    [email, displayName, await hashPassword(newSecret().secret), locale],
  ))!;
  await db.query(`INSERT INTO memberships (user_id, role) VALUES ($1, 'citizen')`, [user.id]);
  const token = await issueEmailToken(db, user.id, 'reset_password', INVITE_HOURS);
  const t = translator(locale);
  await queueMail(
    db,
    email,
    t('mail.invite_subject'),
    t('mail.invite_body', {
      name: displayName,
      inviter: actor.label,
      link: `${publicUrl}/reset?token=${token}`,
      hours: INVITE_HOURS,
    }),
  );
  await recordAudit(db, actor, 'user.invite', 'user', user.id, null, { email, display_name: displayName, locale });
  return user;
}

/** For the command line and the demo seed: an account that is already confirmed, with one role. */
export async function createConfirmedUser(
  db: Queryable,
  actor: Actor,
  options: {
    email: string;
    password: string;
    displayName?: string;
    role: Role;
    organization?: string;
    oblast?: string;
    locale?: Locale;
  },
): Promise<UserRow> {
  const check = new Checker({ email: options.email, password: options.password });
  const email = check.email('email');
  const password = check.password('password', PASSWORD_MIN);
  check.done();
  if (await findUserByEmail(db, email))
    throw new ValidationError([{ field: 'email', message: 'validation.email_taken' }], 409);
  const user = (await db.one<UserRow>(
    `INSERT INTO users (email, display_name, password_hash, locale, email_confirmed_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${USER_COLUMNS}`,
    [email, options.displayName || email.split('@')[0]!, await hashPassword(password), options.locale ?? 'uk'],
  ))!;
  await recordAudit(db, actor, 'user.create', 'user', user.id, null, { email, display_name: user.display_name });
  if (options.role !== 'citizen')
    await db.query(`INSERT INTO memberships (user_id, role) VALUES ($1, 'citizen')`, [user.id]);
  await addMembership(db, actor, user.id, {
    role: options.role,
    organization: options.organization ?? '',
    oblast: options.oblast ?? '',
  });
  return user;
}
