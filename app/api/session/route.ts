import { withApi } from '../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = (request: Request) => withApi((api) => api.session(request));
export const POST = (request: Request) => withApi((api) => api.signIn(request));
export const DELETE = (request: Request) => withApi((api) => api.signOut(request));
