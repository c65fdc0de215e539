import { withApi } from '../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = (request: Request) => withApi((api) => api.metrics(request));
