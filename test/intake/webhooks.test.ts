// Inbound e-mail webhooks, with payloads built as each provider documents them and signed with
// test secrets: a signed request gives its invoices once; unsigned, wrongly signed, stale and
// replayed requests are refused and write nothing. Resend's API, which the webhook points to for
// the message itself, is stood in for by a local HTTP server.
import { createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Facteur } from '../../src/app.ts';
import { inboundHandler } from '../../src/http/inbound.ts';
import { PROCESS_INVOICE } from '../../src/invoices/jobs.ts';
import type { InboundConfig } from '../../src/intake/webhooks.ts';
import { Queue } from '../../src/queue/queue.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { buildMessage } from '../support/dovecot.ts';

const PDF = Buffer.from('%PDF-1.4\n% facture\n%%EOF\n');
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const MAILGUN_KEY = 'key-mailgun-test';
const RESEND_SECRET = randomBytes(24);
const seconds = () => String(Math.floor(Date.now() / 1000));

describe('inbound e-mail webhooks', () => {
  let test: TestDb;
  let handle: (request: Request, provider: string) => Promise<Response>;
  let resendApi: Server;
  let resendUrl: string;
  const rawMessage = buildMessage({ messageId: 'resend-1@x', attachments: [{ name: 'r.pdf', type: 'application/pdf', content: PDF }] });

  beforeAll(async () => {
    resendApi = createServer((request, response) => {
      // The signed download URL carries its own authority; the API wants the key.
      if (request.url === '/raw/em-1') return void response.writeHead(200, { 'content-type': 'message/rfc822' }).end(rawMessage);
      if (request.headers.authorization !== 'Bearer re_test') return void response.writeHead(401).end();
      if (request.url !== '/emails/receiving/em-1') return void response.writeHead(404).end();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'em-1', raw: { download_url: `${resendUrl}/raw/em-1` } }));
    });
    await new Promise<void>((resolve) => resendApi.listen(0, '127.0.0.1', resolve));
    resendUrl = `http://127.0.0.1:${(resendApi.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => resendApi.close(resolve));
  });

  beforeEach(async () => {
    test = await openServerDb(requireServerUrl());
    const queue = new Queue(test.db, { tasks: [PROCESS_INVOICE] });
    const config: InboundConfig = {
      owner: 'acme',
      windowMs: 5 * 60_000,
      postmark: { user: 'postmark', password: 'pm-secret' },
      sendgrid: { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
      mailgun: { signingKey: MAILGUN_KEY },
      resend: { secret: RESEND_SECRET, apiKey: 're_test', apiUrl: resendUrl },
    };
    const facteur = {
      db: test.db,
      queue,
      config: { maxUploadBytes: 20 * 1024 * 1024 },
      logger: pino({ level: 'silent' }),
    } as unknown as Facteur;
    handle = inboundHandler(facteur, config);
  });
  afterEach(async () => {
    await test.drop();
  });

  const invoices = async () =>
    (
      await test.db.query<{ file_name: string; source: string; source_details: Record<string, string> }>(
        `SELECT file_name, source, source_details FROM invoices WHERE owner = 'acme' ORDER BY file_name`,
      )
    ).rows;
  const post = (provider: string, body: BodyInit, headers: Record<string, string> = {}) =>
    handle(new Request(`http://localhost/api/inbound/${provider}`, { method: 'POST', body, headers }), provider);
  const code = async (response: Response) => ((await response.json()) as { error?: { code: string } }).error?.code;

  describe('Postmark (JSON, HTTP Basic auth)', () => {
    const payload = (messageId: string) =>
      JSON.stringify({
        MessageID: messageId,
        From: 'factures@fournisseur.example',
        FromFull: { Email: 'factures@fournisseur.example', Name: 'Fournisseur' },
        Subject: 'Facture 12',
        Date: 'Tue, 1 Dec 2026 10:00:00 +0100',
        Headers: [{ Name: 'Message-ID', Value: '<pm-1@fournisseur.example>' }],
        Attachments: [{ Name: 'f12.pdf', Content: PDF.toString('base64'), ContentType: 'application/pdf', ContentLength: PDF.byteLength }],
      });
    const auth = { authorization: `Basic ${Buffer.from('postmark:pm-secret').toString('base64')}`, 'content-type': 'application/json' };

    it('takes a signed message once; a replay is refused, a new delivery of the same message gives nothing more', async () => {
      const first = await post('postmark', payload('pm-a'), auth);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ status: 'taken', invoiceIds: [expect.any(String)] });
      const replay = await post('postmark', payload('pm-a'), auth);
      expect([replay.status, await code(replay)]).toEqual([409, 'REPLAYED']);
      const again = await post('postmark', payload('pm-b'), auth);
      expect(await again.json()).toMatchObject({ status: 'already-taken', invoiceIds: [] });
      expect(await invoices()).toEqual([
        {
          file_name: 'f12.pdf',
          source: 'webhook',
          source_details: {
            provider: 'postmark',
            from: 'Fournisseur <factures@fournisseur.example>',
            subject: 'Facture 12',
            date: 'Tue, 1 Dec 2026 10:00:00 +0100',
          },
        },
      ]);
    });

    it('refuses a request without or with wrong credentials, and writes nothing', async () => {
      expect((await post('postmark', payload('pm-c'), { 'content-type': 'application/json' })).status).toBe(401);
      const wrong = { ...auth, authorization: `Basic ${Buffer.from('postmark:guess').toString('base64')}` };
      expect(await code(await post('postmark', payload('pm-c'), wrong))).toBe('SIGNATURE_INVALID');
      expect(await invoices()).toEqual([]);
    });
  });

  describe('SendGrid Inbound Parse (multipart, ECDSA)', () => {
    const signed = async (form: FormData, timestamp = seconds()) => {
      const request = new Request('http://x/', { method: 'POST', body: form });
      const body = Buffer.from(await request.arrayBuffer());
      const signature = createSign('sha256').update(timestamp).update(body).sign(privateKey).toString('base64');
      return {
        body,
        headers: {
          'content-type': request.headers.get('content-type')!,
          'x-twilio-email-event-webhook-signature': signature,
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
      };
    };
    const parsed = () => {
      const form = new FormData();
      form.set('from', 'Fournisseur <factures@fournisseur.example>');
      form.set('subject', 'Facture SG');
      form.set('headers', 'Message-ID: <sg-1@fournisseur.example>\nSubject: Facture SG\n');
      form.set('attachments', '1');
      form.set('attachment1', new File([PDF], 'sg.pdf', { type: 'application/pdf' }));
      return form;
    };

    it('takes the attachments of a signed request, refuses its replay', async () => {
      const { body, headers } = await signed(parsed());
      expect(await (await post('sendgrid', body, headers)).json()).toMatchObject({ status: 'taken' });
      expect(await code(await post('sendgrid', body, headers))).toBe('REPLAYED');
      expect((await invoices()).map((row) => row.file_name)).toEqual(['sg.pdf']);
    });

    it('reads the whole message when SendGrid sends it raw', async () => {
      const form = new FormData();
      form.set(
        'email',
        buildMessage({ messageId: 'sg-raw@x', attachments: [{ name: 'raw.pdf', type: 'application/pdf', content: PDF }] }).toString(),
      );
      const { body, headers } = await signed(form);
      expect(await (await post('sendgrid', body, headers)).json()).toMatchObject({ status: 'taken' });
      expect((await invoices()).map((row) => row.file_name)).toEqual(['raw.pdf']);
    });

    it('refuses an unsigned, a tampered and a stale request', async () => {
      const { body, headers } = await signed(parsed());
      const { 'x-twilio-email-event-webhook-signature': _, ...unsignedHeaders } = headers;
      expect((await post('sendgrid', body, unsignedHeaders)).status).toBe(401);
      const tampered = Buffer.from(body);
      tampered[tampered.length - 10] = tampered[tampered.length - 10]! ^ 1;
      expect(await code(await post('sendgrid', tampered, headers))).toBe('SIGNATURE_INVALID');
      const old = await signed(parsed(), String(Math.floor(Date.now() / 1000) - 3600));
      expect(await code(await post('sendgrid', old.body, old.headers))).toBe('STALE_REQUEST');
      expect(await invoices()).toEqual([]);
    });
  });

  describe('Mailgun routes (multipart, HMAC of timestamp + token)', () => {
    const form = (timestamp = seconds(), token = randomBytes(25).toString('hex'), key = MAILGUN_KEY) => {
      const data = new FormData();
      data.set('timestamp', timestamp);
      data.set('token', token);
      data.set(
        'signature',
        createHmac('sha256', key)
          .update(timestamp + token)
          .digest('hex'),
      );
      data.set('from', 'Fournisseur <factures@fournisseur.example>');
      data.set('subject', 'Facture MG');
      data.set('Message-Id', '<mg-1@fournisseur.example>');
      data.set('attachment-count', '2');
      data.set('attachment-1', new File([PDF], 'mg1.pdf', { type: 'application/pdf' }));
      data.set('attachment-2', new File([Buffer.from('not an invoice')], 'notes.txt', { type: 'text/plain' }));
      return data;
    };

    it('takes a signed message, says what it left out, refuses the same token again', async () => {
      const data = form();
      const response = await post('mailgun', data);
      expect(await response.json()).toMatchObject({ status: 'taken', skipped: [{ file: 'notes.txt', code: 'UNSUPPORTED_MEDIA_TYPE' }] });
      expect(await code(await post('mailgun', data))).toBe('REPLAYED');
      expect((await invoices()).map((row) => row.file_name)).toEqual(['mg1.pdf']);
    });

    it('refuses a wrong key and a stale timestamp', async () => {
      expect(await code(await post('mailgun', form(undefined, undefined, 'key-guess')))).toBe('SIGNATURE_INVALID');
      expect(await code(await post('mailgun', form(String(Math.floor(Date.now() / 1000) - 3600))))).toBe('STALE_REQUEST');
      expect(await invoices()).toEqual([]);
    });
  });

  describe('Resend (Svix signature, the message fetched from the API)', () => {
    const svix = (body: string, id = `msg_${randomBytes(8).toString('hex')}`, timestamp = seconds(), secret = RESEND_SECRET) => ({
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': timestamp,
      'svix-signature': `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    });
    const event = JSON.stringify({
      type: 'email.received',
      created_at: '2026-12-01T10:00:00.000Z',
      data: { email_id: 'em-1', from: 'factures@fournisseur.example', subject: 'Votre facture', attachments: [{ filename: 'r.pdf' }] },
    });

    it('fetches and takes the message of a signed email.received; a replay is refused', async () => {
      const headers = svix(event);
      expect(await (await post('resend', event, headers)).json()).toMatchObject({ status: 'taken' });
      expect(await code(await post('resend', event, headers))).toBe('REPLAYED');
      expect((await invoices()).map((row) => row.file_name)).toEqual(['r.pdf']);
    });

    it('ignores other events, and refuses a wrong secret and a stale timestamp', async () => {
      const other = JSON.stringify({ type: 'email.sent', data: {} });
      expect(await (await post('resend', other, svix(other))).json()).toEqual({ status: 'ignored' });
      expect(await code(await post('resend', event, svix(event, undefined, undefined, randomBytes(24))))).toBe('SIGNATURE_INVALID');
      expect(await code(await post('resend', event, svix(event, undefined, String(Math.floor(Date.now() / 1000) - 3600))))).toBe(
        'STALE_REQUEST',
      );
      expect(await invoices()).toEqual([]);
    });
  });

  it('answers 401 for an unknown or unconfigured provider, as every route does without credentials', async () => {
    expect(await code(await post('smtp2go', '{}'))).toBe('UNAUTHORIZED');
    const bare = inboundHandler(
      { db: test.db, config: { maxUploadBytes: 1024 }, logger: pino({ level: 'silent' }) } as unknown as Facteur,
      {
        owner: 'acme',
        windowMs: 60_000,
      },
    );
    const response = await bare(new Request('http://localhost/api/inbound/postmark', { method: 'POST', body: '{}' }), 'postmark');
    expect([response.status, await code(response)]).toEqual([401, 'UNAUTHORIZED']);
  });
});
