import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { urlWithSchema } from './schema-url.ts';

/**
 * The suites that must hold on both engines run once per entry here: PGlite always, the real
 * PostgreSQL server when TEST_DATABASE_URL is set. In CI the server is required: a missing URL
 * fails loudly instead of silently running half the suite.
 */
export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated database (PGlite in memory, or a schema of its own on the server). */
  open(): Promise<TestDb>;
}

export interface TestDb {
  db: Db;
  /** For child processes: a URL that lands in the same schema. Undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

export function serverUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI) {
    throw new Error('TEST_DATABASE_URL is not set: the PostgreSQL suites cannot run (CI requires them).');
  }
  return url;
}

export async function createSchema(url: string): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `facteur_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    schema,
    url: urlWithSchema(url, schema),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export async function openServerDb(url: string, options: { maxConnections?: number } = {}): Promise<TestDb> {
  const schema = await createSchema(url);
  const db = await connect({ url: schema.url, maxConnections: options.maxConnections ?? 10, applicationName: 'facteur-test' });
  await migrate(db);
  return {
    db,
    url: schema.url,
    async drop() {
      await db.close();
      await schema.drop();
    },
  };
}

export function testDatabases(): TestDatabase[] {
  const databases: TestDatabase[] = [
    {
      name: 'pglite',
      async open() {
        const db = await connect();
        await migrate(db);
        return { db, url: undefined, drop: () => db.close() };
      },
    },
  ];
  const url = serverUrl();
  if (url) databases.push({ name: 'postgres', open: () => openServerDb(url) });
  return databases;
}

/** Requires the server (multi-process, crash and restart suites). */
export function requireServerUrl(): string {
  const url = serverUrl();
  if (!url) throw new Error('This suite needs a PostgreSQL server: set TEST_DATABASE_URL.');
  return url;
}

/** Empties every table between tests, faster than a new database. */
export async function resetTables(db: Db): Promise<void> {
  await db.query(
    'TRUNCATE job_attempt_rows, processing_queue, queue_owners, invoice_reviews, invoice_corrections, invoice_audit, invoice_files, invoices, queue_maintenance',
  );
}

/** An invoice row for jobs to point at. */
export async function insertInvoice(db: Db, owner = 'local'): Promise<string> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO invoices (owner, file_name, media_type, size_bytes, sha256)
     VALUES ($1, 'test.xml', 'application/xml', 0, repeat('0', 64)) RETURNING id`,
    [owner],
  );
  return result.rows[0]!.id;
}

/**
 * A database of its own on the server, for what a schema cannot isolate (a pooler's routing,
 * roles and Row Level Security). Dropped with every connection to it.
 */
export async function createDatabase(prefix: string): Promise<{ name: string; url: string; server: URL; drop(): Promise<void> }> {
  const server = new URL(requireServerUrl());
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    server,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
