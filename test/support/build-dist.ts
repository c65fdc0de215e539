/** Compiles src/ to dist/ (`npm run build:dist`) when a source is newer than the last build. */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.tsbuildinfo');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function newestSource(): number {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((file) => join(ROOT, 'src', file));
  return Math.max(...[...sources, join(ROOT, 'tsconfig.build.json')].map((file) => statSync(file).mtimeMs));
}

export default function buildDist(): void {
  const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newestSource() <= built) return;
  execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  // tsc leaves its build info as it was when no output changed: the stamp says the check was made.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
