import { runtime } from '../src/http/runtime.ts';
import type { Locale } from './i18n.ts';
import { currentSession } from './session.ts';
import { SignOut } from './sign-out.tsx';
import { signInWords } from './signin/words.ts';

/** The header's account: who is signed in and the sign-out button; nothing with FACTEUR_AUTH=none or when nobody is signed in. */
export async function Account({ locale }: { locale: Locale }) {
  const session = await currentSession();
  if (!session || session.mode === 'none') return null;
  const t = signInWords(locale);
  return (
    <div className="account">
      <span data-testid="signed-in-as">{t.signedInAs(session.owner, session.role)}</span>
      <SignOut label={t.signOut} supabase={(await runtime()).api.signInOptions().supabase} />
    </div>
  );
}
