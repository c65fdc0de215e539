import { type Config, isLoopback } from '../config.ts';
import { HttpError } from './respond.ts';

/** Methods that change nothing (RFC 9110 §9.2.1): the only ones a page on another site may send. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host part of a Host header (`name:port`, `[::1]:port`), lower-cased, without the port. */
function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * FACTEUR_AUTH=none trusts whoever reaches a loopback address. A page on another site can still
 * reach it by DNS rebinding — its own name, re-pointed at 127.0.0.1 — but the browser then sends
 * that name in Host: anything other than a loopback name is answered 421 before anything is read.
 * (With FACTEUR_ALLOW_PUBLIC=1 a proxy in front has the public name and its own checks.)
 */
export function checkHost(request: Request, config: Config): void {
  if (config.auth !== 'none' || config.allowPublic) return;
  const host = request.headers.get('host');
  if (host !== null && isLoopback(hostName(host))) return;
  throw new HttpError(
    421,
    'MISDIRECTED_REQUEST',
    'Without sign-in (FACTEUR_AUTH=none) this server answers only at localhost, 127.0.0.1 or [::1].',
  );
}

/**
 * A state-changing request must come from the app's own pages, or from no page at all. Browsers
 * say where a request comes from — `Sec-Fetch-Site`, and `Origin` on every POST —, so a form or a
 * fetch from another site (which would carry the victim's session cookie, or reach a server that
 * trusts its network) is refused here, whatever the route; machine clients (CLI, curl, a bearer
 * token, the cron) send neither header and pass. This is the CSRF defence of cookie sessions.
 * The origin is compared with the Host the browser used (or X-Forwarded-Host from a proxy that
 * rewrites Host: a page cannot set that header without a CORS preflight, which Facteur never grants).
 */
export function checkSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') throw crossSite();
  const origin = request.headers.get('origin');
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    throw crossSite(); // `Origin: null` (a sandboxed frame, a file:// page) or garbage
  }
  const hosts = [request.headers.get('host'), request.headers.get('x-forwarded-host')?.split(',')[0]];
  if (!hosts.some((host) => host?.trim().toLowerCase() === originHost)) throw crossSite();
}

const crossSite = () =>
  new HttpError(
    403,
    'CROSS_SITE_REQUEST',
    'This request comes from another site: changes are accepted only from Facteur’s own pages or from API clients.',
  );
