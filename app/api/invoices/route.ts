import { after } from 'next/server.js';
import { withApi } from '../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// Time for the drain tick that after() runs once an upload's response is sent (serverless deployments).
export const maxDuration = 300;

export const GET = (request: Request) => withApi((api) => api.listInvoices(request));
export const POST = (request: Request) => withApi((api) => api.upload(request, after));
