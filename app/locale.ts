import { headers } from 'next/headers.js';
import { pickLocale, type Locale } from './i18n.ts';

/** The locale the browser asks for (Accept-Language), French by default. */
export async function requestLocale(): Promise<Locale> {
  return pickLocale((await headers()).get('accept-language'));
}
