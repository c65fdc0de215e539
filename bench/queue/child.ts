/**
 * One worker process for W2 (drain) and the large-table check. Loads only the system it runs, then
 * over IPC: → {ready}; ← {go}: start the worker; → {progress, runs} every 20 ms; ← {stop}: stop it,
 * → {result} with its own peak RSS (process.resourceUsage().maxRSS) and start-up time (without the
 * wait between ready and go), then exit.
 *
 *   node bench/queue/child.ts <variant> <serverUrl> <schema> <applicationName> <concurrency>
 *
 * <variant>: a system and its settings, as run.ts's --systems take them (types.ts, parseVariant).
 */
import { loadAdapter } from './systems.ts';
import { parseVariant, type RunningWorker, type SchemaContext, nowAbs } from './types.ts';

export interface ChildResult {
  type: 'result';
  runs: number;
  /** Absolute high-resolution times (ms since the epoch). */
  goAbs: number;
  workerStartedAbs: number;
  firstStartAbs: number | null;
  lastEndAbs: number | null;
  maxRssKiB: number;
  /** Start-up: process start to the adapter (and its library) loaded, plus go to the worker started. */
  startupMs: number;
  error?: string;
}

export type ChildMessage = { type: 'ready' } | { type: 'progress'; runs: number } | ChildResult | { type: 'error'; error: string };

const [system, serverUrl, schema, applicationName, concurrencyText] = process.argv.slice(2);
if (!system || !serverUrl || !schema || !applicationName || !concurrencyText) {
  console.error('usage: child.ts <variant> <serverUrl> <schema> <applicationName> <concurrency>');
  process.exit(2);
}
const send = (message: ChildMessage) => process.send?.(message);
const ctx: SchemaContext = { serverUrl, schema, applicationName };
const adapter = await loadAdapter(parseVariant(system));
// Milliseconds since the process started (performance's time origin): Node itself and the imports.
const loadedMs = performance.now();

let runs = 0;
let firstStartAbs: number | null = null;
let lastEndAbs: number | null = null;
let goAbs = 0;
let workerStartedAbs = 0;
let worker: RunningWorker | null = null;
let progressTimer: NodeJS.Timeout | null = null;
let lastSent = -1;

process.on('message', (message: { type: string }) => {
  if (message.type === 'go') void go();
  if (message.type === 'stop') void stop();
});
process.on('disconnect', () => process.exit(1));

async function go(): Promise<void> {
  goAbs = nowAbs();
  try {
    worker = await adapter.startWorker(ctx, {
      concurrency: Number(concurrencyText),
      handler: () => {
        const now = nowAbs();
        if (firstStartAbs === null) firstStartAbs = now;
        runs += 1;
        lastEndAbs = now;
      },
    });
    workerStartedAbs = nowAbs();
  } catch (error) {
    send({ type: 'error', error: String((error as Error)?.stack ?? error) });
    return;
  }
  progressTimer = setInterval(() => {
    if (runs !== lastSent) send({ type: 'progress', runs });
    lastSent = runs;
  }, 20);
}

async function stop(): Promise<void> {
  if (progressTimer) clearInterval(progressTimer);
  let error: string | undefined;
  try {
    await worker?.stop();
  } catch (e) {
    error = String((e as Error)?.stack ?? e);
  }
  const result: ChildResult = {
    type: 'result',
    runs,
    goAbs,
    workerStartedAbs,
    firstStartAbs,
    lastEndAbs,
    maxRssKiB: process.resourceUsage().maxRSS,
    startupMs: loadedMs + (workerStartedAbs - goAbs),
  };
  if (error) result.error = error;
  process.send?.(result, () => process.exit(0));
}

send({ type: 'ready' });
