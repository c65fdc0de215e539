import type { Facteur } from '../app.ts';
import { statusEvents } from './events.ts';
import { exportsHandler } from './export.ts';
import { createGuard, type Caller } from './guard.ts';
import { inboundHandler } from './inbound.ts';
import { invoiceHandlers } from './invoices.ts';
import { jsonBody } from './json-body.ts';
import { metricsHandler } from './metrics.ts';
import { queueHandlers } from './queue.ts';
import { sessionHandlers } from './session.ts';
import { uploadHandler } from './uploads.ts';

export interface ApiOptions {
  /** NODE_ENV is production: the worker endpoint refuses to run without CRON_SECRET. */
  production: boolean;
  /** No worker runs in this process (serverless): each upload kicks a drain tick after its response. */
  kickAfterUpload: boolean;
  /** Time budget of one drain tick, under the platform's function limit. */
  tickBudgetMs: number;
}

/** The invoice id of the older URLs, in the query: `/api/queue/status?invoiceId=`. */
const queryInvoiceId = (request: Request) => new URL(request.url).searchParams.get('invoiceId');

/**
 * The HTTP API as framework-free handlers, `(Request, …) => Promise<Response>`: the Next.js routes
 * call them, one each, and so do the tests. Every handler is wrapped by the guard, which decides
 * who may call it: the caller's owner, or the scheduler's secret. Every failure is the JSON error
 * shape.
 */
export function createApi(facteur: Facteur, options: ApiOptions) {
  const guard = createGuard(facteur);
  const tick = () => facteur.createWorker().drain({ budgetMs: options.tickBudgetMs });
  const invoices = invoiceHandlers(facteur);
  const events = statusEvents(facteur);
  const queue = queueHandlers(facteur, tick);
  const upload = guard.caller(uploadHandler(facteur, options.kickAfterUpload ? tick : null));
  const session = sessionHandlers(facteur);

  return {
    listInvoices: guard.caller(invoices.list),
    upload,
    invoice: guard.caller(invoices.detail),
    invoiceStatus: guard.caller(invoices.status),
    invoiceEvents: guard.caller(events),
    invoiceFile: guard.caller(invoices.file),
    exportInvoice: guard.caller(invoices.export),
    exports: guard.caller(exportsHandler),
    enqueueInvoice: guard.caller(invoices.enqueue),
    retryInvoice: guard.caller(invoices.retry),
    setPriority: guard.caller(invoices.priority),
    approveInvoice: guard.caller(invoices.approve),
    rejectInvoice: guard.caller(invoices.reject),
    reopenInvoice: guard.caller(invoices.reopen),
    correctInvoice: guard.caller(invoices.correct),
    deleteInvoice: guard.caller(invoices.remove),
    restoreInvoice: guard.caller(invoices.restore),

    queueStats: guard.caller(queue.stats),
    queueDashboard: guard.caller(queue.dashboard),
    retryAllFailed: guard.caller(queue.retryFailed),
    queueWorker: guard.scheduler(queue.worker, { refuseWithoutSecret: options.production }),
    metrics: guard.admin(metricsHandler(facteur.metrics)),

    session: guard.caller(session.show),
    signIn: guard.anyone(session.signIn),
    signOut: guard.anyone(session.signOut),
    signInOptions: session.options,
    // Machine routes: each request is authenticated by its provider's signature, not by a caller.
    inbound: inboundHandler(facteur),

    // The URLs of the app Facteur descends from (README), served by the same handlers: the
    // invoice is named in the query or the body instead of the path.
    queueStatus: guard.caller((request: Request, caller: Caller) => invoices.status(request, caller, queryInvoiceId(request))),
    queueEvents: guard.caller((request: Request, caller: Caller) => events(request, caller, queryInvoiceId(request))),
    queueAdd: guard.caller(async (request: Request, caller: Caller) => {
      const body = await jsonBody(request);
      return invoices.requeue(caller, body.invoiceId, body);
    }),
  };
}

export type Api = ReturnType<typeof createApi>;
