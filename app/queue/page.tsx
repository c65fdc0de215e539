import { requestLocale } from '../locale.ts';
import { QueueDashboard } from './dashboard.tsx';

export const dynamic = 'force-dynamic';

export default async function QueuePage() {
  return <QueueDashboard locale={await requestLocale()} />;
}
