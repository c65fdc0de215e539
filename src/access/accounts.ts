import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/types.ts';
import { InvalidInputError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { OWNER } from './tokens.ts';

export type Role = 'admin' | 'member';
export const ROLES: readonly Role[] = ['admin', 'member'];

/** Who a session stands for: the organisation is the owner of the invoices its people see. */
export interface Account {
  email: string;
  organisation: string;
  role: Role;
}

/** A session lasts this long from sign-in; signing out, `facteur user remove` or `reset` end it sooner. */
export const SESSION_DAYS = 14;

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The e-mail as an account keeps it (lower case), or an error saying what is wrong. */
export function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (!EMAIL.test(normalised) || normalised.length > 254) {
    throw new InvalidInputError('INVALID_EMAIL', 'An e-mail address looks like name@example.org.');
  }
  return normalised;
}

function checkAccount(organisation: string, role: string): void {
  if (!OWNER.test(organisation)) {
    throw new InvalidInputError('INVALID_ORGANISATION', 'An organisation name is 1 to 100 letters, digits and . _ @ -.');
  }
  if (!ROLES.includes(role as Role)) throw new InvalidInputError('INVALID_ROLE', 'A role is admin or member.');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// The organisation is created with its first user (its row is locked by the insert, or left as it
// is). The users' unique e-mail refuses a second account for one address: the constraint decides,
// so two concurrent adds cannot both succeed.
const ADD_ORGANISATION = 'INSERT INTO organisations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING';
const ADD_USER = `
  INSERT INTO users (email, organisation, role, password_hash) VALUES ($1, $2, $3, $4)
  ON CONFLICT (email) DO NOTHING
  RETURNING id`;

/** `facteur user add`: a person of an organisation (created with its first user). */
export async function addUser(sql: Sql, account: Account, password: string): Promise<void> {
  const email = normaliseEmail(account.email);
  checkAccount(account.organisation, account.role);
  const hash = await hashPassword(password);
  await sql.query(ADD_ORGANISATION, [account.organisation]);
  const { rowCount } = await sql.query(ADD_USER, [email, account.organisation, account.role, hash]);
  if (rowCount === 0) throw new InvalidInputError('USER_EXISTS', `${email} already has an account; use facteur user reset.`);
}

/** `facteur user remove`: the user and, by the cascade, every session of theirs. */
export async function removeUser(sql: Sql, email: string): Promise<boolean> {
  const { rowCount } = await sql.query('DELETE FROM users WHERE email = $1', [normaliseEmail(email)]);
  return rowCount > 0;
}

// One statement: the new password or role, and every session of the user ended with it, so a
// stolen session does not outlive the reset. Locks the user's row, then its sessions.
const RESET_USER = `
  WITH changed AS (
    UPDATE users SET password_hash = coalesce($2, password_hash), role = coalesce($3, role), updated_at = now()
    WHERE email = $1 RETURNING id
  ), ended AS (
    DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed)
  )
  SELECT count(*)::int AS users FROM changed`;

/** `facteur user reset`: a new password and/or role; the user's sessions end. */
export async function resetUser(sql: Sql, email: string, change: { password?: string; role?: Role }): Promise<boolean> {
  if (change.role !== undefined && !ROLES.includes(change.role)) throw new InvalidInputError('INVALID_ROLE', 'A role is admin or member.');
  const hash = change.password === undefined ? null : await hashPassword(change.password);
  const { rows } = await sql.query<{ users: number }>(RESET_USER, [normaliseEmail(email), hash, change.role ?? null]);
  return rows[0]!.users > 0;
}

const USER_BY_EMAIL = `SELECT id, email, organisation, role, password_hash FROM users WHERE email = $1`;

// A new session; the user's expired ones go with the same statement, so the table does not grow.
const CREATE_SESSION = `
  WITH expired AS (
    DELETE FROM sessions WHERE user_id = $2 AND expires_at <= now()
  )
  INSERT INTO sessions (token_sha256, user_id, expires_at) VALUES ($1, $2, now() + make_interval(days => $3))`;

/**
 * Checks an e-mail and password; on success opens a session and answers its token (the cookie's
 * value, seen only now) with the account. An unknown e-mail costs the same hashing as a wrong password.
 */
export async function signIn(sql: Sql, email: string, password: string): Promise<{ token: string; account: Account } | null> {
  const { rows } = await sql.query<Account & { id: string; password_hash: string }>(USER_BY_EMAIL, [email]);
  const user = rows[0];
  const matches = await verifyPassword(password, user?.password_hash ?? null);
  if (!user || !matches) return null;
  const token = randomBytes(32).toString('base64url');
  await sql.query(CREATE_SESSION, [sha256(token), user.id, SESSION_DAYS]);
  return { token, account: { email: user.email, organisation: user.organisation, role: user.role } };
}

const ACCOUNT_OF_SESSION = `
  SELECT u.email, u.organisation, u.role FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_sha256 = $1 AND s.expires_at > now()`;

/** The account a session cookie stands for, or null (unknown, ended, expired). */
export async function accountOfSession(sql: Sql, token: string): Promise<Account | null> {
  const { rows } = await sql.query<Account>(ACCOUNT_OF_SESSION, [sha256(token)]);
  return rows[0] ?? null;
}

/** Signing out: the session is deleted, so its cookie is worthless even if kept. */
export async function endSession(sql: Sql, token: string): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE token_sha256 = $1', [sha256(token)]);
}
