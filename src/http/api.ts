import type { Facteur } from '../app.ts';
import { InvalidInputError } from '../errors.ts';
import { failedInvoiceIds, invoiceDetail, invoiceStatus, listInvoices, type InvoiceStatus } from '../invoices/reads.ts';
import { isHistoryRange, queueHistory } from '../queue/history.ts';
import { acceptFile, readInvoiceFile, storeInvoices } from '../invoices/store.ts';
import { PROCESS_INVOICE, setInvoicePriority } from '../invoices/jobs.ts';
import { PRIORITY_MAX, PRIORITY_MIN, STATUS_CHANNEL, type JobStatus } from '../queue/index.ts';
import { countUpload } from '../access/rate-limit.ts';
import { checkCronSecret, identify, ownerOf } from './auth.ts';
import { invoiceCsv } from './export.ts';
import { readFileParts } from './multipart.ts';
import { HttpError, errorResponse, json, jsonWithETag } from './respond.ts';

export interface ApiOptions {
  /** NODE_ENV is production: the worker endpoint refuses to run without CRON_SECRET. */
  production: boolean;
  /** No worker runs in this process (serverless): each upload kicks a drain tick after its response. */
  kickAfterUpload: boolean;
  /** Time budget of one drain tick, under the platform's function limit. */
  tickBudgetMs: number;
}

/** Runs work after the response is sent (Next.js `after()`); the route passes it in. */
export type After = (work: () => Promise<unknown>) => void;

/** How many files one upload request may carry, at most the size limit each. */
const BODY_FILES = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_STATUSES: readonly JobStatus[] = ['pending', 'processing', 'completed', 'failed'];
/** Invoices one « retry all » revives at most; the next call takes the rest. */
const RETRY_ALL_MAX = 1_000;
const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed']);

function invoiceIdFrom(value: string | null | undefined): string {
  if (!value) throw new HttpError(400, 'INVALID_INVOICE_ID', 'Give the invoice id (a UUID).');
  if (!UUID.test(value)) throw new HttpError(400, 'INVALID_INVOICE_ID', `The invoice id must be a UUID (got ${JSON.stringify(value.slice(0, 60))}).`);
  return value.toLowerCase();
}

function notFound(invoiceId: string): HttpError {
  return new HttpError(404, 'INVOICE_NOT_FOUND', `No invoice ${invoiceId}.`);
}

