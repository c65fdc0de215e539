// Inbound e-mail from hosted providers' webhooks: Postmark (JSON, HTTP Basic auth), SendGrid
// Inbound Parse (multipart, ECDSA signature of its security policy), Mailgun routes (multipart,
// HMAC of timestamp + token) and Resend (Svix-signed `email.received`, the raw message fetched
// from its API). Each request is checked as its provider documents it before its body is parsed;
// a request without a valid signature, or outside the timestamp window, or whose nonce was seen
// already, is refused. What passes becomes a message taken like a mailbox's (src/intake/mail.ts).
import { createHmac, createPublicKey, createVerify, timingSafeEqual } from 'node:crypto';
import { FacteurError, errorMessage } from '../errors.ts';
import {
  type MailLimits,
  type MailPart,
  type MessageFacts,
  MessageRefused,
  type ReadMessage,
  readAttachments,
  readMessage,
} from './mail.ts';

export const PROVIDERS = ['postmark', 'sendgrid', 'mailgun', 'resend'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** A refused request, with the HTTP status to answer. Never says which part of a signature failed. */
export class InboundRefused extends FacteurError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** Each provider's secret, and the owner its messages go to. A provider without a secret is off (401, as any route without credentials). */
export interface InboundConfig {
  owner: string;
  /** How far a signed timestamp may be from the server's clock. */
  windowMs: number;
  postmark?: { user: string; password: string };
  sendgrid?: { publicKey: string };
  mailgun?: { signingKey: string };
  resend?: { secret: Buffer; apiKey: string; apiUrl: string };
}

export function inboundConfigFrom(env: Record<string, string | undefined> = process.env): InboundConfig {
  const postmark = env.FACTEUR_INBOUND_POSTMARK_AUTH?.match(/^([^:]+):(.+)$/);
  const resendSecret = env.FACTEUR_INBOUND_RESEND_SECRET?.replace(/^whsec_/, '');
  return {
    owner: env.FACTEUR_INBOUND_OWNER?.trim() || 'local',
    windowMs: 5 * 60_000,
    postmark: postmark ? { user: postmark[1]!, password: postmark[2]! } : undefined,
    sendgrid: env.FACTEUR_INBOUND_SENDGRID_PUBLIC_KEY ? { publicKey: env.FACTEUR_INBOUND_SENDGRID_PUBLIC_KEY } : undefined,
    mailgun: env.FACTEUR_INBOUND_MAILGUN_SIGNING_KEY ? { signingKey: env.FACTEUR_INBOUND_MAILGUN_SIGNING_KEY } : undefined,
    resend:
      resendSecret && env.FACTEUR_INBOUND_RESEND_API_KEY
        ? {
            secret: Buffer.from(resendSecret, 'base64'),
            apiKey: env.FACTEUR_INBOUND_RESEND_API_KEY,
            apiUrl: env.FACTEUR_INBOUND_RESEND_API_URL ?? 'https://api.resend.com',
          }
        : undefined,
  };
}

/** A verified request: its nonce (refused if seen again), the message's identity, and the message or its refusal. */
export interface Inbound {
  nonce: string;
  identity: string;
  facts: MessageFacts;
  read: () => Promise<ReadMessage>;
}

const unsigned = () => new InboundRefused(401, 'SIGNATURE_INVALID', 'The request is not signed as the provider signs it.');
const malformed = (why: string) => new InboundRefused(400, 'MALFORMED_PAYLOAD', `The payload cannot be read: ${why}.`);

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.byteLength === right.byteLength && timingSafeEqual(left, right);
}

function checkWindow(seconds: string | null | undefined, config: InboundConfig, now: number): void {
  const at = Number(seconds) * 1000;
  if (!seconds || !Number.isFinite(at)) throw unsigned();
  if (Math.abs(now - at) > config.windowMs) {
    throw new InboundRefused(401, 'STALE_REQUEST', `The request was signed more than ${config.windowMs / 60_000} minutes from now.`);
  }
}

async function form(body: Uint8Array, contentType: string): Promise<FormData> {
  try {
    return await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw malformed(errorMessage(error));
  }
}

function jsonOf(body: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw malformed('not a JSON object');
}

const text = (value: unknown, max = 1000): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;

/** The file parts of a form, in the order the provider numbered them (`attachment1`, `attachment-2`…). */
async function fileParts(data: FormData, prefix: RegExp): Promise<MailPart[]> {
  const parts: { n: number; part: MailPart }[] = [];
  for (const [name, value] of data.entries()) {
    const n = Number(prefix.exec(name)?.[1]);
    if (!Number.isInteger(n) || typeof value === 'string') continue;
    parts.push({
      n,
      part: {
        filename: value.name || null,
        mimeType: value.type,
        disposition: 'attachment',
        content: new Uint8Array(await value.arrayBuffer()),
      },
    });
  }
  return parts.sort((a, b) => a.n - b.n).map(({ part }) => part);
}

