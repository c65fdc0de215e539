import type { Messages, Status } from './i18n.ts';

/** A job's status as a badge of fixed width, so that rows do not move when it changes. */
export function StatusBadge({ t, status }: { t: Messages; status: Status | 'sending' | 'refused' }) {
  const label = status === 'sending' ? t.sending : status === 'refused' ? t.refused : t.status[status];
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {label}
    </span>
  );
}
