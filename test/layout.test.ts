// The layout's two rules, read from the sources: only src/queue/ names the queue's tables (every
// other module goes through its functions), and the e-invoice library stays pure (nothing from the
// database, the queue or the application).
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../src/paths.ts';

const ROOT = projectPath();
const QUEUE_TABLE = /\b(processing_queue|job_attempts|job_attempt_rows|queue_maintenance|queue_owners)\b/g;
const IMPURE = ['src/db/', 'src/queue/', 'src/invoices/', 'src/http/', 'src/access/', 'src/cli/', 'src/app.ts'];
const IMPORT =
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]|\bnew URL\(\s*['"]([^'"]+)['"]/g;

async function sources(directory: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, directory), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

/** `file:line: table` for every queue table a source names. */
function tablesNamed(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => [...line.matchAll(QUEUE_TABLE)].map((match) => `${file}:${i + 1}: ${match[1]}`));
}

/** The project files a source imports (relative specifiers only; packages are not the layout's). */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .map((match) => match.slice(1).find((specifier) => specifier !== undefined)!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

function impureImports(file: string, text: string): string[] {
  return importsOf(file, text)
    .filter((target) => IMPURE.some((forbidden) => target === forbidden || target.startsWith(forbidden)))
    .map((target) => `${file} imports ${target}`);
}

describe('the layout', () => {
  it('names the queue’s tables only in src/queue/', async () => {
    const files = [...(await sources('src')), ...(await sources('app'))].filter((file) => !file.startsWith('src/queue/'));
    expect(files.length).toBeGreaterThan(50);
    const named = (await Promise.all(files.map(async (file) => tablesNamed(file, await readFile(join(ROOT, file), 'utf8'))))).flat();
    expect(named).toEqual([]);
  });

  it('keeps src/einvoice/ pure: nothing from the database, the queue or the application', async () => {
    const files = await sources('src/einvoice');
    const texts = await Promise.all(files.map((file) => readFile(join(ROOT, file), 'utf8')));
    // The walk sees the library's imports, or an empty list below would prove nothing.
    expect(files.flatMap((file, i) => importsOf(file, texts[i]!))).toContain('src/einvoice/model.ts');
    expect(files.flatMap((file, i) => impureImports(file, texts[i]!))).toEqual([]);
  });

  it('catches what it forbids', () => {
    expect(tablesNamed('src/invoices/x.ts', 'a\nSELECT * FROM processing_queue JOIN job_attempts')).toEqual([
      'src/invoices/x.ts:2: processing_queue',
      'src/invoices/x.ts:2: job_attempts',
    ]);
    expect(tablesNamed('src/metrics.ts', "name: 'facteur_job_attempts_total'")).toEqual([]);
    const text = `import type { Db } from '../../db/types.ts';\nimport {\n  Queue,\n} from '../queue/index.ts';\nconst m = await import('../app.ts');\nimport { x } from './model.ts';`;
    expect(impureImports('src/einvoice/pdf/x.ts', text)).toEqual(['src/einvoice/pdf/x.ts imports src/db/types.ts']);
    expect(impureImports('src/einvoice/x.ts', text)).toEqual([
      'src/einvoice/x.ts imports src/queue/index.ts',
      'src/einvoice/x.ts imports src/app.ts',
    ]);
  });
});
