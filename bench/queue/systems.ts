import type { Adapter, SystemName } from './types.ts';

/** Loads one system's adapter only, so a child process holds just the library it measures. */
export async function loadAdapter(name: SystemName): Promise<Adapter> {
  switch (name) {
    case 'facteur':
      return (await import('./facteur.ts')).adapter;
    case 'graphile-worker':
      return (await import('./graphile-worker.ts')).adapter;
    case 'pg-boss':
      return (await import('./pg-boss.ts')).adapter;
  }
}
