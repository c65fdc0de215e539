import { invoiceRoute } from '../../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = invoiceRoute((api, request, id) => api.exportInvoice(request, id));
