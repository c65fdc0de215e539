/**
 * What every answer tells the browser, pages and API alike: never guess a type from the bytes
 * (a PDF or an XML file is never run as a page), never be framed, and send no more of the URL than
 * the origin to other sites.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/**
 * The Content-Security-Policy of a page, for one request's `nonce`: only scripts carrying the
 * nonce run (Next.js puts it on its own scripts, read from this header during rendering) and the
 * ones they load ('strict-dynamic'); no plugin, no frame, no framing. Inline styles stay allowed:
 * React's `style` attributes (the charts' bars) are attributes, which no nonce can cover. pdf.js
 * runs in a worker from the app's own bundle and draws fonts from memory (blob:, data:).
 * `supabaseUrl` (SUPABASE_URL) is the one other origin pages may call: the Supabase sign-in form
 * talks to its Auth server from the browser.
 */
export function pagePolicy(nonce: string, supabaseUrl?: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' blob: data:",
    ["connect-src 'self'", originOf(supabaseUrl)].filter(Boolean).join(' '),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The origin of a URL, or nothing for none or a malformed one (the configuration refuses those at start). */
function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
