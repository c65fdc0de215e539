// Per-owner views (issue 13, point 5), over HTTP against the production build in token mode: two
// organisations share one machine, and nothing either is shown — queue counts, throughput,
// processing times, worker ids, a job's position, a status's ETag — moves with what the other does.
// Their streams of status events are capped per owner. The worker is the scheduler's tick, so
// every job waits where the test leaves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

const ALICE = 'alice-views-token-0123456789abcdef';
const BOB = 'bob-views-token-0123456789abcdefghi';
const CRON_SECRET = 'views-test-cron-secret-0123456789';
const STREAMS_PER_OWNER = 10;

interface Stats {
  scope: string;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

describe('what one organisation sees of a machine it shares', () => {
  let db: TestDb;
  let app: RunningServer;
  let sequence = 0;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    // No worker in the server: jobs stay pending until the scheduler's tick runs them.
    app = await startServer({
      DATABASE_URL: db.url!,
      FACTEUR_AUTH: 'token',
      FACTEUR_TOKENS: `alice:${ALICE}, bob:${BOB}`,
      FACTEUR_WORKER: 'none',
      CRON_SECRET,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const read = async <T>(path: string, token: string): Promise<T> => {
    const response = await get(path, token);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  /**
   * Queued straight into the database, as an upload does: an upload with no worker in the server
   * kicks a drain tick after its answer, and these jobs must wait for the test's own ticks.
   */
  const queue = async (owner: string, count: number): Promise<string[]> => {
    const files = Array.from({ length: count }, () => {
      const invoice = sampleInvoice();
      sequence += 1;
      invoice.fields['BT-1'] = `VIEWS-${Date.now()}-${sequence}`;
      return acceptFile(`vue-${sequence}.xml`, new TextEncoder().encode(writeCii(invoice)), 1_000_000);
    });
    const stored = await storeInvoices(db.db, new Queue(db.db), owner, files, { source: { kind: 'upload', details: {} } });
    return stored.map((invoice) => invoice.invoiceId);
  };
  const tick = async () => {
    const response = await fetch(`${app.url}/api/queue/worker`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(response.status).toBe(200);
  };
  const counts = ({ scope, pending, processing, completed, failed }: Stats) => ({ scope, pending, processing, completed, failed });
  const position = async (id: string, token: string) =>
    (await read<{ position: number | null }>(`/api/invoices/${id}/status`, token)).position;

  it('counts, positions and ETags are the owner’s own, whatever the other owner queues or reorders', async () => {
    const alices = await queue('alice', 3);
    const bobs = await queue('bob', 2);
    expect(counts(await read<Stats>('/api/queue/stats', ALICE))).toEqual({
      scope: 'owner',
      pending: 3,
      processing: 0,
      completed: 0,
      failed: 0,
    });
    expect(counts(await read<Stats>('/api/queue/stats', BOB))).toEqual({
      scope: 'owner',
      pending: 2,
      processing: 0,
      completed: 0,
      failed: 0,
    });

    // Bob's jobs came after Alice's: his are nevertheless counted from 0, among his own.
    const positions = async (ids: string[], token: string) => (await Promise.all(ids.map((id) => position(id, token)))).sort();
    expect(await positions(alices, ALICE)).toEqual([0, 1, 2]);
    expect(await positions(bobs, BOB)).toEqual([0, 1]);
    const alicesPositions = await Promise.all(alices.map((id) => position(id, ALICE)));

    // Alice's last status and its ETag, then Bob queues more and pushes his last job to the front.
    const before = await get(`/api/invoices/${alices[0]}/status`, ALICE);
    const etag = before.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const alicesStats = counts(await read<Stats>('/api/queue/stats', ALICE));
    const more = await queue('bob', 4);
    const pushed = await fetch(`${app.url}/api/invoices/${more[3]}/priority`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/json' },
      body: JSON.stringify({ priority: 500 }),
    });
    expect(pushed.status).toBe(200);
    expect(await position(more[3]!, BOB)).toBe(0);

    expect(counts(await read<Stats>('/api/queue/stats', ALICE))).toEqual(alicesStats);
    expect(await Promise.all(alices.map((id) => position(id, ALICE)))).toEqual(alicesPositions);
    const after = await get(`/api/invoices/${alices[0]}/status`, ALICE, { 'if-none-match': etag });
    expect(after.status).toBe(304);
    expect(counts(await read<Stats>('/api/queue/stats', BOB))).toMatchObject({ pending: 6 });
  });

  it('shows each owner only its own throughput and processing times, and no worker ids', async () => {
    // A tick runs what its time budget allows: as many as it takes.
    await expect
      .poll(
        async () => {
          await tick();
          return (await read<Stats>('/api/queue/stats', BOB)).pending + (await read<Stats>('/api/queue/stats', ALICE)).pending;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(0);
    type Dashboard = { scope: string; buckets: { completed: number; failed: number }[]; workers: unknown[]; medianMs: number | null };
    const [alice, bob] = await Promise.all([
      read<Dashboard>('/api/queue/dashboard?range=hour', ALICE),
      read<Dashboard>('/api/queue/dashboard?range=hour', BOB),
    ]);
    const done = (dashboard: Dashboard) => dashboard.buckets.reduce((sum, bucket) => sum + bucket.completed, 0);
    expect({ scope: alice.scope, completed: done(alice), workers: alice.workers }).toEqual({ scope: 'owner', completed: 3, workers: [] });
    expect({ scope: bob.scope, completed: done(bob), workers: bob.workers }).toEqual({ scope: 'owner', completed: 6, workers: [] });
    expect(alice.medianMs).toBeGreaterThan(0);
    expect(counts(await read<Stats>('/api/queue/stats', ALICE))).toEqual({
      scope: 'owner',
      pending: 0,
      processing: 0,
      completed: 3,
      failed: 0,
    });
    expect(counts(await read<Stats>('/api/queue/stats', BOB))).toEqual({
      scope: 'owner',
      pending: 0,
      processing: 0,
      completed: 6,
      failed: 0,
    });
  });

  it(`caps status streams at ${STREAMS_PER_OWNER} per owner (429), not counting other owners’, and frees a slot when one closes`, async () => {
    const [alices] = await queue('alice', 1);
    const [bobs] = await queue('bob', 1);
    const open = async (id: string, token: string) => {
      const abort = new AbortController();
      const response = await fetch(`${app.url}/api/invoices/${id}/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      return { response, close: () => abort.abort() };
    };
    const streams = await Promise.all(Array.from({ length: STREAMS_PER_OWNER }, () => open(alices!, ALICE)));
    try {
      expect(streams.map((stream) => stream.response.status)).toEqual(Array(STREAMS_PER_OWNER).fill(200));
      const refused = await open(alices!, ALICE);
      expect(refused.response.status).toBe(429);
      expect(((await refused.response.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_STREAMS');
      const bobsStream = await open(bobs!, BOB);
      expect(bobsStream.response.status).toBe(200);
      bobsStream.close();

      streams.pop()!.close();
      let again: Awaited<ReturnType<typeof open>> | undefined;
      await expect
        .poll(
          async () => {
            again?.close();
            again = await open(alices!, ALICE);
            return again.response.status;
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(200);
      again?.close();
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});
