'use client';

import { useEffect, useRef, useState } from 'react';
import type { InvoiceStatus } from '../src/invoices/views.ts';

/** Streams open at once: a browser allows six connections per host over HTTP/1.1; the rest poll. */
const MAX_STREAMS = 3;
const POLL_MS = 5_000;
const SLOW_POLL_MS = 30_000;
/** After this long the page keeps polling, slowly, instead of giving up. */
const FAST_FOR_MS = 5 * 60_000;

const terminal = (status: InvoiceStatus) => status.status === 'completed' || status.status === 'failed';

/**
 * Follows the invoices still in the queue: a Server-Sent Events stream each (a few at a time), and
 * for the others, or when a stream fails, a poll of /api/queue/status every 5 s, every 30 s after
 * 5 minutes. Also polls at once when the tab becomes visible again. Returns whether it went slow.
 */
export function useLiveStatus(invoiceIds: readonly string[], onStatus: (status: InvoiceStatus) => void): { slow: boolean } {
  const streams = useRef(new Map<string, EventSource>());
  const broken = useRef(new Set<string>());
  const watched = useRef<readonly string[]>([]);
  const report = useRef(onStatus);
  useEffect(() => {
    report.current = onStatus;
  });
  const [slow, setSlow] = useState(false);
  const key = [...invoiceIds].sort().join(',');

  // Open streams for newly watched invoices, close those no longer watched.
  useEffect(() => {
    const ids = key ? key.split(',') : [];
    watched.current = ids;
    for (const [id, stream] of streams.current) {
      if (!ids.includes(id)) {
        stream.close();
        streams.current.delete(id);
      }
    }
    if (typeof EventSource === 'undefined') return;
    for (const id of ids) {
      if (streams.current.size >= MAX_STREAMS) break;
      if (streams.current.has(id) || broken.current.has(id)) continue;
      const stream = new EventSource(`/api/queue/events?invoiceId=${id}`);
      const close = () => {
        stream.close();
        streams.current.delete(id);
      };
      stream.addEventListener('status', (event) => {
        const status = JSON.parse((event as MessageEvent<string>).data) as InvoiceStatus;
        report.current(status);
        if (terminal(status)) close();
      });
      stream.addEventListener('end', close);
      stream.addEventListener('error', () => {
        // The server closes the stream after `end`; any other error: fall back to polling.
        if (streams.current.has(id)) broken.current.add(id);
        close();
      });
      streams.current.set(id, stream);
    }
  }, [key]);

  useEffect(() => {
    const all = streams.current;
    return () => {
      for (const stream of all.values()) stream.close();
      all.clear();
    };
  }, []);

  // Poll whatever no stream follows, sending back the last ETag: an unchanged status comes back
  // as an empty 304.
  const etags = useRef(new Map<string, string>());
  useEffect(() => {
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const ids = watched.current.filter((id) => !streams.current.has(id));
      await Promise.all(
        ids.map(async (id) => {
          try {
            const etag = etags.current.get(id);
            const response = await fetch(`/api/queue/status?invoiceId=${id}`, {
              cache: 'no-store',
              headers: etag ? { 'if-none-match': etag } : {},
            });
            if (!response.ok) return;
            const next = response.headers.get('etag');
            if (next) etags.current.set(id, next);
            report.current((await response.json()) as InvoiceStatus);
          } catch {
            // Offline for a moment: the next poll tries again.
          }
        }),
      );
    };
    const schedule = () => {
      const late = Date.now() - started > FAST_FOR_MS;
      setSlow(late);
      timer = setTimeout(() => void poll().finally(schedule), late ? SLOW_POLL_MS : POLL_MS);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void poll();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key]);

  return { slow };
}
