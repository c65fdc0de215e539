import { z } from 'zod';
import { parseDuration } from './duration.ts';
import type { SupabaseAuth } from './access/supabase.ts';
import { type ConfiguredToken, parseConfiguredTokens } from './access/tokens.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_DELETED_RETENTION_DAYS } from './invoices/deletion.ts';
import { QUEUE_DEFAULTS } from './queue/defaults.ts';

/** The one place where the environment is read. A bad value stops start-up with a clear message. */

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const integer = (min: number, max: number, fallback: number) =>
  wholeNumber(min, max)
    .optional()
    .transform((value) => value ?? fallback);

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const duration = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => value || fallback)
    .refine((value) => parseDuration(value) !== null, 'must be a duration such as 2s or 500ms')
    .transform((value) => parseDuration(value)!);

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
        .optional(),
    ),
  FACTEUR_DATA_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((value) => value ?? './.facteur'),
  FACTEUR_POOL_MODE: z.enum(['session', 'transaction']).optional(),
  FACTEUR_POLL_ONLY: flag,
  CRON_SECRET: z
    .string()
    .optional()
    .transform((value) => (value ? value : undefined)),
  FACTEUR_TOKENS: z.string().optional(),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_JWT_SECRET: z.string().min(32, 'must be the project’s JWT secret (32 characters or more)').optional(),
  SUPABASE_JWKS_URL: z.url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  FACTEUR_SUPABASE_ISSUER: z.string().trim().min(1).optional(),
  FACTEUR_ALLOW_PUBLIC: flag,
  FACTEUR_METRICS_TOKEN: z.string().min(24, 'must be 24 characters or more').optional(),
  FACTEUR_OWNER_CLAIM: z
    .string()
    .regex(/^[A-Za-z_][\w.]*$/, 'must be a claim name or a dotted path')
    .optional(),
  FACTEUR_AUTH: z
    .enum(['none', 'token', 'accounts', 'supabase'])
    .optional()
    .transform((value) => value ?? 'none'),
  FACTEUR_CONCURRENCY: integer(1, 1000, QUEUE_DEFAULTS.concurrency),
  FACTEUR_PREFETCH: integer(0, 10_000, QUEUE_DEFAULTS.prefetch),
  FACTEUR_JOB_TIMEOUT_MS: integer(100, 24 * 3600_000, QUEUE_DEFAULTS.jobTimeoutMs),
  FACTEUR_MAX_ATTEMPTS: integer(1, 100, QUEUE_DEFAULTS.maxAttempts),
  FACTEUR_MAX_UPLOAD_BYTES: integer(1, 2 ** 31, 20 * 1024 * 1024),
  FACTEUR_UPLOAD_TIMEOUT_MS: integer(100, 3600_000, 120_000),
  FACTEUR_UPLOAD_RATE: integer(0, 1_000_000, 600),
  FACTEUR_POLL_MS: integer(10, 3600_000, QUEUE_DEFAULTS.pollMs),
  FACTEUR_DB_POOL_MAX: wholeNumber(1, 1000).optional(),
  FACTEUR_LEASE_MS: integer(100, 3600_000, QUEUE_DEFAULTS.leaseMs),
  FACTEUR_RETRY_BASE_MS: integer(0, 24 * 3600_000, QUEUE_DEFAULTS.retryBaseMs),
  FACTEUR_RETRY_MAX_MS: integer(0, 7 * 24 * 3600_000, QUEUE_DEFAULTS.retryMaxMs),
  FACTEUR_RETENTION: z
    .string()
    .trim()
    .optional()
    .transform((value) => value ?? '7d')
    .refine((value) => value === 'forever' || parseDuration(value) !== null, 'must be a duration such as 7d or 12h, or forever')
    .transform((value) => (value === 'forever' ? null : parseDuration(value))),
  FACTEUR_DELETED_RETENTION_DAYS: integer(0, 36_500, DEFAULT_DELETED_RETENTION_DAYS),
  FACTEUR_WORKER: z.enum(['inprocess', 'none']).optional(),
  FACTEUR_TICK_BUDGET_MS: integer(1_000, 3600_000, 270_000),
  FACTEUR_WATCH_DIR: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined)),
  FACTEUR_WATCH_OWNER: z
    .string()
    .trim()
    .min(1, 'must name an owner')
    .optional()
    .transform((value) => value ?? 'local'),
  FACTEUR_WATCH_INTERVAL: duration('2s'),
  FACTEUR_WATCH_SETTLE: duration('2s'),
  FACTEUR_MAIL_INTERVAL: duration('60s'),
  VERCEL: z.string().optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((value) => value ?? 'info'),
});

