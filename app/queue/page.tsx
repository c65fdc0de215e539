import { requestLocale } from '../locale.ts';
import { requireSignIn } from '../session.ts';
import { QueueDashboard } from './dashboard.tsx';

export const dynamic = 'force-dynamic';

export default async function QueuePage() {
  await requireSignIn('/queue');
  return <QueueDashboard locale={await requestLocale()} />;
}
