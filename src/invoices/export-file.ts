// An export as a file to download: its name, its type, and its bytes as they are written. The HTTP
// handler and the CLI both open one here, with the same request, and pull its chunks.
import type { Sql } from '../db/types.ts';
import { fecExport, readAccountingSettings } from './accounting.ts';
import {
  EXPORT_CONTENT_TYPES,
  type ExportRequest,
  type ExportSource,
  csvExport,
  exportFileName,
  exportPages,
  exportRates,
  jsonExport,
} from './export.ts';
import { xlsxExport } from './xlsx.ts';

export interface ExportFile {
  fileName: string;
  contentType: string;
  /** The file's bytes, written as they are pulled: a page of invoices at a time. */
  chunks: AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();

async function* bytes(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/**
 * Reads what the file needs before its first byte (the VAT rates present, for the per-rate
 * columns; the owner's accounting settings, for the FEC), so that a database failure is an error
 * answer rather than a cut download.
 */
export async function openExport(sql: Sql, owner: string, request: ExportRequest): Promise<ExportFile> {
  const needsRates = request.format === 'csv-fr' || request.format === 'csv-en' || request.format === 'xlsx';
  const source: ExportSource = {
    query: request,
    rates: needsRates ? await exportRates(sql, owner, request) : [],
    pages: () => exportPages(sql, owner, request),
  };
  const chunks =
    request.format === 'csv-fr'
      ? csvExport(source, 'fr')
      : request.format === 'csv-en'
        ? csvExport(source, 'en')
        : request.format === 'xlsx'
          ? xlsxExport(source, request.lang)
          : request.format === 'fec'
            ? fecExport(source, await readAccountingSettings(sql, owner))
            : jsonExport(source);
  return { fileName: exportFileName(request), contentType: EXPORT_CONTENT_TYPES[request.format], chunks: bytes(chunks) };
}
