// GET /api/exports and the export page, against the production build on the PostgreSQL server
// through a real socket: the file as an attachment, streamed in chunks, the caller's invoices only,
// and a 400 with a stable code for each bad parameter.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { TWO_RATES, storePeriod, storeRow } from '../invoices/support/exports.ts';

describe('the exports endpoint', () => {
  let db: TestDb;
  let app: RunningServer;
  const NOVEMBER = 'from=2026-11-01&to=2026-11-30';

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startServer({ DATABASE_URL: db.url!, FACTEUR_WORKER: 'none' });
    await storePeriod(db.db);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const numbers = (csv: string) =>
    csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((row) => row.split(';')[1]);

  it('downloads the period’s approved invoices as a French CSV attachment, the caller’s only', async () => {
    const response = await fetch(`${app.url}/api/exports?${NOVEMBER}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="factures-2026-11-01_2026-11-30.csv"; filename*=UTF-8\'\'factures-2026-11-01_2026-11-30.csv',
    );
    expect(numbers(await response.text())).toEqual(['F-TWO-RATES', 'AV-1', 'RC-7', 'US-99']);
    // A form's checkboxes repeat the parameter.
    const form = await fetch(`${app.url}/api/exports?${NOVEMBER}&review=approved&review=ready&supplier=FR11123456782`);
    expect(numbers(await form.text())).toEqual(['F-TWO-RATES', 'AV-1', 'READY-1']);
  });

  it('streams: the body comes in several chunks, with no length announced', async () => {
    for (let i = 0; i < 1200; i += 1) {
      await storeRow(db.db, { content: { ...TWO_RATES, fields: { ...TWO_RATES.fields, 'BT-1': `BULK-${i}`, 'BT-2': '2026-06-15' } } });
    }
    const response = await fetch(`${app.url}/api/exports?from=2026-06-01&to=2026-06-30&format=json`);
    expect(response.headers.get('content-length')).toBeNull();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks += 1;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(2);
    expect((JSON.parse(text) as unknown[]).length).toBe(1200);
  });

  it('downloads the workbook', async () => {
    const response = await fetch(`${app.url}/api/exports?${NOVEMBER}&format=xlsx&lang=en`);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="invoices-2026-11-01_2026-11-30.xlsx"; filename*=UTF-8\'\'invoices-2026-11-01_2026-11-30.xlsx',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    expect(workbook.getWorksheet('Invoices')!.getRow(2).getCell(2).value).toBe('F-TWO-RATES');
  });

  it.each([
    ['from=2026-13-01', 'INVALID_DATE'],
    ['from=2026-11-30&to=2026-11-01', 'INVALID_PERIOD'],
    ['review=paid', 'INVALID_REVIEW_STATE'],
    ['format=pdf', 'INVALID_FORMAT'],
    ['date=due', 'INVALID_DATE_KIND'],
  ])('answers %s with 400 %s', async (query, code) => {
    const response = await fetch(`${app.url}/api/exports?${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('shows the export form, French first, approved invoices of this month by default', async () => {
    const page = await (await fetch(`${app.url}/exports`, { headers: { 'accept-language': 'fr' } })).text();
    expect(page).toContain('Exporter les factures');
    expect(page).toMatch(/<form[^>]*action="\/api\/exports"/);
    const boxes = [...page.matchAll(/<input[^>]*name="review"[^>]*>/g)].map(([tag]) => [
      /value="(\w+)"/.exec(tag)![1],
      tag.includes('checked'),
    ]);
    expect(boxes).toEqual([
      ['approved', true],
      ['ready', false],
      ['to_review', false],
      ['rejected', false],
    ]);
    const english = await (await fetch(`${app.url}/exports`, { headers: { 'accept-language': 'en' } })).text();
    expect(english).toContain('Export invoices');
  });
});
