import { type NextRequest, NextResponse } from 'next/server.js';
import { pagePolicy } from './src/http/security-headers.ts';

/**
 * Every page gets a fresh nonce and the policy that names it. Next.js reads the nonce from the
 * request's Content-Security-Policy while rendering and puts it on its scripts; the pages are
 * rendered per request (`dynamic = 'force-dynamic'`), so each answer carries its own.
 */
export function proxy(request: NextRequest) {
  const policy = pagePolicy(Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64'), process.env.SUPABASE_URL);
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

// Pages only: the API answers JSON and files (the file route sets its own `sandbox` policy), and
// the built assets need no nonce. The other security headers are next.config.ts's, on every path.
export const config = {
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico).*)' }],
};