/** A raw message read as a mailbox's, its facts completed from the payload's. */
const fromRaw = (raw: Uint8Array, limits: MailLimits, facts: MessageFacts) => async () => {
  const read = await readMessage(raw, limits);
  return { ...read, facts: { ...facts, ...Object.fromEntries(Object.entries(read.facts).filter(([, v]) => v !== undefined)) } };
};

const fromParts = (parts: MailPart[], limits: MailLimits, facts: MessageFacts) => async () => ({
  facts,
  ...(await readAttachments(parts, limits)),
});

/** A form's message: the whole of it in one field when the provider sends it raw, else its numbered file parts. */
async function formMessage(
  data: FormData,
  fields: { raw: string; parts: RegExp },
  inbound: Omit<Inbound, 'read'>,
  limits: MailLimits,
): Promise<Inbound> {
  const raw = data.get(fields.raw);
  if (typeof raw === 'string' && raw) return { ...inbound, read: fromRaw(Buffer.from(raw), limits, inbound.facts) };
  return { ...inbound, read: fromParts(await fileParts(data, fields.parts), limits, inbound.facts) };
}

/** One request as received: what each provider's check reads. */
interface Delivery {
  config: InboundConfig;
  headers: Headers;
  body: Uint8Array;
  limits: MailLimits;
  now: number;
}

/** Postmark: HTTP Basic auth on the webhook URL, as Postmark documents for inbound; its MessageID is the nonce. */
function postmark({ config: { postmark: config }, headers, body, limits }: Delivery): Inbound {
  const auth = headers.get('authorization') ?? '';
  const expected = `Basic ${Buffer.from(`${config!.user}:${config!.password}`).toString('base64')}`;
  if (!sameText(auth, expected)) throw unsigned();
  const payload = jsonOf(body);
  const providerId = text(payload.MessageID, 200);
  if (!providerId) throw malformed('no MessageID');
  const headerList = Array.isArray(payload.Headers) ? (payload.Headers as { Name?: unknown; Value?: unknown }[]) : [];
  const messageId = text(headerList.find((h) => typeof h.Name === 'string' && h.Name.toLowerCase() === 'message-id')?.Value);
  const fromFull = payload.FromFull as { Email?: unknown; Name?: unknown } | undefined;
  const facts: MessageFacts = {
    messageId: messageId ?? providerId,
    sender: text(fromFull?.Name) ? `${text(fromFull?.Name)} <${text(fromFull?.Email)}>` : text(payload.From, 500),
    subject: text(payload.Subject, 500),
    date: text(payload.Date, 100),
  };
  const attachments = Array.isArray(payload.Attachments) ? (payload.Attachments as Record<string, unknown>[]) : [];
  const parts: MailPart[] = attachments.map((a) => ({
    filename: text(a.Name, 500) ?? null,
    mimeType: text(a.ContentType, 200) ?? 'application/octet-stream',
    disposition: text(a.ContentID) ? 'inline' : 'attachment',
    content: Buffer.from(typeof a.Content === 'string' ? a.Content : '', 'base64'),
  }));
  return { nonce: providerId, identity: facts.messageId!, facts, read: fromParts(parts, limits, facts) };
}

/**
 * SendGrid Inbound Parse with a security policy: an ECDSA (P-256, SHA-256) signature of the
 * timestamp followed by the raw body, in the X-Twilio-Email-Event-Webhook-* headers. The
 * signature is the nonce. With « send raw », the whole message is in the `email` field.
 */
async function sendgrid({ config: inbound, headers, body, limits, now }: Delivery): Promise<Inbound> {
  const config = inbound.sendgrid!;
  const signature = headers.get('x-twilio-email-event-webhook-signature');
  const timestamp = headers.get('x-twilio-email-event-webhook-timestamp');
  if (!signature || !timestamp) throw unsigned();
  let valid = false;
  try {
    const key = config.publicKey.includes('BEGIN PUBLIC KEY')
      ? createPublicKey(config.publicKey)
      : createPublicKey({ key: Buffer.from(config.publicKey, 'base64'), format: 'der', type: 'spki' });
    valid = createVerify('sha256').update(timestamp).update(body).verify(key, Buffer.from(signature, 'base64'));
  } catch {}
  if (!valid) throw unsigned();
  checkWindow(timestamp, inbound, now);
  const data = await form(body, headers.get('content-type') ?? '');
  const rawHeaders = text(data.get('headers'), 64 * 1024) ?? '';
  const messageId = /^message-id:\s*(.+)$/im.exec(rawHeaders)?.[1]?.trim();
  const facts: MessageFacts = { messageId, sender: text(data.get('from'), 500), subject: text(data.get('subject'), 500) };
  return formMessage(
    data,
    { raw: 'email', parts: /^attachment(\d+)$/ },
    { nonce: signature, identity: messageId ?? `sendgrid:${signature}`, facts },
    limits,
  );
}

