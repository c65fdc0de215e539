import { invoiceRoute } from '../../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = invoiceRoute((api, request, id) => api.restoreInvoice(request, id));
