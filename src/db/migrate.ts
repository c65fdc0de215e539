import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPath } from '../paths.ts';
import type { Db } from './types.ts';

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

const migrationsDir = () => projectPath('supabase', 'migrations');

// Records what ran. Separate from Supabase's own record, which `supabase db push` keeps.
const CREATE_RECORD = `
  CREATE TABLE IF NOT EXISTS facteur_migrations (
    name        text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
  )`;

// Serialises concurrent migrators (several workers starting at once) per schema, so that tests
// in separate schemas of one database do not wait for each other. Released at commit.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('facteur.migrate.' || current_schema()))`;

/**
 * Applies the SQL files of supabase/migrations that have not run yet, in name order, each in its
 * own transaction together with its record. Running it again applies nothing.
 */
async function migrationFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
}

/** The migrations that `migrate` would apply, without applying them. */
export async function pendingMigrations(db: Db, directory = migrationsDir()): Promise<string[]> {
  const files = await migrationFiles(directory);
  const table = await db.query<{ exists: boolean }>(`SELECT to_regclass('facteur_migrations') IS NOT NULL AS exists`);
  if (!table.rows[0]?.exists) return files;
  const { rows } = await db.query<{ name: string }>('SELECT name FROM facteur_migrations');
  const applied = new Set(rows.map((row) => row.name));
  return files.filter((name) => !applied.has(name));
}

export async function migrate(db: Db, directory = migrationsDir()): Promise<MigrationReport> {
  const files = await migrationFiles(directory);
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const name of files) {
    const script = await readFile(join(directory, name), 'utf8');
    const applied = await db.transaction(async (tx) => {
      await tx.query(LOCK);
      await tx.exec(CREATE_RECORD);
      const done = await tx.query('SELECT 1 FROM facteur_migrations WHERE name = $1', [name]);
      if (done.rowCount > 0) return false;
      await tx.exec(script);
      await tx.query('INSERT INTO facteur_migrations (name) VALUES ($1)', [name]);
      return true;
    });
    (applied ? report.applied : report.alreadyApplied).push(name);
  }
  return report;
}
