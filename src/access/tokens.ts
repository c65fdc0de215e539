import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { Role } from './accounts.ts';

/** Tokens given in FACTEUR_TOKENS: `owner:token,owner:token`. */
export interface ConfiguredToken {
  owner: string;
  token: string;
}

/** An owner's name: a token's owner, an organisation of FACTEUR_AUTH=accounts. */
export const OWNER = /^[A-Za-z0-9._@-]{1,100}$/;

/**
 * Names no token, account or claim may own: the database's roles and the words a reader takes for
 * the system itself, so that no owner passes for an administrator in a log, a metric or an export.
 * `local` is not among them: it is the one owner of FACTEUR_AUTH=none (and of a watched folder by
 * default), and a token created for it is how an operator keeps those invoices on moving to `token`.
 */
export const RESERVED_OWNERS: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'facteur',
  'postgres',
  'public',
  'anon',
  'authenticated',
  'service_role',
  'supabase_admin',
  'metrics',
  'cron',
]);

/** Whether `owner` is reserved (compared without case, as a person reads it). */
export function isReservedOwner(owner: string): boolean {
  return RESERVED_OWNERS.has(owner.toLowerCase());
}

const RESERVED_MESSAGE = `is reserved (${[...RESERVED_OWNERS].join(', ')}): choose another owner name.`;
const MIN_TOKEN_LENGTH = 24;

export function parseConfiguredTokens(text: string): ConfiguredToken[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const owner = entry.slice(0, colon);
      const token = entry.slice(colon + 1);
      if (colon < 1 || !OWNER.test(owner) || token.length < MIN_TOKEN_LENGTH) {
        throw new InvalidInputError(
          'INVALID_TOKENS',
          `FACTEUR_TOKENS entries are owner:token, owners of letters, digits and . _ @ -, tokens of ${MIN_TOKEN_LENGTH} characters or more.`,
        );
      }
      if (isReservedOwner(owner)) throw new InvalidInputError('RESERVED_OWNER', `FACTEUR_TOKENS: the owner "${owner}" ${RESERVED_MESSAGE}`);
      return { owner, token };
    });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

// By hash, so the lookup reveals nothing about how close a wrong token came.
const OWNER_OF_TOKEN = `SELECT owner, role FROM api_tokens WHERE token_sha256 = $1`;

/**
 * The owner a bearer token stands for, and its role, or null. Configured tokens are compared by
 * their SHA-256 in constant time, every one of them, so the time taken does not tell which came
 * close; they stand for members (an administrator's token is made with `facteur token create --role admin`).
 */
export async function ownerOfToken(
  sql: Sql,
  token: string,
  configured: readonly ConfiguredToken[],
): Promise<{ owner: string; role: Role } | null> {
  const digest = sha256(token);
  let match: string | null = null;
  for (const entry of configured) {
    if (timingSafeEqual(digest, sha256(entry.token))) match ??= entry.owner;
  }
  if (match) return { owner: match, role: 'member' };
  const { rows } = await sql.query<{ owner: string; role: Role }>(OWNER_OF_TOKEN, [digest.toString('hex')]);
  return rows[0] ?? null;
}

/** Creates a token for `owner`; the only time its text is seen is now. */
export async function createToken(sql: Sql, owner: string, label?: string, role: Role = 'member'): Promise<string> {
  if (!OWNER.test(owner)) throw new InvalidInputError('INVALID_OWNER', 'An owner is 1 to 100 letters, digits and . _ @ -.');
  if (isReservedOwner(owner)) throw new InvalidInputError('RESERVED_OWNER', `The owner "${owner}" ${RESERVED_MESSAGE}`);
  const token = `fct_${randomBytes(32).toString('base64url')}`;
  await sql.query('INSERT INTO api_tokens (token_sha256, owner, label, role) VALUES ($1, $2, $3, $4)', [
    sha256(token).toString('hex'),
    owner,
    label ?? null,
    role,
  ]);
  return token;
}

/** Revokes a token, given the token itself; returns whether it existed. */
export async function revokeToken(sql: Sql, token: string): Promise<boolean> {
  const { rowCount } = await sql.query('DELETE FROM api_tokens WHERE token_sha256 = $1', [sha256(token).toString('hex')]);
  return rowCount > 0;
}
