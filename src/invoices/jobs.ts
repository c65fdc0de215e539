/** The task that extracts an invoice: its jobs are the invoice's status in every view. */
export const PROCESS_INVOICE = 'process_invoice';
