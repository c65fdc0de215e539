import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { createDatabase, insertInvoice } from '../support/databases.ts';

// Issue 13, point 7: Supabase's client roles get nothing but the reads Row Level Security filters.
// A database of the test's own is set up as Supabase sets one up — the roles `anon` and
// `authenticated`, auth.uid(), and default privileges granting both roles everything on every new
// table — before Facteur's migrations run, as on a fresh Supabase project.
describe('the client roles after the migrations (Supabase’s default grants)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;
  const ana = '11111111-1111-4111-8111-111111111111';
  const ben = '22222222-2222-4222-8222-222222222222';

  beforeAll(async () => {
    database = await createDatabase('facteur_roles');
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    for (const role of ['anon', 'authenticated']) {
      await setup.query(`DO $$ BEGIN CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    }
    await setup.query(`
      CREATE SCHEMA auth;
      CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
      GRANT USAGE ON SCHEMA auth TO anon, authenticated;
      GRANT USAGE ON SCHEMA public TO anon, authenticated;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated;`);
    await setup.end();
    db = await connect({ url: database.url });
    await migrate(db);
    const anasInvoice = await insertInvoice(db, ana);
    await insertInvoice(db, ben);
    await new Queue(db).enqueue({ task: 'process_invoice', invoiceId: anasInvoice });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** Runs `statement` as a client role (with a user's id for `authenticated`): its rows, or the error's SQLSTATE. */
  const as = async (role: 'anon' | 'authenticated', statement: string): Promise<unknown> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [role === 'authenticated' ? ana : '']);
      await client.query(`SET LOCAL ROLE ${role}`);
      return (await client.query(statement)).rows;
    } catch (error) {
      return (error as { code?: string }).code;
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      await client.end();
    }
  };
  const DENIED = '42501';

  it('gives anon nothing at all', async () => {
    for (const table of [
      'invoices',
      'invoice_files',
      'processing_queue',
      'job_attempts',
      'invoice_reviews',
      'api_tokens',
      'upload_rate_limits',
    ]) {
      expect({ table, result: await as('anon', `SELECT 1 FROM ${table} LIMIT 1`) }).toEqual({ table, result: DENIED });
    }
  });

  it('lets a signed-in user read its own invoices and jobs, and nothing else: no write, no TRUNCATE, no bookkeeping table', async () => {
    expect(await as('authenticated', 'SELECT owner FROM invoices')).toEqual([{ owner: ana }]);
    expect(await as('authenticated', 'SELECT count(*)::int AS n FROM processing_queue')).toEqual([{ n: 1 }]);
    expect(await as('authenticated', 'SELECT count(*)::int AS n FROM job_attempts')).toEqual([{ n: 0 }]);
    for (const statement of [
      'TRUNCATE job_attempt_rows',
      'TRUNCATE invoices CASCADE',
      `INSERT INTO invoices (owner, file_name) VALUES ('${ana}', 'x.pdf')`,
      'UPDATE processing_queue SET priority = 1000',
      'DELETE FROM invoices',
      'SELECT * FROM invoice_reviews',
      'SELECT * FROM api_tokens',
      'SELECT * FROM upload_rate_limits',
      'SELECT * FROM facteur_migrations',
      'SELECT * FROM queue_maintenance',
    ]) {
      expect({ statement, result: await as('authenticated', statement) }).toEqual({ statement, result: DENIED });
    }
    // Facteur itself, the tables' owner, still reads and writes everything.
    expect((await db.query('SELECT count(*)::int AS n FROM invoices')).rows[0]).toEqual({ n: 2 });
  });

  it('gives a table created by a later migration nothing either', async () => {
    await db.query('CREATE TABLE later_table (id int)');
    expect(await as('authenticated', 'SELECT * FROM later_table')).toBe(DENIED);
    expect(await as('anon', 'SELECT * FROM later_table')).toBe(DENIED);
  });

  it('can run again and changes nothing', async () => {
    const grants = () =>
      db.query(`SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants
                 WHERE grantee IN ('anon', 'authenticated') ORDER BY 1, 2, 3`);
    const before = (await grants()).rows;
    await db.query(
      (await import('node:fs')).readFileSync(
        new URL('../../supabase/migrations/20261206110000_client_roles_read_only.sql', import.meta.url),
        'utf8',
      ),
    );
    expect((await grants()).rows).toEqual(before);
    expect(before).toEqual(
      ['invoice_files', 'invoices', 'job_attempt_rows', 'job_attempts', 'processing_queue'].map((table_name) => ({
        table_name,
        grantee: 'authenticated',
        privilege_type: 'SELECT',
      })),
    );
  });
});
