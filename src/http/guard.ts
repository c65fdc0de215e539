import type { Facteur } from '../app.ts';
import { OwnedInvoices } from '../invoices/owned.ts';
import { authenticate, checkCronSecret, checkMetricsToken } from './auth.ts';
import { checkHost, checkSameOrigin } from './origin.ts';
import { errorResponse, HttpError } from './respond.ts';

/** `admin` sees the machine-wide figures (queue, workers, metrics); `member` only its organisation's. */
export type CallerRole = 'admin' | 'member';

/** Who is calling, settled before the handler runs: a handler reaches invoices only through it. */
export interface Caller {
  owner: string;
  /** `admin` sees the machine as a whole (metrics, every owner's figures); `member`, its owner's. */
  role: CallerRole;
  /** The caller's invoices: another owner's are missing, exactly as ones that do not exist. */
  invoices: OwnedInvoices;
}

/** A handler for a signed-in caller: it is given the caller, and cannot run without one. */
export type CallerHandler<A extends unknown[] = []> = (request: Request, caller: Caller, ...args: A) => Promise<Response>;

/** What the routes call: every failure is already the JSON error shape. */
export type Endpoint<A extends unknown[] = []> = (request: Request, ...args: A) => Promise<Response>;

/**
 * The one door to every endpoint. `caller` authenticates the request (401 before anything is
 * read or written) and hands the handler its caller; `scheduler` is for the scheduler's endpoints,
 * which need the cron secret instead of an owner. Either way, errors become JSON answers.
 */
export function createGuard(facteur: Pick<Facteur, 'config' | 'db' | 'logger'>) {
  const { config, db, logger } = facteur;

  const answered =
    <A extends unknown[]>(handler: Endpoint<A>): Endpoint<A> =>
    async (request, ...args) => {
      try {
        // Before any credential is looked at: a request from the wrong place is refused as such.
        checkHost(request, config);
        checkSameOrigin(request);
        return await handler(request, ...args);
      } catch (error) {
        return errorResponse(error, logger);
      }
    };

  const identify = async (request: Request): Promise<Caller> => {
    const { owner, role } = await authenticate(request, config, db);
    return { owner, role, invoices: new OwnedInvoices(db, owner) };
  };

  return {
    caller: <A extends unknown[]>(handler: CallerHandler<A>): Endpoint<A> =>
      answered(async (request, ...args: A) => handler(request, await identify(request), ...args)),

    /** The machine's own figures (metrics): an admin, or a scraper with FACTEUR_METRICS_TOKEN. */
    admin: <A extends unknown[]>(handler: Endpoint<A>): Endpoint<A> =>
      answered(async (request, ...args: A) => {
        if (!checkMetricsToken(request, config) && (await identify(request)).role !== 'admin') {
          throw new HttpError(403, 'ADMIN_ONLY', 'Only an administrator, or a scraper with FACTEUR_METRICS_TOKEN, may read this.');
        }
        return handler(request, ...args);
      }),

    /** For what anyone may call (signing in): no caller, but the same door as every other request. */
    anyone: <A extends unknown[]>(handler: Endpoint<A>): Endpoint<A> => answered(handler),

    /** `refuseWithoutSecret`: whether the endpoint is closed, rather than open, while CRON_SECRET is unset. */
    scheduler: <A extends unknown[]>(handler: Endpoint<A>, options: { refuseWithoutSecret: boolean }): Endpoint<A> =>
      answered(async (request, ...args: A) => {
        checkCronSecret(request, config, options.refuseWithoutSecret);
        return handler(request, ...args);
      }),
  };
}
