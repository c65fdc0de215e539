import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function besideSources(): string | null {
  try {
    return join(dirname(fileURLToPath(import.meta.url)), '..');
  } catch {
    return null;
  }
}

/**
 * A file of the project, by its path from the project's root: found beside the sources when they
 * run as they are (CLI, tests, workers), else under the working directory — inside the Next.js
 * server bundle this module has moved, and `next start` runs from the root.
 */
export function projectPath(...segments: string[]): string {
  const root = besideSources();
  const candidate = root === null ? null : join(root, ...segments);
  return candidate !== null && existsSync(candidate) ? candidate : join(process.cwd(), ...segments);
}

/**
 * An installed package's folder. Not `require.resolve`: a bundler rewrites that into a module id,
 * and the folder is what is needed (data files shipped in the package).
 */
export function packageDir(name: string): string {
  return projectPath('node_modules', name);
}
