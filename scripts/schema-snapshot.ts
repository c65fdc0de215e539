/**
 * Writes supabase/schema.sql: what the migrations build, described from the catalogs of a fresh
 * in-memory PGlite database (no server needed). Run `npm run schema:snapshot` after adding a
 * migration; test/db/schema.test.ts fails until the file matches.
 */
import { writeFile } from 'node:fs/promises';
import { connect, migrate } from '../src/db/index.ts';
import { schemaSnapshot } from '../src/db/describe.ts';
import { projectPath } from '../src/paths.ts';

const db = await connect();
try {
  await migrate(db);
  const path = projectPath('supabase', 'schema.sql');
  await writeFile(path, await schemaSnapshot(db));
  console.log(`wrote ${path}`);
} finally {
  await db.close();
}
