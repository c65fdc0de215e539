// The worker thread that reads one file by the visual path (see contained.ts). An InvoiceError does
// not survive the trip between threads as a class, so it travels back as its code and message.
import sharp from 'sharp';
import { isInvoiceError, type InvoiceErrorCode } from '../errors.ts';
import type { NormalisedInvoice } from '../model.ts';
import { readVisual, type VisualRequest } from './read.ts';

// One thread, one image at a time: the pool, not libvips, decides how many cores are used.
sharp.concurrency(1);

export interface VisualTask {
  readonly bytes: Uint8Array;
  readonly request: VisualRequest;
}

export type VisualOutcome =
  | { readonly invoice: NormalisedInvoice }
  | { readonly error: { readonly code: InvoiceErrorCode; readonly message: string } };

export default async function readInWorker({ bytes, request }: VisualTask): Promise<VisualOutcome> {
  try {
    return { invoice: await readVisual(bytes, request) };
  } catch (error) {
    if (isInvoiceError(error)) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}
