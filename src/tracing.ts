import { type Attributes, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * OpenTelemetry spans, for hosts that register an SDK; without one the API's tracer does nothing
 * and costs next to nothing.
 */
const tracer = trace.getTracer('facteur');

/** Runs `work` in a span named `name`; the span records the error and status when it throws. */
export function traced<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
