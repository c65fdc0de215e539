'use client';

import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryBucket } from '../../src/queue/history.ts';
import type { Messages } from '../i18n.ts';

const HEIGHT = 180;

/**
 * Counts per time bucket as bars (uPlot, loaded on first use: the inbox never pays for it). The
 * canvas is an image to assistive technologies; its label says what it shows and the total.
 */
export function BucketChart({
  t,
  title,
  buckets,
  field,
  color,
  per,
}: {
  t: Messages;
  title: string;
  buckets: HistoryBucket[];
  field: 'completed' | 'failed';
  color: string;
  per: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useRef<uPlot.AlignedData>([[], []]);
  data.current = [buckets.map((b) => Date.parse(b.at) / 1000), buckets.map((b) => b[field])];

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const time = new Intl.DateTimeFormat(t.tag, { hour: '2-digit', minute: '2-digit' });
      const count = new Intl.NumberFormat(t.tag, { maximumFractionDigits: 0 });
      plot.current = new UPlot(
        {
          width: element.clientWidth,
          height: HEIGHT,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
          axes: [
            { stroke: '#52606d', grid: { stroke: '#eef1f4' }, values: (_u, splits) => splits.map((s) => time.format(s * 1000)) },
            {
              stroke: '#52606d',
              grid: { stroke: '#eef1f4' },
              values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? count.format(s) : '')),
            },
          ],
          series: [
            {},
            { label: title, stroke: color, fill: color, paths: UPlot.paths.bars!({ size: [0.8, 24] }), points: { show: false } },
          ],
        },
        data.current,
        element,
      );
      observer = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height: HEIGHT }));
      observer.observe(element);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [t, title, color]);

  useEffect(() => {
    plot.current?.setData(data.current);
  }, [buckets]);

  const total = buckets.reduce((sum, b) => sum + b[field], 0);
  return (
    <figure className="chart panel">
      <figcaption>
        <h2>{title}</h2>
        <span className="hint">
          {per} · {new Intl.NumberFormat(t.tag).format(total)}
        </span>
      </figcaption>
      <div className="chart-frame" ref={box} role="img" aria-label={`${title} (${per}) — ${total}`} data-total={total} />
    </figure>
  );
}
