import type { Messages } from '../../i18n.ts';

/** The original file: a PDF in the browser's viewer, an image inline, XML as the browser shows it. */
export function DocumentViewer({ t, invoiceId, mediaType, fileName }: { t: Messages; invoiceId: string; mediaType: string; fileName: string }) {
  const src = `/api/invoices/${invoiceId}/file`;
  let view;
  if (mediaType === 'application/pdf' || mediaType.endsWith('xml')) view = <iframe src={mediaType === 'application/pdf' ? `${src}#navpanes=0&view=FitH` : src} title={`${t.review.document} — ${fileName}`} />;
  else if (mediaType.startsWith('image/') && mediaType !== 'image/tiff') view = <img src={src} alt={`${t.review.document} — ${fileName}`} />;
  else view = <p className="hint">{t.review.noPreview}</p>;
  return (
    <section className="document panel" aria-labelledby="document-title">
      <div className="section-head">
        <h2 id="document-title">{t.review.document}</h2>
        <a href={src} target="_blank" rel="noopener">
          {t.review.openFile}
        </a>
      </div>
      {view}
    </section>
  );
}