function priorityFrom(value: unknown): number {
  const priority = value ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < PRIORITY_MIN || priority > PRIORITY_MAX) {
    throw new HttpError(400, 'INVALID_PRIORITY', `The priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
  }
  return priority;
}

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The body must be a JSON object.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'INVALID_JSON', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * The HTTP API of DESIGN.md §4 as framework-free handlers, `(Request) => Promise<Response>`: the
 * Next.js routes call them, and so do the tests. Every failure is the JSON error shape.
 */
export function createApi(facteur: Facteur, options: ApiOptions) {
  const { db, queue, config, logger } = facteur;

  const guarded =
    <A extends unknown[]>(handler: (request: Request, ...args: A) => Promise<Response>) =>
    async (request: Request, ...args: A): Promise<Response> => {
      try {
        await identify(request, config, db);
        return await handler(request, ...args);
      } catch (error) {
        return errorResponse(error, logger);
      }
    };

  const tick = (budgetMs: number) => facteur.createWorker().drain({ budgetMs });

  return {
    /** POST /api/upload: one or more `file` parts; each becomes an invoice and its job, in one transaction. */
    upload: guarded(async (request: Request, after?: After) => {
      const owner = ownerOf(request);
      const parts = await readFileParts(request, config.maxUploadBytes * BODY_FILES, config.uploadTimeoutMs);
      const files = parts.map((part) => acceptFile(part.fileName, part.bytes, config.maxUploadBytes));
      if (config.uploadRatePerMinute > 0) {
        const rate = await countUpload(db, owner, files.length, config.uploadRatePerMinute);
        if (!rate.allowed) {
          throw new HttpError(429, 'RATE_LIMITED', `At most ${config.uploadRatePerMinute} files a minute; try again in ${rate.retryAfterSeconds} s.`, {
            'retry-after': String(rate.retryAfterSeconds),
          });
        }
      }
      const invoices = await storeInvoices(db, queue, owner, files);
      facteur.metrics.invoicesReceived(invoices.length);
      if (options.kickAfterUpload && after) {
        after(() => tick(options.tickBudgetMs).catch((error: unknown) => logger.error({ err: error }, 'drain after upload failed')));
      }
      return json({ invoices }, 201);
    }),

    /** POST /api/queue/add `{invoiceId, priority?}`: (re)queues an invoice; its live job if it has one. */
    queueAdd: guarded(async (request: Request) => {
      const owner = ownerOf(request);
      const body = await jsonBody(request);
      const invoiceId = invoiceIdFrom(typeof body.invoiceId === 'string' ? body.invoiceId : body.invoiceId === undefined ? undefined : String(body.invoiceId));
      const priority = priorityFrom(body.priority);
      const owned = await db.query('SELECT 1 FROM invoices WHERE id = $1 AND owner = $2', [invoiceId, owner]);
      if (owned.rowCount === 0) throw notFound(invoiceId);
      const job = await queue.enqueue({ task: PROCESS_INVOICE, invoiceId, priority });
      const status = await invoiceStatus(db, owner, invoiceId);
      return json({ ...status, created: job.created }, job.created ? 201 : 200);
    }),

    /** GET|POST /api/queue/worker: one drain tick, for the scheduler. */
    queueWorker: guarded(async (request: Request) => {
      checkCronSecret(request, config, options.production);
      return json(await tick(options.tickBudgetMs));
    }),

    /** GET /api/queue/status?invoiceId=: 304 when If-None-Match names the current status's ETag. */
    queueStatus: guarded(async (request: Request) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(new URL(request.url).searchParams.get('invoiceId'));
      const status = await invoiceStatus(db, owner, invoiceId);
      if (!status) throw notFound(invoiceId);
      return jsonWithETag(request, status);
    }),

    /**
     * GET /api/queue/events?invoiceId=: Server-Sent Events, one `status` event per change, pushed
     * from LISTEN (re-checked every few seconds, and every second when LISTEN is unavailable);
     * `end` once the job is completed or failed. A comment line every 15 s keeps proxies open.
     */
    queueEvents: guarded(async (request: Request) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(new URL(request.url).searchParams.get('invoiceId'));
      const first = await invoiceStatus(db, owner, invoiceId);
      if (!first) throw notFound(invoiceId);
      const listening = db.canListen && !config.pollOnly;
      const encoder = new TextEncoder();
      let cleanup = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start: async (controller) => {
          let last = '';
          let closed = false;
          let refreshing: Promise<void> | null = null;
          let again = false;
          const write = (text: string) => {
            if (!closed) controller.enqueue(encoder.encode(text));
          };
          const close = () => {
            if (closed) return;
            closed = true;
            cleanup();
            controller.close();
          };
          const publish = (status: InvoiceStatus) => {
            const text = JSON.stringify(status);
            if (text === last) return;
            last = text;
            write(`event: status\ndata: ${text}\n\n`);
            if (TERMINAL.has(status.status)) {
              write('event: end\ndata: {}\n\n');
              close();
            }
          };
          const refresh = (): void => {
            if (refreshing) {
              again = true;
              return;
            }
            refreshing = invoiceStatus(db, owner, invoiceId)
              .then((status) => (status ? publish(status) : close()))
              .catch((error: unknown) => logger.warn({ err: error, invoiceId }, 'status refresh failed'))
              .finally(() => {
                refreshing = null;
                if (again && !closed) {
                  again = false;
                  refresh();
                }
              });
          };
          const unlisten = listening
            ? await db.listen(STATUS_CHANNEL, (payload) => {
                if (payload === '*' || payload.split(',').includes(invoiceId)) refresh();
              })
            : null;
          const poll = setInterval(refresh, listening ? 5_000 : 1_000);
          const heartbeat = setInterval(() => write(': ping\n\n'), 15_000);
          cleanup = () => {
            clearInterval(poll);
            clearInterval(heartbeat);
            void unlisten?.();
          };
          request.signal.addEventListener('abort', close, { once: true });
          write('retry: 3000\n\n');
          publish(first);
          // A change between the first read and LISTEN would otherwise wait for the next poll.
          if (!closed) refresh();
        },
        cancel: () => cleanup(),
      });
      return new Response(stream, {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
      });
    }),

    /** GET /api/metrics: Prometheus text; needs the cron secret when one is set. */
    metrics: guarded(async (request: Request) => {
      if (config.cronSecret) checkCronSecret(request, config, options.production);
      const { contentType, body } = await facteur.metrics.exposition();
      return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
    }),

    /** GET /api/queue/stats */
    queueStats: guarded(async (request: Request) => {
      ownerOf(request);
      return json(await queue.stats());
    }),

    /** GET /api/invoices?status=&q=&limit=&cursor= */
    listInvoices: guarded(async (request: Request) => {
      const owner = ownerOf(request);
      const params = new URL(request.url).searchParams;
      const status = params.get('status') ?? undefined;
      if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
        throw new InvalidInputError('INVALID_STATUS', `status must be one of ${JOB_STATUSES.join(', ')}.`);
      }
      const limit = Number(params.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InvalidInputError('INVALID_LIMIT', 'limit must be a whole number from 1 to 200.');
      const cursorText = params.get('cursor');
      let cursor: { createdAt: string; id: string } | undefined;
      if (cursorText) {
        const [createdAt, id] = cursorText.split('_');
        if (!createdAt || !id || !UUID.test(id) || Number.isNaN(Date.parse(createdAt))) throw new InvalidInputError('INVALID_CURSOR', 'The cursor is not one this API gave.');
        cursor = { createdAt, id };
      }
      return json(await listInvoices(db, owner, { status: status as JobStatus | undefined, search: params.get('q') ?? undefined, limit, cursor }));
    }),

    /** GET /api/invoices/{id}: status, extracted invoice, attempt history. */
    invoice: guarded(async (request: Request, id: string) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(id);
      const detail = await invoiceDetail(db, owner, invoiceId);
      if (!detail) throw notFound(invoiceId);
      return json(detail);
    }),

    /** GET /api/invoices/{id}/file: the original bytes, shown inline but never run as a page. */
    invoiceFile: guarded(async (request: Request, id: string) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(id);
      const file = await readInvoiceFile(db, invoiceId, owner);
      if (!file) throw notFound(invoiceId);
      return new Response(file.bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          'content-type': file.mediaType,
          'content-length': String(file.bytes.byteLength),
          'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': 'sandbox',
          'cache-control': 'private, max-age=3600',
        },
      });
    }),

    /** POST /api/invoices/{id}/retry: gives the invoice's failed job a fresh set of attempts. */
    retryInvoice: guarded(async (request: Request, id: string) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(id);
      const before = await invoiceStatus(db, owner, invoiceId);
      if (!before) throw notFound(invoiceId);
      if (before.status !== 'failed') throw new HttpError(409, 'NOT_FAILED', `Invoice ${invoiceId} has not failed (it is ${before.status}); nothing to retry.`);
      await queue.retryFailed({ invoiceId });
      return json(await invoiceStatus(db, owner, invoiceId));
    }),

    /** POST /api/queue/retry-failed: gives the owner's failed invoices (the oldest 1,000) a fresh set of attempts; `{retried}`. */
    retryAllFailed: guarded(async (request: Request) => {
      const owner = ownerOf(request);
      let retried = 0;
      for (const invoiceId of await failedInvoiceIds(db, owner, RETRY_ALL_MAX)) retried += (await queue.retryFailed({ invoiceId })).length;
      return json({ retried });
    }),

    /** POST /api/invoices/{id}/priority `{priority}`: reorders the invoice's pending job. */
    setPriority: guarded(async (request: Request, id: string) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(id);
      const priority = priorityFrom((await jsonBody(request)).priority);
      if (!(await setInvoicePriority(db, queue, owner, invoiceId, priority))) {
        const current = await invoiceStatus(db, owner, invoiceId);
        if (!current) throw notFound(invoiceId);
        throw new HttpError(409, 'NOT_PENDING', `Invoice ${invoiceId} is ${current.status}: only a pending job's priority can change (re-queue it with a priority instead).`);
      }
      return json(await invoiceStatus(db, owner, invoiceId));
    }),

    /** GET /api/invoices/{id}/export?format=json|csv: the normalised invoice as a download. */
    exportInvoice: guarded(async (request: Request, id: string) => {
      const owner = ownerOf(request);
      const invoiceId = invoiceIdFrom(id);
      const format = new URL(request.url).searchParams.get('format') ?? 'json';
      if (format !== 'json' && format !== 'csv') throw new InvalidInputError('INVALID_FORMAT', 'format must be json or csv.');
      const detail = await invoiceDetail(db, owner, invoiceId);
      if (!detail) throw notFound(invoiceId);
      if (!detail.extracted) throw new HttpError(409, 'NOT_EXTRACTED', `Invoice ${invoiceId} has no extracted data yet (it is ${detail.status}).`);
      const base = (detail.extracted.fields['BT-1'] ?? invoiceId).replace(/[^\w.-]+/g, '_');
      const [body, type] = format === 'csv' ? [invoiceCsv(detail.extracted), 'text/csv; charset=utf-8'] : [`${JSON.stringify(detail.extracted, null, 2)}\n`, 'application/json; charset=utf-8'];
      return new Response(body, {
        headers: { 'content-type': type, 'content-disposition': `attachment; filename="${base}.${format}"`, 'cache-control': 'no-store' },
      });
    }),

    /** GET /api/queue/dashboard?range=hour|day: throughput and failures per bucket, processing times, workers seen. */
    queueDashboard: guarded(async (request: Request) => {
      ownerOf(request);
      const range = new URL(request.url).searchParams.get('range') ?? 'hour';
      if (!isHistoryRange(range)) throw new InvalidInputError('INVALID_RANGE', 'range must be hour or day.');
      return json(await queueHistory(db, range));
    }),
  };
}

export type Api = ReturnType<typeof createApi>;
