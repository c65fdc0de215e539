import { withApi } from '../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// A year of invoices takes a while to write; the download streams meanwhile.
export const maxDuration = 300;

export const GET = (request: Request) => withApi((api) => api.exports(request));
