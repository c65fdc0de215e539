import type { Facteur } from '../app.ts';
import { OwnedInvoices } from '../invoices/owned.ts';
import { authenticate, checkCronSecret } from './auth.ts';
import { errorResponse } from './respond.ts';

/** `admin` sees the machine-wide figures (queue, workers, metrics); `member` only its organisation's. */
export type CallerRole = 'admin' | 'member';

/** Who is calling, settled before the handler runs: a handler reaches invoices only through it. */
export interface Caller {
  owner: string;
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
        return await handler(request, ...args);
      } catch (error) {
        return errorResponse(error, logger);
      }
    };

  return {
    caller: <A extends unknown[]>(handler: CallerHandler<A>): Endpoint<A> =>
      answered(async (request, ...args: A) => {
        const owner = await authenticate(request, config, db);
        // The one local owner of `none` runs the machine; a token or a Supabase user stands for one
        // organisation among others.
        const role: CallerRole = config.auth === 'none' ? 'admin' : 'member';
        return handler(request, { owner, role, invoices: new OwnedInvoices(db, owner) }, ...args);
      }),

    /** `refuseWithoutSecret`: whether the endpoint is closed, rather than open, while CRON_SECRET is unset. */
    scheduler: <A extends unknown[]>(handler: Endpoint<A>, options: { refuseWithoutSecret: boolean }): Endpoint<A> =>
      answered(async (request, ...args: A) => {
        checkCronSecret(request, config, options.refuseWithoutSecret);
        return handler(request, ...args);
      }),
  };
}
