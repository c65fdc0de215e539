import { redirect } from 'next/navigation.js';
import { runtime } from '../../src/http/runtime.ts';
import { requestLocale } from '../locale.ts';
import { returnPath } from '../../src/http/session.ts';
import { currentSession } from '../session.ts';
import { SignInForm } from './sign-in-form.tsx';

export const dynamic = 'force-dynamic';

/** The sign-in page of every mode that needs one; someone already signed in (or FACTEUR_AUTH=none) goes straight on. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = returnPath((await searchParams).next);
  if (await currentSession()) redirect(next);
  const [locale, { api }] = await Promise.all([requestLocale(), runtime()]);
  return <SignInForm locale={locale} options={api.signInOptions()} next={next} />;
}
