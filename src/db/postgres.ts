import { createHash } from 'node:crypto';
import pg from 'pg';
import { DatabaseUnavailableError, errorMessage } from '../errors.ts';
import { isConnectionError } from './errors.ts';
import type { Db, NotificationHandler, QueryResult, Sql } from './types.ts';

export interface PostgresOptions {
  url: string;
  /** Pool size. A serverless function wants 1–2; a worker, its concurrency's share. */
  maxConnections?: number;
  /**
   * Named prepared statements save a parse and plan per query; transaction-mode poolers
   * (PgBouncer, Supavisor on 6543) cannot route them, so they are off there.
   */
  preparedStatements?: boolean;
  /** False behind a transaction-mode pooler: LISTEN needs a session of its own. */
  listen?: boolean;
  applicationName?: string;
  onError?: (error: Error) => void;
}

const INT8_OID = 20;
// Counts and sizes fit in a double; a string '42' for every count() would leak everywhere.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

class PreparedNames {
  readonly #names = new Map<string, string>();

  nameOf(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = 'facteur_' + createHash('sha1').update(text).digest('hex').slice(0, 16);
      this.#names.set(text, name);
    }
    return name;
  }
}

function toConfig(text: string, params: readonly unknown[] | undefined, names: PreparedNames | null): pg.QueryConfig {
  const config: pg.QueryConfig = { text, values: params ? [...params] : [] };
  if (names && params && params.length > 0) config.name = names.nameOf(text);
  return config;
}

function toResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}

class PostgresListener {
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #closed = false;
  #retryMs = 100;
  #retryTimer: NodeJS.Timeout | null = null;

  private readonly config: pg.ClientConfig;
  private readonly onError: (error: Error) => void;

  constructor(config: pg.ClientConfig, onError: (error: Error) => void) {
    this.config = config;
    this.onError = onError;
  }

  async subscribe(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      if (this.#client) await this.#client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    handlers.add(handler);
    // A first connection that fails is retried with backoff like a dropped one.
    if (!this.#client) await this.#connect().catch(() => {});
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0) {
        this.#handlers.delete(channel);
        await this.#client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
      }
    };
  }

  #connect(): Promise<void> {
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('LISTEN connection ended')));
    try {
      await client.connect();
      for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.#client = client;
      this.#retryMs = 100;
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      this.#lost(client, error as Error);
      throw error;
    }
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#closed || this.#retryTimer) return;
    if (this.#client === client) this.#client = null;
    this.onError(error);
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 5_000);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#closed && this.#handlers.size > 0) this.#connect().catch(() => {});
    }, delay);
    this.#retryTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres';
  readonly canListen: boolean;
  readonly #pool: pg.Pool;
  readonly #names: PreparedNames | null;
  readonly #listener: PostgresListener;

  constructor(options: PostgresOptions) {
    const onError = options.onError ?? (() => {});
    const config: pg.PoolConfig = {
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      application_name: options.applicationName ?? 'facteur',
      types,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    };
    this.canListen = options.listen ?? true;
    this.#names = options.preparedStatements === false ? null : new PreparedNames();
    this.#pool = new pg.Pool(config);
    // An idle client whose server went away emits here; without a listener Node would crash.
    this.#pool.on('error', onError);
    this.#listener = new PostgresListener(config, onError);
  }

  async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return toResult<Row>(await this.#pool.query(toConfig(text, params, this.#names)));
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: Sql = {
      query: async <Row>(text: string, params?: readonly unknown[]) =>
        toResult<Row>(await client.query(toConfig(text, params, this.#names))),
      exec: async (script: string) => {
        await client.query(script);
      },
    };
    // A client whose connection broke is destroyed on release instead of going back to the pool.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionError(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async exec(script: string): Promise<void> {
    await this.#pool.query(script);
  }

  listen(channel: string, onNotification: NotificationHandler): Promise<() => Promise<void>> {
    return this.#listener.subscribe(channel, onNotification);
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await this.#pool.end();
  }
}

/** Opens a pool on `url` and checks that the server answers. */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const db = new PostgresDb(options);
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.close().catch(() => {});
    throw new DatabaseUnavailableError(`Cannot connect to PostgreSQL at ${redactUrl(options.url)}: ${errorMessage(error)}`, error);
  }
  return db;
}

/** The URL without its password, fit for a log line or an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
