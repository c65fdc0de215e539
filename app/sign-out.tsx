'use client';

import type { SignInOptions } from '../src/http/session.ts';

/**
 * Ends the session: the server deletes it and clears the cookies; with Supabase, supabase-js
 * also revokes the refresh token (best effort: the cookies are cleared whatever it answers).
 */
export function SignOut({ label, supabase }: { label: string; supabase?: SignInOptions['supabase'] }) {
  const signOut = async () => {
    if (supabase) {
      const { createBrowserClient } = await import('@supabase/ssr');
      await createBrowserClient(supabase.url, supabase.anonKey)
        .auth.signOut({ scope: 'local' })
        .catch(() => undefined);
    }
    await fetch('/api/session', { method: 'DELETE' });
    window.location.assign('/signin');
  };
  return (
    <button className="button" type="button" onClick={() => void signOut()}>
      {label}
    </button>
  );
}
