import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DatabaseUnavailableError, errorMessage } from '../errors.ts';
import type { Db, NotificationHandler, QueryResult, Sql } from './types.ts';

export interface PgliteOptions {
  /** A folder on disk, or undefined for a database that lives in memory only (tests). */
  dataDir?: string;
}

// PGlite reports affectedRows 0 for a SELECT, and no rows for a DML statement without RETURNING.
function toResult<Row>(result: { rows: unknown[]; affectedRows?: number }): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one Postgres backend inside this process: two processes opening the same folder would
 * corrupt it. A pid file turns that mistake into a clear error.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'facteur.pid');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder !== process.pid && Number.isInteger(holder) && isAlive(holder)) {
      throw new DatabaseUnavailableError(
        `The embedded database in ${dataDir} is in use by process ${holder}. ` +
          'Stop it, or set DATABASE_URL to a PostgreSQL server to run several processes.',
      );
    }
    writeFileSync(lockFile, String(process.pid));
  }
  return () => rmSync(lockFile, { force: true });
}

class PgliteDb implements Db {
  readonly kind = 'pglite';
  readonly canListen = true;

  private readonly pglite: PGlite;
  private readonly unlock: () => void;

  constructor(pglite: PGlite, unlock: () => void) {
    this.pglite = pglite;
    this.unlock = unlock;
  }

  async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return toResult<Row>(await this.pglite.query(text, params ? [...params] : []));
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.pglite.transaction((pgliteTx) =>
      fn({
        query: async <Row>(text: string, params?: readonly unknown[]) =>
          toResult<Row>(await pgliteTx.query(text, params ? [...params] : [])),
        exec: async (script: string) => {
          await pgliteTx.exec(script);
        },
      }),
    );
  }

  async exec(script: string): Promise<void> {
    await this.pglite.exec(script);
  }

  listen(channel: string, onNotification: NotificationHandler): Promise<() => Promise<void>> {
    return this.pglite.listen(channel, onNotification);
  }

  async close(): Promise<void> {
    if (this.pglite.closed) return;
    await this.pglite.close();
    this.unlock();
  }
}

export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  try {
    const pglite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
    return new PgliteDb(pglite, unlock);
  } catch (error) {
    unlock();
    if (error instanceof DatabaseUnavailableError) throw error;
    throw new DatabaseUnavailableError(
      `Cannot open the embedded database${options.dataDir ? ` in ${options.dataDir}` : ''}: ${errorMessage(error)}`,
      error,
    );
  }
}
