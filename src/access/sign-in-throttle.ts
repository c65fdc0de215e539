import type { Sql } from '../db/types.ts';

/** Attempts allowed per 15-minute window: for one account (guessing its password), and from one address (trying many accounts). */
export const SIGN_IN_LIMITS = { account: 5, address: 30 } as const;

export interface SignInSubjects {
  /** The e-mail as typed, in lower case: counted whether or not an account has it, so a 429 tells nothing. */
  email: string;
  /** The client's address as the nearest proxy saw it (see `clientAddress`). */
  address: string;
}

const WINDOW = `date_bin('15 minutes', now(), timestamptz 'epoch')`;

// Counts one attempt for each subject in the current window and answers the new counts; the same
// statement drops every past window, so the table only ever holds the current one. The rows'
// locks serialise concurrent attempts on a subject, on any instance; subjects come sorted, so two
// attempts always lock in the same order.
const COUNT_ATTEMPT = `
  WITH past AS (
    DELETE FROM sign_in_attempts WHERE window_start < ${WINDOW}
  )
  INSERT INTO sign_in_attempts AS a (subject, window_start, attempts)
  SELECT subject, ${WINDOW}, 1 FROM unnest($1::text[]) AS subject
  ON CONFLICT (subject, window_start) DO UPDATE SET attempts = a.attempts + 1
  RETURNING subject, attempts, ceil(extract(epoch FROM ${WINDOW} + interval '15 minutes' - now()))::int AS retry_after`;

// A sign-in that succeeded gives its attempt back (row locks as above, on the current window only).
const GIVE_BACK = `
  UPDATE sign_in_attempts SET attempts = attempts - 1
  WHERE subject = ANY($1::text[]) AND window_start = ${WINDOW} AND attempts > 0`;

const subjectsOf = ({ email, address }: SignInSubjects) => [`account:${email}`, `address:${address}`].sort();

/**
 * Counts a sign-in attempt before its password is checked (so that parallel guesses cannot slip
 * past the count); answers the seconds to wait when the account or the address is over its limit.
 */
export async function countSignInAttempt(sql: Sql, subjects: SignInSubjects): Promise<{ retryAfterSeconds: number } | null> {
  const { rows } = await sql.query<{ subject: string; attempts: number; retry_after: number }>(COUNT_ATTEMPT, [subjectsOf(subjects)]);
  const over = rows.some((row) => row.attempts > SIGN_IN_LIMITS[row.subject.startsWith('account:') ? 'account' : 'address']);
  return over ? { retryAfterSeconds: Math.max(1, rows[0]!.retry_after) } : null;
}

export async function giveBackSignInAttempt(sql: Sql, subjects: SignInSubjects): Promise<void> {
  await sql.query(GIVE_BACK, [subjectsOf(subjects)]);
}

/**
 * The client's address: the last entry of X-Forwarded-For, the one the nearest proxy (or Next.js,
 * when nothing is in front of it) wrote. Without a proxy that sets it, a client can write its own,
 * so the per-address limit needs one; the per-account limit does not.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for') ?? '';
  const last = forwarded.split(',').at(-1)?.trim();
  return last ? last.slice(0, 100) : 'unknown';
}
