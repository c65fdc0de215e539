'use client';

import { useId, useRef, useState, type DragEvent } from 'react';
import type { Messages } from './i18n.ts';

const ACCEPT = '.pdf,.xml,application/pdf,application/xml,text/xml,image/png,image/jpeg,image/tiff,image/webp';

/** Where invoices are dropped; its button opens the file picker, for the keyboard and for phones. */
export function DropZone({ t, onFiles }: { t: Messages; onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const [over, setOver] = useState(false);

  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is pointer-only; the button inside is the keyboard path
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <p className="drop-title">{t.inbox.drop}</p>
      <p className="hint" id={hintId}>
        {t.inbox.dropHint}
      </p>
      <button type="button" className="button primary" aria-describedby={hintId} onClick={() => input.current?.click()}>
        {t.inbox.pick}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </div>
  );
}
