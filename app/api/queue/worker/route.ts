import { withApi } from '../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
export const maxDuration = 300;

const tick = (request: Request) => withApi((api) => api.queueWorker(request));
export const GET = tick;
export const POST = tick;
