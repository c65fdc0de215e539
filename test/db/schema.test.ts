// supabase/schema.sql describes what the migrations build: adding a migration without regenerating
// it (`npm run schema:snapshot`), or editing it by hand, fails here on both engines.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaSnapshot } from '../../src/db/describe.ts';
import { projectPath } from '../../src/paths.ts';
import { testDatabases, type TestDb } from '../support/databases.ts';

describe.each(testDatabases())('the schema snapshot on $name', (database) => {
  let test: TestDb;

  beforeAll(async () => {
    test = await database.open();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('is what a freshly migrated database holds', async () => {
    const file = await readFile(projectPath('supabase', 'schema.sql'), 'utf8');
    expect(await schemaSnapshot(test.db)).toBe(file);
  });

  it('sees a change the migrations did not make', async () => {
    await test.db.exec('CREATE INDEX drifted ON invoices (format)');
    try {
      expect(await schemaSnapshot(test.db)).toContain('CREATE INDEX drifted ON invoices USING btree (format);');
    } finally {
      await test.db.exec('DROP INDEX drifted');
    }
  });
});
