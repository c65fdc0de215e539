// The writer moved to src/einvoice/write.ts when exports began re-issuing invoices with it; the
// suites keep importing it from here.
export * from '../../../src/einvoice/write.ts';
