'use client';

import { useEffect, useRef, useState } from 'react';
import type { Messages } from '../../i18n.ts';

/** Pages drawn at most: a longer document is downloaded to be read in full. */
const MAX_PAGES = 20;

/**
 * A PDF drawn page by page on canvases by pdf.js, in a worker from the app's own bundle: nothing in
 * the file runs (no JavaScript, no forms, no links — pdf.js's scripting and annotation layers are
 * never loaded), unlike the browser's PDF viewer, which ran a PDF's JavaScript at the app's URL.
 */
export function PdfPages({ t, src, title }: { t: Messages; src: string; title: string }) {
  const pages = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [more, setMore] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    let destroy = () => {};
    const draw = async () => {
      const pdfjs = await import('pdfjs-dist');
      pdfjs.GlobalWorkerOptions.workerPort ??= new Worker(new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url), {
        type: 'module',
      });
      const response = await fetch(src, { signal: abort.signal });
      if (!response.ok) throw new Error(`file: ${response.status}`);
      const task = pdfjs.getDocument({ data: new Uint8Array(await response.arrayBuffer()), enableXfa: false, stopAtErrors: false });
      destroy = () => void task.destroy();
      const document = await task.promise;
      const width = pages.current?.clientWidth || 800;
      for (let number = 1; number <= Math.min(document.numPages, MAX_PAGES) && !abort.signal.aborted; number += 1) {
        const page = await document.getPage(number);
        const scale = width / page.getViewport({ scale: 1 }).width;
        const ratio = window.devicePixelRatio || 1;
        const viewport = page.getViewport({ scale: scale * ratio });
        const canvas = window.document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', t.review.page(number, document.numPages));
        canvas.dataset.page = String(number);
        pages.current?.append(canvas);
        // Forms and links are not drawn as widgets: the page as printed, and nothing to click.
        await page.render({ canvas, viewport, annotationMode: pdfjs.AnnotationMode.DISABLE }).promise;
      }
      setMore(Math.max(0, document.numPages - MAX_PAGES));
      setState('ready');
    };
    draw().catch(() => {
      if (!abort.signal.aborted) setState('failed');
    });
    return () => {
      abort.abort();
      destroy();
      pages.current?.replaceChildren();
    };
  }, [src, t]);

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must take keyboard focus to be scrolled
    <figure className="pdf-pages" tabIndex={0} data-state={state} aria-label={title} aria-busy={state === 'loading'}>
      <div ref={pages} />
      {state === 'loading' ? <p className="hint">{t.review.loading}</p> : null}
      {state === 'failed' ? <p className="hint">{t.review.pdfFailed}</p> : null}
      {more > 0 ? <p className="hint">{t.review.morePages(more)}</p> : null}
    </figure>
  );
}
