import type { Sql } from '../db/types.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds: number;
}

// Counts `files` against the owner's current minute and answers the new total; the same statement
// drops the owner's past minutes, so the table holds one row per active owner. The row lock
// serialises an owner's concurrent uploads, on any instance.
const COUNT_UPLOAD = `
  WITH past AS (
    DELETE FROM upload_rate_limits WHERE owner = $1 AND window_start < date_trunc('minute', now())
  )
  INSERT INTO upload_rate_limits AS r (owner, window_start, files)
  VALUES ($1, date_trunc('minute', now()), $2)
  ON CONFLICT (owner, window_start) DO UPDATE SET files = r.files + excluded.files
  RETURNING files, ceil(extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now()))::int AS retry_after`;

// The owner's count in the current minute, read only: lets an upload be refused before its body is read.
const CURRENT_COUNT = `
  SELECT files, ceil(extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now()))::int AS retry_after
    FROM upload_rate_limits WHERE owner = $1 AND window_start = date_trunc('minute', now())`;

/** How many files the owner may still send this minute (never negative), without counting anything. */
export async function remainingUploads(sql: Sql, owner: string, perMinute: number): Promise<RateDecision & { remaining: number }> {
  const { rows } = await sql.query<{ files: number; retry_after: number }>(CURRENT_COUNT, [owner]);
  const remaining = Math.max(0, perMinute - (rows[0]?.files ?? 0));
  return { allowed: remaining > 0, remaining, retryAfterSeconds: Math.max(1, rows[0]?.retry_after ?? 60) };
}

/** Counts an upload of `files` files; refused when the owner's minute already holds `perMinute`. */
export async function countUpload(sql: Sql, owner: string, files: number, perMinute: number): Promise<RateDecision> {
  const { rows } = await sql.query<{ files: number; retry_after: number }>(COUNT_UPLOAD, [owner, files]);
  const row = rows[0]!;
  return { allowed: row.files <= perMinute, retryAfterSeconds: Math.max(1, row.retry_after) };
}
