import type { Facteur } from '../app.ts';
import {
  choiceFrom,
  invoiceDateFrom,
  invoiceIdFrom,
  invoiceSourceFrom,
  jobStatusFrom,
  pageCursorFrom,
  pageLimitFrom,
  priorityFrom,
  rejectionReasonFrom,
  reviewStateFrom,
  searchFrom,
  supplierFrom,
  versionFrom,
} from '../validators.ts';
import { fieldChangesFrom } from '../invoices/correct.ts';
import { PROCESS_INVOICE } from '../invoices/jobs.ts';
import { INVOICE_DELETED } from '../invoices/handler.ts';
import type { Transition } from '../invoices/review.ts';
import { INVOICE_FILE_FORMATS, invoiceFile } from './export.ts';
import type { Caller } from './guard.ts';
import { jsonBody } from './json-body.ts';
import { extractionLimit } from './uploads.ts';
import { contentDisposition, HttpError, json, jsonWithETag } from './respond.ts';

/**
 * /api/invoices and /api/invoices/{id}/…: the caller's invoices, one at a time or a page of them.
 * Each handler is given the caller by the guard and reaches invoices only through it.
 */
export function invoiceHandlers(facteur: Pick<Facteur, 'db' | 'queue' | 'config'>) {
  const { queue } = facteur;
  const limit = extractionLimit(facteur);
  /** Queues the invoice again (its live job if it has one), with `body.priority`: `enqueue`, and /api/queue/add. */
  const requeue = async (caller: Caller, id: unknown, body: Record<string, unknown>): Promise<Response> => {
    const invoiceId = invoiceIdFrom(id);
    const priority = priorityFrom(body.priority);
    await caller.invoices.check(invoiceId);
    await limit.spend(caller.owner, 1);
    const job = await queue.enqueue({ task: PROCESS_INVOICE, invoiceId, priority });
    const status = await caller.invoices.status(invoiceId);
    return json({ ...status, created: job.created }, job.created ? 201 : 200);
  };

  /** A review transition by the caller, from the `version` it names; answers the invoice as it is now. */
  const review = async (caller: Caller, id: string, transition: Transition, body: Record<string, unknown>, reason?: string) => {
    const invoiceId = invoiceIdFrom(id);
    await caller.invoices.review(invoiceId, transition, { by: caller.owner, version: versionFrom(body.version), reason });
    return json(await caller.invoices.detail(invoiceId));
  };

  return {
    /** GET /api/invoices?status=&review=&source=&q=&supplier=&from=&to=&limit=&cursor= */
    list: async (request: Request, caller: Caller) => {
      const params = new URL(request.url).searchParams;
      const status = jobStatusFrom(params.get('status'));
      const reviewState = reviewStateFrom(params.get('review'));
      const source = invoiceSourceFrom(params.get('source'));
      const limit = pageLimitFrom(params.get('limit'));
      const cursor = pageCursorFrom(params.get('cursor'));
      const supplier = supplierFrom(params.get('supplier'));
      const issuedFrom = invoiceDateFrom(params.get('from'), 'from');
      const issuedTo = invoiceDateFrom(params.get('to'), 'to');
      if (issuedFrom && issuedTo && issuedFrom > issuedTo) {
        throw new HttpError(400, 'INVALID_DATE_RANGE', `from (${issuedFrom}) is after to (${issuedTo}).`);
      }
      const search = searchFrom(params.get('q'));
      return json(
        await caller.invoices.list({ status, review: reviewState, source, search, supplier, issuedFrom, issuedTo, limit, cursor }),
      );
    },

    /** POST /api/invoices/{id}/approve `{version?}` */
    approve: async (request: Request, caller: Caller, id: string) =>
      review(caller, id, 'approve', await jsonBody(request, { optional: true })),

    /** POST /api/invoices/{id}/reject `{reason, version?}` */
    reject: async (request: Request, caller: Caller, id: string) => {
      const body = await jsonBody(request);
      return review(caller, id, 'reject', body, rejectionReasonFrom(body.reason));
    },

    /** POST /api/invoices/{id}/reopen `{version?}`: an approved or rejected invoice back to review. */
    reopen: async (request: Request, caller: Caller, id: string) =>
      review(caller, id, 'reopen', await jsonBody(request, { optional: true })),

    /**
     * PATCH /api/invoices/{id}/fields `{fields: {"BT-27": "…", "BG-23[0].BT-116": "…"}, version}`: a
     * person's corrections, typed values checked before anything is read; answers the re-validated invoice.
     */
    correct: async (request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const body = await jsonBody(request);
      const changes = fieldChangesFrom(body.fields);
      const version = versionFrom(body.version);
      if (version === undefined)
        throw new HttpError(400, 'VERSION_REQUIRED', 'version is required: the version the invoice showed when it was edited.');
      await caller.invoices.correct(invoiceId, changes, { version, by: caller.owner });
      return json(await caller.invoices.detail(invoiceId));
    },

    /** DELETE /api/invoices/{id} `{version?}`: soft; hidden from the lists and exports, restorable until the retention passes. */
    remove: async (request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const body = await jsonBody(request, { optional: true });
      await caller.invoices.setDeleted(invoiceId, true, { by: caller.owner, version: versionFrom(body.version) });
      return json(await caller.invoices.detail(invoiceId));
    },

    /** POST /api/invoices/{id}/restore `{version?}`: undoes a delete; a read the delete stopped is queued again. */
    restore: async (request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const body = await jsonBody(request, { optional: true });
      await caller.invoices.setDeleted(invoiceId, false, { by: caller.owner, version: versionFrom(body.version) });
      const status = await caller.invoices.status(invoiceId);
      if (status.status === 'failed' && status.errorCode === INVOICE_DELETED) await queue.retryFailed({ invoiceId });
      return json(await caller.invoices.detail(invoiceId));
    },

    /** GET /api/invoices/{id}: status, extracted invoice, attempt history. */
    detail: async (_request: Request, caller: Caller, id: string) => json(await caller.invoices.detail(invoiceIdFrom(id))),

    /** GET /api/invoices/{id}/status: 304 when If-None-Match names the current status's ETag. */
    status: async (request: Request, caller: Caller, id: unknown) => jsonWithETag(request, await caller.invoices.status(invoiceIdFrom(id))),

    /**
     * GET /api/invoices/{id}/file: the original bytes, always as a download (`attachment`): opened
     * at this URL, neither a PDF's JavaScript nor an XML or XHTML page runs in the app's origin.
     * The review screen reads the same bytes with fetch (pdf.js draws a PDF; XML is shown as text).
     */
    file: async (_request: Request, caller: Caller, id: string) => {
      const file = await caller.invoices.file(invoiceIdFrom(id));
      return new Response(file.bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          'content-type': file.mediaType,
          'content-length': String(file.bytes.byteLength),
          'content-disposition': contentDisposition('attachment', file.fileName),
          'x-content-type-options': 'nosniff',
          'content-security-policy': 'sandbox',
          'cache-control': 'private, max-age=3600',
        },
      });
    },

    /** POST /api/invoices/{id}/enqueue `{priority?}` */
    enqueue: async (request: Request, caller: Caller, id: string) => requeue(caller, id, await jsonBody(request)),

    requeue,

    /** POST /api/invoices/{id}/retry: gives the invoice's failed job a fresh set of attempts. */
    retry: async (_request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const before = await caller.invoices.status(invoiceId);
      if (before.status !== 'failed')
        throw new HttpError(409, 'NOT_FAILED', `Invoice ${invoiceId} has not failed (it is ${before.status}); nothing to retry.`);
      await limit.spend(caller.owner, 1);
      await queue.retryFailed({ invoiceId });
      return json(await caller.invoices.status(invoiceId));
    },

    /** POST /api/invoices/{id}/priority `{priority}`: reorders the invoice's pending job. */
    priority: async (request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const priority = priorityFrom((await jsonBody(request)).priority);
      await caller.invoices.check(invoiceId);
      if (!(await queue.setPriority({ task: PROCESS_INVOICE, invoiceId, priority }))) {
        const current = await caller.invoices.status(invoiceId);
        throw new HttpError(
          409,
          'NOT_PENDING',
          `Invoice ${invoiceId} is ${current.status}: only a pending job's priority can change (re-queue it with a priority instead).`,
        );
      }
      return json(await caller.invoices.status(invoiceId));
    },

    /**
     * GET /api/invoices/{id}/export?format=json|csv|ubl|cii|facturx: the normalised invoice as a
     * download, or re-issued as an e-invoice (whatever it was read from: XML, a PDF, a scan).
     */
    export: async (request: Request, caller: Caller, id: string) => {
      const invoiceId = invoiceIdFrom(id);
      const format = choiceFrom(new URL(request.url).searchParams.get('format'), INVOICE_FILE_FORMATS, 'INVALID_FORMAT', 'format');
      const detail = await caller.invoices.detail(invoiceId);
      if (!detail.extracted) {
        throw new HttpError(409, 'NOT_EXTRACTED', `Invoice ${invoiceId} has no extracted data yet (it is ${detail.status}).`);
      }
      const file = await invoiceFile(detail.extracted, format, invoiceId);
      return new Response(file.body, {
        headers: {
          'content-type': file.contentType,
          'content-disposition': contentDisposition('attachment', file.fileName),
          'cache-control': 'no-store',
        },
      });
    },
  };
}