export interface Config {
  /** PostgreSQL server; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * `transaction` behind PgBouncer or Supavisor's port 6543: no LISTEN, no named prepared
   * statements. Guessed from the URL when not set.
   */
  poolMode: 'session' | 'transaction';
  pollOnly: boolean;
  cronSecret: string | undefined;
  /** `accounts`: people sign in with the users of `facteur user`; `token` is for machines. */
  auth: 'none' | 'token' | 'accounts' | 'supabase';
  /**
   * FACTEUR_AUTH=none set explicitly together with FACTEUR_ALLOW_PUBLIC=1: the operator chose to
   * serve every invoice to whoever reaches the server (see `exposureProblem`).
   */
  allowPublic: boolean;
  /** Running on Vercel (VERCEL is set): the app is on the internet. */
  onVercel: boolean;
  /** FACTEUR_METRICS_TOKEN: a bearer that opens /api/metrics (and nothing else), for a scraper. */
  metricsToken: string | undefined;
  /** FACTEUR_AUTH=token: tokens given in the environment (others live in the api_tokens table). */
  tokens: ConfiguredToken[];
  /** FACTEUR_AUTH=supabase: how access tokens are checked, and which claim names the owner. */
  supabase: SupabaseAuth | undefined;
  concurrency: number;
  /** Jobs a worker claims ahead of free slots: for many short jobs; none for slow invoices. */
  prefetch: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  maxUploadBytes: number;
  /** An upload whose body has not fully arrived by then is refused (408). */
  uploadTimeoutMs: number;
  /** Files an owner may upload per minute, across all instances; 0 for no limit. */
  uploadRatePerMinute: number;
  pollMs: number;
  /** Connections this process may open: 10 for a long-running server, 2 in a serverless function. */
  dbPoolMax: number;
  /** A claim lasts this long unless renewed; a dead worker's jobs come back within it. */
  leaseMs: number;
  /** Backoff before the second attempt, doubled for each later one, capped at retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Finished jobs older than this are purged by the workers; null keeps them. */
  retentionMs: number | null;
  /** Days a deleted invoice stays restorable before `facteur purge-deleted` removes it. */
  deletedRetentionDays: number;
  /**
   * `inprocess`: the web server runs a worker too (the default when self-hosting). `none`: it does
   * not (the default on Vercel): uploads kick a drain tick and the cron is the safety net.
   */
  worker: 'inprocess' | 'none';
  /**
   * A folder the worker watches (FACTEUR_WATCH_DIR): started and stopped with the in-process worker
   * and with `facteur worker`. On the embedded database this is how a folder is watched while the
   * web app runs, since `facteur watch` cannot open the same data folder.
   */
  watch: WatchConfig | undefined;
  /**
   * The stored mailboxes are read beside a worker when FACTEUR_SECRET_KEY is set (their passwords
   * are sealed with it), one round every intervalMs. The key itself is read by src/intake/secret.ts
   * only where a password is sealed or opened, so that it never sits in this object or a log.
   */
  mail: { intervalMs: number } | undefined;
  /** Budget of one drain tick (the worker endpoint), under the platform's function limit. */
  tickBudgetMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface WatchConfig {
  dir: string;
  /** Whose invoices the files become. */
  owner: string;
  intervalMs: number;
  /** A file is taken once unchanged for this long. */
  settleMs: number;
}

function guessPoolMode(url: string | undefined): 'session' | 'transaction' {
  if (!url) return 'session';
  try {
    const parsed = new URL(url);
    return parsed.port === '6543' || parsed.searchParams.get('pgbouncer') === 'true' ? 'transaction' : 'session';
  } catch {
    return 'session';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}.`);
  }
  const value = parsed.data;
  let tokens: ConfiguredToken[];
  try {
    tokens = parseConfiguredTokens(value.FACTEUR_TOKENS ?? '');
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  if (value.VERCEL && !value.DATABASE_URL) {
    throw new ConfigError(
      'On Vercel, set DATABASE_URL (your Supabase connection string): the embedded database does not survive a serverless function.',
    );
  }
  const jwksUrl =
    value.SUPABASE_JWKS_URL ?? (value.SUPABASE_URL ? new URL('/auth/v1/.well-known/jwks.json', value.SUPABASE_URL).toString() : undefined);
  if (value.FACTEUR_AUTH === 'supabase' && !value.SUPABASE_JWT_SECRET && !jwksUrl) {
    throw new ConfigError(
      'FACTEUR_AUTH=supabase needs SUPABASE_JWT_SECRET (HS256 projects) or SUPABASE_URL / SUPABASE_JWKS_URL (asymmetric keys).',
    );
  }
  if (value.VERCEL && value.FACTEUR_WATCH_DIR) {
    throw new ConfigError('FACTEUR_WATCH_DIR cannot be used on Vercel: a serverless function has no lasting folder to watch.');
  }
  const poolMode = value.FACTEUR_POOL_MODE ?? guessPoolMode(value.DATABASE_URL);
  return {
    databaseUrl: value.DATABASE_URL,
    dataDir: value.FACTEUR_DATA_DIR,
    poolMode,
    pollOnly: value.FACTEUR_POLL_ONLY || poolMode === 'transaction',
    cronSecret: value.CRON_SECRET,
    auth: value.FACTEUR_AUTH,
    allowPublic: env.FACTEUR_AUTH?.trim() === 'none' && value.FACTEUR_ALLOW_PUBLIC,
    onVercel: Boolean(value.VERCEL),
    metricsToken: value.FACTEUR_METRICS_TOKEN,
    tokens,
    supabase:
      value.FACTEUR_AUTH === 'supabase'
        ? {
            jwtSecret: value.SUPABASE_JWT_SECRET,
            jwksUrl: value.SUPABASE_JWT_SECRET ? undefined : jwksUrl,
            ownerClaim: value.FACTEUR_OWNER_CLAIM ?? 'sub',
            url: value.SUPABASE_URL,
            anonKey: value.SUPABASE_ANON_KEY,
            issuer: value.FACTEUR_SUPABASE_ISSUER,
          }
        : undefined,
    concurrency: value.FACTEUR_CONCURRENCY,
    prefetch: value.FACTEUR_PREFETCH,
    jobTimeoutMs: value.FACTEUR_JOB_TIMEOUT_MS,
    maxAttempts: value.FACTEUR_MAX_ATTEMPTS,
    maxUploadBytes: value.FACTEUR_MAX_UPLOAD_BYTES,
    uploadTimeoutMs: value.FACTEUR_UPLOAD_TIMEOUT_MS,
    uploadRatePerMinute: value.FACTEUR_UPLOAD_RATE,
    pollMs: value.FACTEUR_POLL_MS,
    dbPoolMax: value.FACTEUR_DB_POOL_MAX ?? (value.VERCEL ? 2 : 10),
    leaseMs: value.FACTEUR_LEASE_MS,
    retryBaseMs: value.FACTEUR_RETRY_BASE_MS,
    retryMaxMs: value.FACTEUR_RETRY_MAX_MS,
    retentionMs: value.FACTEUR_RETENTION,
    deletedRetentionDays: value.FACTEUR_DELETED_RETENTION_DAYS,
    worker: value.FACTEUR_WORKER ?? (value.VERCEL ? 'none' : 'inprocess'),
    tickBudgetMs: value.FACTEUR_TICK_BUDGET_MS,
    watch: value.FACTEUR_WATCH_DIR
      ? {
          dir: value.FACTEUR_WATCH_DIR,
          owner: value.FACTEUR_WATCH_OWNER,
          intervalMs: value.FACTEUR_WATCH_INTERVAL,
          settleMs: value.FACTEUR_WATCH_SETTLE,
        }
      : undefined,
    mail: env.FACTEUR_SECRET_KEY?.trim() ? { intervalMs: value.FACTEUR_MAIL_INTERVAL } : undefined,
    logLevel: value.LOG_LEVEL,
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** Whether a host name or address (as given to `next start -H`, or in a Host header without its port) is this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * Why the web server must not start as configured, or null. FACTEUR_AUTH=none gives every invoice
 * to whoever reaches the server: it is allowed on a loopback address only, unless the operator says
 * so twice (FACTEUR_AUTH=none written out, and FACTEUR_ALLOW_PUBLIC=1). `host` is the address the
 * server listens on, null when it cannot be known (then only Vercel is refused).
 */
export function exposureProblem(config: Config, host: string | null): string | null {
  if (config.auth !== 'none' || config.allowPublic) return null;
  const where = config.onVercel ? 'on Vercel' : host === null || isLoopback(host) ? null : `on ${host}, which other machines can reach`;
  if (!where) return null;
  return `Refusing to serve every invoice without sign-in ${where}: set FACTEUR_AUTH (token, supabase or accounts), or FACTEUR_AUTH=none with FACTEUR_ALLOW_PUBLIC=1 if a proxy in front checks who calls.`;
}
