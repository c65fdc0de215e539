// The sign-in page's and the header's words about signing in, in French (the default) and English.
import type { Locale } from '../i18n.ts';

const fr = {
  title: 'Connexion',
  intro: 'Connectez-vous pour voir les factures de votre organisation.',
  email: 'Adresse e-mail',
  password: 'Mot de passe',
  submit: 'Se connecter',
  magicLink: 'Recevoir un lien de connexion par e-mail',
  magicLinkSent: 'Un lien de connexion vous a été envoyé par e-mail.',
  wrong: 'Adresse e-mail ou mot de passe incorrect.',
  throttled: (minutes: number) => `Trop de tentatives de connexion. Réessayez dans ${minutes}\u00a0minute${minutes > 1 ? 's' : ''}.`,
  failed: 'La connexion a échoué. Réessayez dans un instant.',
  tokenOnly:
    'Ce serveur n’accepte que des jetons d’API (FACTEUR_AUTH=token), pour les programmes. Pour utiliser l’application web, l’administrateur choisit FACTEUR_AUTH=accounts ou supabase.',
  supabaseMissing: 'La connexion Supabase n’est pas configurée\u202f: l’administrateur doit définir SUPABASE_URL et SUPABASE_ANON_KEY.',
  signedInAs: (owner: string, role: string) => `${owner} · ${role === 'admin' ? 'administrateur' : 'membre'}`,
  signOut: 'Se déconnecter',
};

const en: typeof fr = {
  title: 'Sign in',
  intro: 'Sign in to see your organisation’s invoices.',
  email: 'E-mail address',
  password: 'Password',
  submit: 'Sign in',
  magicLink: 'E-mail me a sign-in link',
  magicLinkSent: 'A sign-in link was sent to your e-mail.',
  wrong: 'Wrong e-mail address or password.',
  throttled: (minutes: number) => `Too many sign-in attempts. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
  failed: 'Signing in failed. Try again in a moment.',
  tokenOnly:
    'This server only accepts API tokens (FACTEUR_AUTH=token), for programs. To use the web app, the administrator chooses FACTEUR_AUTH=accounts or supabase.',
  supabaseMissing: 'Supabase sign-in is not configured: the administrator must set SUPABASE_URL and SUPABASE_ANON_KEY.',
  signedInAs: (owner: string, role: string) => `${owner} · ${role === 'admin' ? 'administrator' : 'member'}`,
  signOut: 'Sign out',
};

export type SignInWords = typeof fr;

export const signInWords = (locale: Locale): SignInWords => (locale === 'fr' ? fr : en);
