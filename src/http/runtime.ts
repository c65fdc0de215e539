import { openFacteur, type Facteur } from '../app.ts';
import { exposureProblem, loadConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import type { Worker } from '../queue/index.ts';
import { createApi, type Api } from './api.ts';
import { errorResponse } from './respond.ts';

/**
 * One Facteur per server process, kept on globalThis: Next.js may load this module more than once
 * (instrumentation and route bundles), and the embedded database must be opened exactly once.
 */
interface Runtime {
  facteur: Facteur;
  api: Api;
  worker: Worker | null;
}

const KEY = Symbol.for('facteur.runtime');
const registry = globalThis as unknown as { [KEY]?: Promise<Runtime> };

/**
 * The address `next start` listens on: its `-H`/`--hostname`, or Next.js's default, every
 * interface (`npm start` passes FACTEUR_HOST, 127.0.0.1 unless set). Null under `next dev`, whose
 * server runs in a child process that is not given the address on its command line: a developer's
 * own machine (`npm run dev` passes 127.0.0.1 too).
 */
export function listeningHost(argv: readonly string[] = process.argv): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === '-H' || arg === '--hostname') && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith('--hostname=')) return arg.slice('--hostname='.length);
  }
  return process.env.NODE_ENV === 'development' ? null : '0.0.0.0';
}

/** The configuration of this web server, refused (ConfigError) if it would publish every invoice. */
export function serverConfig() {
  const config = loadConfig();
  const problem = exposureProblem(config, listeningHost());
  if (problem) throw new ConfigError(problem);
  return config;
}

async function open(): Promise<Runtime> {
  const config = serverConfig();
  const logger = createLogger(config.logLevel);
  const facteur = await openFacteur(config, logger);
  const api = createApi(facteur, {
    production: process.env.NODE_ENV === 'production',
    kickAfterUpload: config.worker === 'none',
    tickBudgetMs: config.tickBudgetMs,
  });
  return { facteur, api, worker: null };
}

export function runtime(): Promise<Runtime> {
  registry[KEY] ??= open().catch((error: unknown) => {
    // A failed start (database down) must not be cached: the next request tries again.
    delete registry[KEY];
    throw error;
  });
  return registry[KEY];
}

/** Starts the in-process worker when configured (self-hosting), with its watched folder and mailboxes if any, and stops both on SIGTERM/SIGINT. */
export async function startInProcessWorker(): Promise<void> {
  const current = await runtime();
  if (current.facteur.config.worker !== 'inprocess' || current.worker) return;
  const worker = current.facteur.createWorker();
  current.worker = worker;
  await worker.start();
  let folder;
  let mail;
  try {
    folder = await current.facteur.startFolderWatch();
    mail = await current.facteur.startMailboxWatch();
  } catch (error) {
    // The watched folder is part of the worker: a bad one stops both, and the start is tried again.
    current.worker = null;
    await Promise.all([folder?.stop(), worker.stop({ graceMs: 0 })]);
    throw error;
  }
  const stop = () => void Promise.all([folder?.stop(), mail?.stop(), worker.stop({ graceMs: 10_000 })]);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs a route against the API; a Facteur that cannot start (database down) answers 503. */
export async function withApi(call: (api: Api) => Promise<Response>): Promise<Response> {
  let current: Runtime;
  try {
    current = await runtime();
  } catch (error) {
    return errorResponse(error, fallbackLogger);
  }
  return call(current.api);
}

/** A route under /api/invoices/[id]: the invoice id from the path, then the API. */
export const invoiceRoute =
  (call: (api: Api, request: Request, id: string) => Promise<Response>) =>
  async (request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
    const { id } = await params;
    return withApi((api) => call(api, request, id));
  };

const fallbackLogger = createLogger(process.env.LOG_LEVEL ?? 'info');
