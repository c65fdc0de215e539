// Containment for the visual path: PDF parsing, rendering and OCR run in worker threads (piscina)
// with a heap limit, a time limit and the job's AbortSignal. A file that exhausts its worker's
// memory or runs past its time fails its own job with a code (EXTRACTION_OUT_OF_MEMORY,
// EXTRACTION_TIMEOUT); piscina replaces the lost thread, and the process goes on. The heap limit
// covers JavaScript memory; the pixel limit (sharp's limitInputPixels, the render scale) is what
// bounds the native image buffers.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { modulePath } from '../../paths.ts';
import { InvoiceError } from '../errors.ts';
import type { NormalisedInvoice } from '../model.ts';
import type { VisualLimits, VisualRequest } from './read.ts';
import type { VisualOutcome, VisualTask } from './worker.ts';

export interface ContainmentLimits extends VisualLimits {
  /** Heap of each worker thread, in MB (at least `MIN_WORKER_HEAP_MB`). */
  readonly workerHeapMb: number;
  /** Time allowed to read one file (every page, OCR included). */
  readonly visualTimeoutMs: number;
}

/** Below this, V8 may abort the whole process instead of stopping the worker: limits are raised to it. */
export const MIN_WORKER_HEAP_MB = 64;

// One pool per heap limit (a worker's limits are fixed when it starts); in practice one.
const pools = new Map<number, Piscina<VisualTask, VisualOutcome>>();

function poolFor(heapMb: number): Piscina<VisualTask, VisualOutcome> {
  let pool = pools.get(heapMb);
  if (!pool) {
    pool = new Piscina<VisualTask, VisualOutcome>({
      // Its own module graph, loaded by Node from a file (compiled or source): a bundle (Next.js)
      // cannot hold it.
      filename: pathToFileURL(modulePath('einvoice', 'visual', 'worker')).href,
      maxThreads: Math.max(1, availableParallelism() - 1),
      // A warm worker keeps its tesseract engine (about a second to start) between jobs.
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, Math.ceil(heapMb / 8)) },
    });
    pools.set(heapMb, pool);
  }
  return pool;
}

/** Stops the worker threads (tests, benchmarks, shutdown); the next read starts new ones. */
export async function stopVisualWorkers(): Promise<void> {
  const running = [...pools.values()];
  pools.clear();
  await Promise.all(running.map((pool) => pool.destroy()));
}

export async function readVisualContained(
  bytes: Uint8Array,
  request: Omit<VisualRequest, 'limits'> & { readonly limits: ContainmentLimits },
  signal?: AbortSignal,
): Promise<NormalisedInvoice> {
  const { visualTimeoutMs, ...limits } = request.limits;
  const workerHeapMb = Math.max(MIN_WORKER_HEAP_MB, limits.workerHeapMb);
  const deadline = AbortSignal.timeout(visualTimeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let outcome: VisualOutcome;
  try {
    outcome = await poolFor(workerHeapMb).run({ bytes, request: { ...request, limits } }, { signal: stop });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (deadline.aborted) {
      throw new InvoiceError('EXTRACTION_TIMEOUT', `Reading the page took longer than ${visualTimeoutMs} ms`, { cause: error });
    }
    if ((error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new InvoiceError('EXTRACTION_OUT_OF_MEMORY', `Reading the page needed more than ${workerHeapMb} MB`, { cause: error });
    }
    throw error;
  }
  if ('error' in outcome) throw new InvoiceError(outcome.error.code, outcome.error.message);
  return outcome.invoice;
}
