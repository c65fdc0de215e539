import { invoiceRoute } from '../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = invoiceRoute((api, request, id) => api.invoice(request, id));
export const DELETE = invoiceRoute((api, request, id) => api.deleteInvoice(request, id));
