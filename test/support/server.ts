import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openServerDb, serverUrl, type TestDb } from './databases.ts';
import { freePort } from './ports.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The production build (`npm run build`), served by `next start` on a free loopback port, as a
 * user runs it. Resolves once the API answers.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  if (!existsSync(`${ROOT}.next/BUILD_ID`)) throw new Error('No production build: run `npm run build` first (npm test does).');
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/api/queue/stats`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('next start did not answer within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A database for a server to run on: the environment that names it, and how to remove it. */
export interface ServerBackend {
  name: 'pglite' | 'postgres';
  /** `db`: the server's database, open beside the app (the embedded one cannot be shared). */
  env(): Promise<{ env: Record<string, string>; db?: TestDb; cleanup(): Promise<void> }>;
}

/** Each database the app can run on: the embedded one, and the server's (a schema of its own). */
export function serverBackends(): ServerBackend[] {
  const backends: ServerBackend[] = [
    {
      name: 'pglite',
      async env() {
        const dir = mkdtempSync(join(tmpdir(), 'facteur-http-'));
        return { env: { FACTEUR_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
  ];
  const server = serverUrl();
  if (server) {
    backends.push({
      name: 'postgres',
      async env() {
        const db = await openServerDb(server);
        return { env: { DATABASE_URL: db.url! }, db, cleanup: () => db.drop() };
      },
    });
  }
  return backends;
}
