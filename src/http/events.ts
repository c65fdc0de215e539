import type { Facteur } from '../app.ts';
import type { InvoiceStatus } from '../invoices/views.ts';
import { STATUS_CHANNEL, type JobStatus } from '../queue/index.ts';
import { invoiceIdFrom } from '../validators.ts';
import type { Caller } from './guard.ts';
import { HttpError } from './respond.ts';

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed']);
const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Streams one owner may hold open at once in this process: each holds a LISTEN callback, two timers
 * and a connection, and the status endpoint (with its ETag) serves any page past this many.
 */
export const STREAMS_PER_OWNER = 10;

/**
 * GET /api/invoices/{id}/events (and /api/queue/events?invoiceId=): Server-Sent Events, one
 * `status` event per change, pushed from LISTEN (re-checked every few seconds, and every second
 * when LISTEN is unavailable); `end` once the job is completed or failed. A comment line every
 * 15 s keeps proxies open.
 */
export function statusEvents({ db, config, logger }: Pick<Facteur, 'db' | 'config' | 'logger'>) {
  const open = new Map<string, number>();
  return async (request: Request, caller: Caller, id: unknown): Promise<Response> => {
    const invoiceId = invoiceIdFrom(id);
    const first = await caller.invoices.status(invoiceId);
    const held = open.get(caller.owner) ?? 0;
    if (held >= STREAMS_PER_OWNER) {
      throw new HttpError(
        429,
        'TOO_MANY_STREAMS',
        `${STREAMS_PER_OWNER} status streams are already open for this account; close one, or poll the status endpoint.`,
        { 'retry-after': '5' },
      );
    }
    open.set(caller.owner, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(caller.owner) ?? 1) - 1;
      if (left === 0) open.delete(caller.owner);
      else open.set(caller.owner, left);
    };
    const listening = db.canListen && !config.pollOnly;
    const encoder = new TextEncoder();
    let cleanup = release;
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
          refreshing = caller.invoices
            .findStatus(invoiceId)
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
          release();
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
    return new Response(stream, { headers: HEADERS });
  };
}
