import type { Facteur } from '../app.ts';
import { countUpload, remainingUploads } from '../access/rate-limit.ts';
import { acceptFile, storeInvoices } from '../invoices/store.ts';
import type { Caller } from './guard.ts';
import { readFileParts } from './multipart.ts';
import { HttpError, json } from './respond.ts';

/** Runs work after the response is sent (Next.js `after()`); the route passes it in. */
export type After = (work: () => Promise<unknown>) => void;

/** The body of one upload request holds at most this many times the size limit of one file. */
const BODY_FILES = 5;
/** Parts one upload request may carry (the inbox sends one file per request). */
const MAX_PARTS = 20;

/**
 * The per-owner limit on extractions (FACTEUR_UPLOAD_RATE files a minute, on every instance):
 * an upload is counted per file, and so is every re-queue and retry, since each runs one more
 * extraction. `before` refuses an owner already at the limit without counting anything (an upload
 * is refused before its body is read); `spend` counts `files` and refuses past the limit.
 */
export function extractionLimit({ db, config }: Pick<Facteur, 'db' | 'config'>) {
  const perMinute = config.uploadRatePerMinute;
  const refuse = (retryAfterSeconds: number) =>
    new HttpError(429, 'RATE_LIMITED', `At most ${perMinute} files a minute; try again in ${retryAfterSeconds} s.`, {
      'retry-after': String(retryAfterSeconds),
    });
  return {
    /** How many more the owner may run this minute (Infinity without a limit); 429 when none. */
    async before(owner: string): Promise<number> {
      if (perMinute === 0) return Number.POSITIVE_INFINITY;
      const rate = await remainingUploads(db, owner, perMinute);
      if (!rate.allowed) throw refuse(rate.retryAfterSeconds);
      return rate.remaining;
    },
    async spend(owner: string, files: number): Promise<void> {
      if (perMinute === 0 || files === 0) return;
      const rate = await countUpload(db, owner, files, perMinute);
      if (!rate.allowed) throw refuse(rate.retryAfterSeconds);
    },
  };
}

/**
 * POST /api/invoices (and /api/upload): one or more `file` parts; each becomes an invoice and its
 * job, in one transaction. With `kickAfter`, a drain tick runs once the response is sent.
 */
export function uploadHandler(
  facteur: Pick<Facteur, 'db' | 'queue' | 'config' | 'logger' | 'metrics'>,
  kickAfter: (() => Promise<unknown>) | null,
) {
  const { db, queue, config, logger, metrics } = facteur;
  const limit = extractionLimit(facteur);
  return async (request: Request, { owner }: Caller, after?: After): Promise<Response> => {
    await limit.before(owner);
    const parts = await readFileParts(request, {
      maxBodyBytes: config.maxUploadBytes * BODY_FILES,
      maxParts: MAX_PARTS,
      timeoutMs: config.uploadTimeoutMs,
    });
    const files = parts.map((part) => acceptFile(part.fileName, part.bytes, config.maxUploadBytes));
    await limit.spend(owner, files.length);
    const invoices = await storeInvoices(db, queue, owner, files, { source: { kind: 'upload', details: {} } });
    metrics.invoicesReceived(invoices.length);
    if (kickAfter && after) {
      after(() => kickAfter().catch((error: unknown) => logger.error({ err: error }, 'drain after upload failed')));
    }
    return json({ invoices }, 201);
  };
}
