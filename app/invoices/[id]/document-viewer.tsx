'use client';

import { useEffect, useState } from 'react';
import type { Messages } from '../../i18n.ts';
import { PdfPages } from './pdf-pages.tsx';

/** XML source, one element per line, indented by depth, as text (React escapes it): the file itself is only ever a download. */
function indentXml(text: string): string {
  let depth = 0;
  return text
    .replace(/>\s*</g, '>\n<')
    .split('\n')
    .map((line) => {
      if (/^<\//.test(line)) depth = Math.max(0, depth - 1);
      const indented = `${'  '.repeat(depth)}${line}`;
      if (/^<[^!?/][^>]*[^/]>$/.test(line) || /^<[^!?/]>$/.test(line)) depth += 1;
      return indented;
    })
    .join('\n');
}

function XmlSource({ src, title }: { src: string; title: string }) {
  const [text, setText] = useState('');
  useEffect(() => {
    void fetch(src)
      .then((response) => response.text())
      .then((xml) => setText(indentXml(xml)));
  }, [src]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must take keyboard focus to be scrolled
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the focused block, as axe asks of scrollable regions
    <pre className="xml-source" tabIndex={0} aria-label={title}>
      {text}
    </pre>
  );
}

/** The original file: a PDF drawn by pdf.js, an image inline, XML as indented text; and the original as a download. */
export function DocumentViewer({
  t,
  invoiceId,
  mediaType,
  fileName,
}: {
  t: Messages;
  invoiceId: string;
  mediaType: string;
  fileName: string;
}) {
  const src = `/api/invoices/${invoiceId}/file`;
  const title = `${t.review.document} — ${fileName}`;
  let view;
  if (mediaType === 'application/pdf') view = <PdfPages t={t} src={src} title={title} />;
  else if (mediaType.endsWith('xml')) view = <XmlSource src={src} title={title} />;
  else if (mediaType.startsWith('image/') && mediaType !== 'image/tiff') view = <img src={src} alt={title} />;
  else view = <p className="hint">{t.review.noPreview}</p>;
  return (
    <section className="document panel" aria-labelledby="document-title">
      <div className="section-head">
        <h2 id="document-title">{t.review.document}</h2>
        <a href={src} download={fileName}>
          {t.review.download}
        </a>
      </div>
      {view}
    </section>
  );
}
