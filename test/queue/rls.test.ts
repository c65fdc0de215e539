import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { createDatabase, insertInvoice } from '../support/databases.ts';

// Supabase's auth.uid() and authenticated role, stood up in a database of the test's own, so the
// Row Level Security migration can be checked from a client's side.
describe('Row Level Security for Supabase clients', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;
  let url: string;

  beforeAll(async () => {
    database = await createDatabase('facteur_rls');
    url = database.url;
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await setup.query(`
      CREATE SCHEMA auth;
      CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
      GRANT USAGE ON SCHEMA auth TO authenticated;
      GRANT USAGE ON SCHEMA public TO authenticated;`);
    await setup.end();
    db = await connect({ url });
    await migrate(db);
    await db.query('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO authenticated');
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('lets a signed-in user read only their own rows, and write none', async () => {
    const ana = '11111111-1111-4111-8111-111111111111';
    const ben = '22222222-2222-4222-8222-222222222222';
    const anasInvoice = await insertInvoice(db, ana);
    await insertInvoice(db, ben);
    await new Queue(db).enqueue({ task: 'process_invoice', invoiceId: anasInvoice });

    const asUser = async <T>(user: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [user]);
        await client.query('SET LOCAL ROLE authenticated');
        return await work(client);
      } finally {
        await client.query('ROLLBACK').catch(() => {});
        await client.end();
      }
    };
    const seen = await asUser(ana, async (client) => ({
      invoices: (await client.query('SELECT owner FROM invoices')).rows,
      jobs: (await client.query('SELECT invoice_id FROM processing_queue')).rows,
      tokens: (await client.query('SELECT * FROM api_tokens')).rows,
    }));
    expect(seen).toEqual({ invoices: [{ owner: ana }], jobs: [{ invoice_id: anasInvoice }], tokens: [] });
    expect(await asUser(ben, async (client) => (await client.query('SELECT invoice_id FROM processing_queue')).rows)).toEqual([]);
    const updated = await asUser(ana, async (client) => (await client.query(`UPDATE processing_queue SET priority = 1000`)).rowCount);
    expect(updated).toBe(0);
    // Facteur itself, as the tables' owner, still sees everything.
    expect((await db.query('SELECT count(*)::int AS n FROM invoices')).rows[0]).toEqual({ n: 2 });
  });
});
