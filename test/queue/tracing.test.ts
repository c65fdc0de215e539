import { type Span, type TracerProvider, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, migrate } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { Worker } from '../../src/queue/worker.ts';

// A host app that registered an OpenTelemetry SDK sees Facteur's spans; this stand-in provider
// records the names and attributes of the spans that ended.
describe('OpenTelemetry spans', () => {
  const ended: { name: string; attributes: Record<string, unknown> }[] = [];
  const provider = {
    getTracer: () => ({
      startActiveSpan: (name: string, options: { attributes?: Record<string, unknown> }, fn: (span: Span) => unknown) =>
        fn({
          end: () => ended.push({ name, attributes: options.attributes ?? {} }),
          recordException: () => {},
          setStatus: () => {},
        } as unknown as Span),
    }),
  } as unknown as TracerProvider;
  trace.setGlobalTracerProvider(provider);
  afterAll(() => trace.disable());

  it('traces enqueue, claim, each job and the completion', async () => {
    const db = await connect();
    try {
      await migrate(db);
      const queue = new Queue(db);
      const [job] = await queue.enqueueMany([{ task: 'noop' }, { task: 'noop' }]);
      await new Worker({ queue, tasks: { noop: async () => {} }, concurrency: 2 }).drain({ budgetMs: 10_000 });
      expect(new Set(ended.map((span) => span.name))).toEqual(
        new Set(['facteur.enqueue', 'facteur.claim', 'facteur.job', 'facteur.complete']),
      );
      expect(ended.find((span) => span.name === 'facteur.enqueue')!.attributes).toEqual({ 'facteur.jobs': 2 });
      expect(ended.filter((span) => span.name === 'facteur.job').map((span) => span.attributes['facteur.job_id'])).toContain(job!.id);
    } finally {
      await db.close();
    }
  });
});
