import type { Adapter, Variant } from './types.ts';

/** Loads one system's adapter at one variant's settings, so a child process holds just the library it measures. */
export async function loadAdapter(variant: Variant): Promise<Adapter> {
  switch (variant.system) {
    case 'facteur':
      return (await import('./facteur.ts')).facteurAdapter(variant);
    case 'graphile-worker':
      return (await import('./graphile-worker.ts')).graphileWorkerAdapter(variant);
    case 'pg-boss':
      return (await import('./pg-boss.ts')).pgBossAdapter(variant);
  }
}
