import { Inbox } from './inbox.tsx';
import { requestLocale } from './locale.ts';

export const dynamic = 'force-dynamic';

export default async function Home() {
  return <Inbox locale={await requestLocale()} />;
}
