import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's own file: src/paths.ts from the sources, dist/paths.js compiled; null if it has none. */
function thisFile(): string | null {
  try {
    return fileURLToPath(import.meta.url);
  } catch {
    return null;
  }
}

/**
 * A file of Facteur's own (the migrations), by its path from the package's root: found beside the
 * module (src/.. in the repository, dist/.. in an installed package), else under the working
 * directory — inside the Next.js server bundle this module has moved, and `next start` runs from
 * the root.
 */
export function projectPath(...segments: string[]): string {
  const file = thisFile();
  const candidate = file === null ? null : join(dirname(file), '..', ...segments);
  return candidate !== null && existsSync(candidate) ? candidate : join(process.cwd(), ...segments);
}

/**
 * One of Facteur's modules as a file Node loads on its own (a worker thread's entry), by its path
 * under src/ without extension: beside this module with its extension (the compiled .js in dist/,
 * the .ts source in the repository), else the source under the working directory (in the Next.js
 * server bundle).
 */
export function modulePath(...segments: string[]): string {
  const file = thisFile();
  if (file !== null) {
    const candidate = join(dirname(file), ...segments) + extname(file);
    if (existsSync(candidate)) return candidate;
  }
  return join(process.cwd(), 'src', ...segments) + '.ts';
}

/**
 * An installed package's folder (for the data files it ships), found as Node finds the package
 * from this module: installed as a dependency, Facteur's own dependencies are hoisted beside it.
 * `require` comes from `process.getBuiltinModule` so that a bundler leaves the lookup to run time;
 * where no module path is known (a bundle), the working directory's node_modules.
 */
export function packageDir(name: string): string {
  const file = thisFile();
  if (file !== null) {
    try {
      const require = process.getBuiltinModule('node:module').createRequire(file);
      return dirname(require.resolve(`${name}/package.json`));
    } catch {
      // Not resolvable from here: the working directory's node_modules below.
    }
  }
  return join(process.cwd(), 'node_modules', name);
}
