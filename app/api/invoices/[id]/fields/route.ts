import { invoiceRoute } from '../../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = invoiceRoute((api, request, id) => api.correctInvoice(request, id));
