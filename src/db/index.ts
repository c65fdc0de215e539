import { openPostgres } from './postgres.ts';
import type { Db } from './types.ts';

export type { Db, Sql, QueryResult, NotificationHandler } from './types.ts';
export { migrate, pendingMigrations, type MigrationReport } from './migrate.ts';
export { redactUrl } from './postgres.ts';
export { isConnectionError } from './errors.ts';

export interface ConnectOptions {
  /** A PostgreSQL URL; absent means the embedded PGlite database. */
  url?: string | undefined;
  /** PGlite's folder; absent (with no url) means in memory. */
  dataDir?: string | undefined;
  /** `transaction` behind PgBouncer or Supavisor's 6543: no LISTEN, no named prepared statements. */
  poolMode?: 'session' | 'transaction';
  maxConnections?: number;
  applicationName?: string;
  onError?: (error: Error) => void;
}

/** Connects to PostgreSQL when a URL is given, else opens the embedded database. */
export function connect(options: ConnectOptions = {}): Promise<Db> {
  // Loaded only when used: PGlite's module added 8 MiB to every process on PostgreSQL (96 -> 88 MiB).
  if (!options.url) return import('./pglite.ts').then(({ openPglite }) => openPglite({ dataDir: options.dataDir }));
  const behindPooler = options.poolMode === 'transaction';
  return openPostgres({
    url: options.url,
    maxConnections: options.maxConnections,
    applicationName: options.applicationName,
    preparedStatements: !behindPooler,
    listen: !behindPooler,
    onError: options.onError,
  });
}
