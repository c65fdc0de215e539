'use client';

import { useEffect, useId, useState } from 'react';
import type { SignInOptions } from '../../src/http/session.ts';
import type { Locale } from '../i18n.ts';
import { signInWords } from './words.ts';

type SupabaseProject = NonNullable<SignInOptions['supabase']>;

/** The browser's Supabase client: it keeps the session in the cookies the server reads (`sb-<ref>-auth-token`). */
async function supabaseClient(project: SupabaseProject) {
  const { createBrowserClient } = await import('@supabase/ssr');
  return createBrowserClient(project.url, project.anonKey);
}

export function SignInForm({ locale, options, next }: { locale: Locale; options: SignInOptions; next: string }) {
  const t = signInWords(locale);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const emailId = useId();
  const passwordId = useId();
  const project = options.mode === 'supabase' ? options.supabase : undefined;

  // Supabase: a session already in the browser (refreshed by supabase-js, or just made from a
  // magic link's code) is used as soon as the server accepts it.
  useEffect(() => {
    if (!project) return;
    void (async () => {
      const { data } = await (await supabaseClient(project)).auth.getSession();
      if (data.session && (await fetch('/api/session', { cache: 'no-store' })).ok) window.location.assign(next);
    })();
  }, [project, next]);

  const submit = async (formElement: HTMLFormElement, magicLink = false) => {
    const form = new FormData(formElement);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setNotice('');
    try {
      if (project) {
        const auth = (await supabaseClient(project)).auth;
        if (magicLink) {
          const redirect = `${window.location.origin}/signin?next=${encodeURIComponent(next)}`;
          const { error } = await auth.signInWithOtp({ email, options: { emailRedirectTo: redirect, shouldCreateUser: false } });
          setNotice(error ? t.failed : t.magicLinkSent);
          return;
        }
        const { error } = await auth.signInWithPassword({ email, password });
        if (error) return setNotice(error.status === 400 ? t.wrong : t.failed);
        return window.location.assign(next);
      }
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (response.ok) return window.location.assign(next);
      if (response.status === 429) setNotice(t.throttled(Math.ceil(Number(response.headers.get('retry-after') ?? 60) / 60)));
      else setNotice(response.status === 401 || response.status === 400 ? t.wrong : t.failed);
    } catch {
      setNotice(t.failed);
    } finally {
      setBusy(false);
    }
  };

  const canSignIn = options.mode === 'accounts' || project !== undefined;
  return (
    <section aria-labelledby="signin-title" className="signin">
      <h1 id="signin-title">{t.title}</h1>
      {canSignIn ? (
        <form
          className="panel signin-form"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(event.currentTarget);
          }}
        >
          <p className="lead">{t.intro}</p>
          <div className="field">
            <label htmlFor={emailId}>{t.email}</label>
            <input id={emailId} name="email" type="email" autoComplete="username" required />
          </div>
          <div className="field">
            <label htmlFor={passwordId}>{t.password}</label>
            <input id={passwordId} name="password" type="password" autoComplete="current-password" required={!project} />
          </div>
          <div className="actions">
            <button className="button" type="submit" disabled={busy}>
              {t.submit}
            </button>
            {project && (
              <button
                className="button"
                type="button"
                disabled={busy}
                onClick={(event) => event.currentTarget.form && void submit(event.currentTarget.form, true)}
              >
                {t.magicLink}
              </button>
            )}
          </div>
          <p role="status" className="notice">
            {notice}
          </p>
        </form>
      ) : (
        <p className="panel" role="alert">
          {options.mode === 'supabase' ? t.supabaseMissing : t.tokenOnly}
        </p>
      )}
    </section>
  );
}