/** Mailgun routes: `signature` is the hex HMAC-SHA256 of timestamp + token under the webhook signing key; the token is the nonce. */
async function mailgun({ config: inbound, headers, body, limits, now }: Delivery): Promise<Inbound> {
  const config = inbound.mailgun!;
  const data = await form(body, headers.get('content-type') ?? '');
  const timestamp = text(data.get('timestamp'), 20);
  const token = text(data.get('token'), 200);
  const signature = text(data.get('signature'), 200);
  if (!timestamp || !token || !signature) throw unsigned();
  const expected = createHmac('sha256', config.signingKey)
    .update(timestamp + token)
    .digest('hex');
  if (!sameText(signature, expected)) throw unsigned();
  checkWindow(timestamp, inbound, now);
  const facts: MessageFacts = {
    messageId: text(data.get('Message-Id')),
    sender: text(data.get('from'), 500) ?? text(data.get('sender'), 500),
    subject: text(data.get('subject'), 500),
    date: text(data.get('Date'), 100),
  };
  return formMessage(
    data,
    { raw: 'body-mime', parts: /^attachment-(\d+)$/ },
    { nonce: token, identity: facts.messageId ?? `mailgun:${token}`, facts },
    limits,
  );
}

/**
 * Resend: Svix headers (svix-id, svix-timestamp, svix-signature: space-separated `v1,<base64>`),
 * each an HMAC-SHA256 of `id.timestamp.body` under the secret; svix-id is the nonce. The
 * webhook carries no content: the raw message is fetched through Resend's API.
 */
async function resend({ config: inbound, headers, body, limits, now }: Delivery): Promise<Inbound | null> {
  const config = inbound.resend!;
  const id = headers.get('svix-id');
  const timestamp = headers.get('svix-timestamp');
  const signatures = headers.get('svix-signature');
  if (!id || !timestamp || !signatures) throw unsigned();
  const expected = createHmac('sha256', config.secret).update(`${id}.${timestamp}.`).update(body).digest('base64');
  if (!signatures.split(' ').some((entry) => entry.startsWith('v1,') && sameText(entry.slice(3), expected))) throw unsigned();
  checkWindow(timestamp, inbound, now);
  const event = jsonOf(body);
  if (event.type !== 'email.received') return null;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const emailId = text(data.email_id, 100);
  if (!emailId || !/^[A-Za-z0-9-]+$/.test(emailId)) throw malformed('no email_id');
  const facts: MessageFacts = {
    messageId: text(data.message_id),
    sender: text(data.from, 500),
    subject: text(data.subject, 500),
    date: text(data.created_at, 100),
  };
  return {
    nonce: id,
    identity: facts.messageId ?? `resend:${emailId}`,
    facts,
    read: async () => fromRaw(await resendRaw(config, emailId, limits), limits, facts)(),
  };
}

/** The received message's raw bytes: its record from the API, then its signed download URL, within the size limit. */
async function resendRaw(config: NonNullable<InboundConfig['resend']>, emailId: string, limits: MailLimits): Promise<Uint8Array> {
  const away = (why: string) => new InboundRefused(502, 'PROVIDER_UNREACHABLE', `Resend did not give the message: ${why}.`);
  const record = await fetch(`${config.apiUrl}/emails/receiving/${emailId}`, {
    headers: { authorization: `Bearer ${config.apiKey}` },
    signal: AbortSignal.timeout(15_000),
  }).catch((error: unknown) => {
    throw away(errorMessage(error));
  });
  if (!record.ok) throw away(`HTTP ${record.status}`);
  const url = ((await record.json()) as { raw?: { download_url?: unknown } }).raw?.download_url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw away('no download URL');
  const raw = await fetch(url, { signal: AbortSignal.timeout(60_000) }).catch((error: unknown) => {
    throw away(errorMessage(error));
  });
  if (!raw.ok || !raw.body) throw away(`HTTP ${raw.status}`);
  return readAtMost(
    raw.body,
    limits.maxMessageBytes,
    () => new MessageRefused('MESSAGE_TOO_LARGE', `The message is over ${limits.maxMessageBytes} bytes.`),
  );
}

/** A stream's bytes, refused with `tooLarge()` as soon as they pass `max`: never more than that held. */
export async function readAtMost(stream: ReadableStream<Uint8Array> | null, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream?.getReader();
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) return Buffer.concat(chunks);
    size += next.value.byteLength;
    if (size > max) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
}

/** Checks a provider's request and reads what it says; null for an event that carries no message (answered 200, ignored). */
export async function verifyInbound(
  provider: Provider,
  config: InboundConfig,
  headers: Headers,
  body: Uint8Array,
  limits: MailLimits,
  now = Date.now(),
): Promise<Inbound | null> {
  // Closed by default, like every route: without a secret no request can be authenticated.
  if (!config[provider]) throw new InboundRefused(401, 'UNAUTHORIZED', `Inbound e-mail from ${provider} is not configured here.`);
  const delivery: Delivery = { config, headers, body, limits, now };
  switch (provider) {
    case 'postmark':
      return postmark(delivery);
    case 'sendgrid':
      return sendgrid(delivery);
    case 'mailgun':
      return mailgun(delivery);
    case 'resend':
      return resend(delivery);
  }
}
