import { withApi } from '../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = (request: Request) => withApi((api) => api.retryAllFailed(request));
