import type { FacteurMetrics } from '../metrics.ts';

/** GET /api/metrics: Prometheus text. */
export function metricsHandler(metrics: FacteurMetrics) {
  return async (): Promise<Response> => {
    const { contentType, body } = await metrics.exposition();
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  };
}
