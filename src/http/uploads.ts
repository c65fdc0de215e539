import type { Facteur } from '../app.ts';
import { countUpload } from '../access/rate-limit.ts';
import { acceptFile, storeInvoices } from '../invoices/store.ts';
import type { Caller } from './guard.ts';
import { readFileParts } from './multipart.ts';
import { HttpError, json } from './respond.ts';

/** Runs work after the response is sent (Next.js `after()`); the route passes it in. */
export type After = (work: () => Promise<unknown>) => void;

/** How many files one upload request may carry, at most the size limit each. */
const BODY_FILES = 5;

/**
 * POST /api/invoices (and /api/upload): one or more `file` parts; each becomes an invoice and its
 * job, in one transaction. With `kickAfter`, a drain tick runs once the response is sent.
 */
export function uploadHandler(
  { db, queue, config, logger, metrics }: Pick<Facteur, 'db' | 'queue' | 'config' | 'logger' | 'metrics'>,
  kickAfter: (() => Promise<unknown>) | null,
) {
  return async (request: Request, { owner }: Caller, after?: After): Promise<Response> => {
    const parts = await readFileParts(request, config.maxUploadBytes * BODY_FILES, config.uploadTimeoutMs);
    const files = parts.map((part) => acceptFile(part.fileName, part.bytes, config.maxUploadBytes));
    if (config.uploadRatePerMinute > 0) {
      const rate = await countUpload(db, owner, files.length, config.uploadRatePerMinute);
      if (!rate.allowed) {
        throw new HttpError(
          429,
          'RATE_LIMITED',
          `At most ${config.uploadRatePerMinute} files a minute; try again in ${rate.retryAfterSeconds} s.`,
          {
            'retry-after': String(rate.retryAfterSeconds),
          },
        );
      }
    }
    const invoices = await storeInvoices(db, queue, owner, files, { source: { kind: 'upload', details: {} } });
    metrics.invoicesReceived(invoices.length);
    if (kickAfter && after) {
      after(() => kickAfter().catch((error: unknown) => logger.error({ err: error }, 'drain after upload failed')));
    }
    return json({ invoices }, 201);
  };
}
