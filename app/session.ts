import { headers } from 'next/headers.js';
import { redirect } from 'next/navigation.js';
import { cache } from 'react';
import { withApi } from '../src/http/runtime.ts';
import type { SignInOptions } from '../src/http/session.ts';

/** Who the page is shown to: the pages resolve the caller exactly as the API does, by asking it. */
export interface Session {
  owner: string;
  role: 'admin' | 'member';
  mode: SignInOptions['mode'];
}

/**
 * The signed-in caller; null when nobody is, undefined when the server cannot tell (database down:
 * the page's own reads say so). Asked once per page render, however many components want it.
 */
export const currentSession = cache(async (): Promise<Session | null | undefined> => {
  const request = new Request('http://facteur.invalid/api/session', { headers: await headers() });
  const response = await withApi((api) => api.session(request));
  if (response.status === 401) return null;
  return response.ok ? ((await response.json()) as Session) : undefined;
});

/** For a page that shows invoices: a visitor who is not signed in goes to the sign-in page, and comes back to `path` after. */
export async function requireSignIn(path: string): Promise<void> {
  if ((await currentSession()) === null) redirect(`/signin?next=${encodeURIComponent(path)}`);
}
