// One e-mail message, whichever way it came (a mailbox read over IMAP, a provider's webhook):
// its readable attachments become invoices, zips are opened within limits, and the message is
// recorded in mail_messages in the same transaction as its invoices, so that reading it twice
// gives them once. Everything hostile (too big, too many parts, a zip bomb, a name with a path,
// a structure the parser refuses) ends as a refusal with a stable code, recorded on the message.
import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';
import yauzl from 'yauzl';
import type { Db, Sql } from '../db/types.ts';
import { FacteurError, InvalidInputError, errorMessage } from '../errors.ts';
import type { Queue } from '../queue/index.ts';
import { type AcceptedFile, acceptFile, storeInvoicesIn } from '../invoices/store.ts';

export interface MailLimits {
  /** A message over this is refused before its body is fetched (IMAP RFC822.SIZE). */
  maxMessageBytes: number;
  /** More attachment parts than this and the message is refused whole. */
  maxAttachments: number;
  /** One file's limit, as for an upload. */
  maxFileBytes: number;
  /** Inline images smaller than this (logos, signatures) are left out without a word. */
  inlineImageMinBytes: number;
  zip: {
    maxEntries: number;
    /** Uncompressed bytes of one zip's files, all together. */
    maxTotalBytes: number;
    /** Uncompressed over compressed size of one entry, beyond which it is a bomb. */
    maxRatio: number;
  };
}

export function defaultMailLimits(maxFileBytes: number): MailLimits {
  return {
    maxMessageBytes: 25 * 1024 * 1024,
    maxAttachments: 50,
    maxFileBytes,
    inlineImageMinBytes: 16 * 1024,
    zip: { maxEntries: 50, maxTotalBytes: 100 * 1024 * 1024, maxRatio: 100 },
  };
}

/** What is known of a message before or without parsing it. */
export interface MessageFacts {
  messageId?: string;
  sender?: string;
  subject?: string;
  date?: string;
  sizeBytes?: number;
}

export interface Skipped {
  file: string;
  code: string;
}

/** A message read: what it says about itself, the files to store and those left out. */
export interface ReadMessage {
  facts: MessageFacts;
  files: AcceptedFile[];
  skipped: Skipped[];
}

/** The whole message is refused; the code and sentence are recorded on it. */
export class MessageRefused extends FacteurError {}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const isZip = (bytes: Uint8Array) => ZIP_MAGIC.every((byte, i) => bytes[i] === byte);

/**
 * A file name that says where to put the file (a directory, `..`, a drive) is refused rather
 * than cleaned: nothing is ever written under it, but a sender who sends one is not sending an
 * invoice in good faith.
 */
function checkPlainName(name: string): void {
  if (/[\\/]/.test(name) || /^[A-Za-z]:/.test(name) || name === '..' || name === '.') {
    throw new InvalidInputError('UNSAFE_FILE_NAME', `« ${name.slice(0, 100)} » is a path, not a file name.`);
  }
}

/** Inside a zip, folders are ordinary; going up or starting at a root is not. */
function checkZipEntryName(name: string): string {
  const parts = name.split(/[\\/]/);
  if (/^([\\/]|[A-Za-z]:)/.test(name) || parts.includes('..')) {
    throw new InvalidInputError('UNSAFE_FILE_NAME', `« ${name.slice(0, 100)} » leaves the zip's folder.`);
  }
  return parts.at(-1) ?? '';
}

const short = (text: string | undefined, max: number) => (text === undefined ? undefined : text.slice(0, max));

/** Opens a zip from memory, entry by entry, refusing a bomb on what its headers declare (which yauzl then holds the data to). */
async function unzip(zipName: string, bytes: Uint8Array, limits: MailLimits, skipped: Skipped[]): Promise<AcceptedFile[]> {
  const bomb = (why: string) => new InvalidInputError('ZIP_BOMB', `${zipName}: ${why}.`);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      { lazyEntries: true, validateEntrySizes: true },
      (error, file) =>
        error
          ? reject(new InvalidInputError('ZIP_UNREADABLE', `${zipName} cannot be opened as a zip: ${errorMessage(error)}.`))
          : resolve(file),
    ),
  );
  try {
    if (zip.entryCount > limits.zip.maxEntries) {
      throw new InvalidInputError(
        'ZIP_TOO_MANY_ENTRIES',
        `${zipName} holds ${zip.entryCount} entries; the limit is ${limits.zip.maxEntries}.`,
      );
    }
    const files: AcceptedFile[] = [];
    let total = 0;
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) return files;
      if (entry.fileName.endsWith('/')) continue;
      let name: string;
      try {
        name = checkZipEntryName(entry.fileName);
      } catch (error) {
        skipped.push({ file: `${zipName}/${entry.fileName.slice(0, 100)}`, code: (error as FacteurError).code });
        continue;
      }
      total += entry.uncompressedSize;
      if (total > limits.zip.maxTotalBytes) throw bomb(`more than ${limits.zip.maxTotalBytes} bytes once unzipped`);
      if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > limits.zip.maxRatio * Math.max(1, entry.compressedSize)) {
        throw bomb(`${name} unzips ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times larger than it is`);
      }
      if (entry.uncompressedSize > limits.maxFileBytes) {
        skipped.push({ file: `${zipName}/${name}`, code: 'FILE_TOO_LARGE' });
        continue;
      }
      const content = await new Promise<Buffer>((resolve, reject) =>
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(new InvalidInputError('ZIP_UNREADABLE', `${zipName}/${name}: ${errorMessage(error)}.`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', (cause) => reject(new InvalidInputError('ZIP_UNREADABLE', `${zipName}/${name}: ${errorMessage(cause)}.`)));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        }),
      );
      try {
        files.push(acceptFile(name, new Uint8Array(content), limits.maxFileBytes));
      } catch (error) {
        if (!(error instanceof FacteurError)) throw error;
        skipped.push({ file: `${zipName}/${name}`, code: error.code });
      }
    }
  } finally {
    zip.close();
  }
}

function address(value: { name?: string; address?: string; group?: unknown } | undefined): string | undefined {
  if (!value) return undefined;
  if (value.address) return value.name ? `${value.name} <${value.address}>` : value.address;
  return value.name || undefined;
}

/** Reads a raw RFC 5322 message: its facts, its readable files (zips opened), what was left out. */
export async function readMessage(raw: Uint8Array, limits: MailLimits): Promise<ReadMessage> {
  if (raw.byteLength > limits.maxMessageBytes) {
    throw new MessageRefused('MESSAGE_TOO_LARGE', `The message is ${raw.byteLength} bytes; the limit is ${limits.maxMessageBytes} bytes.`);
  }
  let email;
  try {
    email = await PostalMime.parse(raw, {
      maxNestingDepth: 20,
      maxHeadersSize: 256 * 1024,
      maxRfc822NestingDepth: 0,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (error) {
    throw new MessageRefused('MALFORMED_MESSAGE', `The message cannot be read as MIME: ${errorMessage(error).slice(0, 200)}.`);
  }
  const facts: MessageFacts = {
    messageId: short(email.messageId, 1000),
    sender: short(address(email.from as { name?: string; address?: string } | undefined), 500),
    subject: short(email.subject, 500),
    date: short(email.date, 100),
    sizeBytes: raw.byteLength,
  };
  return {
    facts,
    ...(await readAttachments(
      email.attachments.map((part) => ({ ...part, content: new Uint8Array(part.content as ArrayBuffer) })),
      limits,
    )),
  };
}

/** An attachment as the parsers and the webhook payloads give it. */
export interface MailPart {
  filename: string | null;
  mimeType: string;
  disposition?: string | null;
  related?: boolean;
  content: Uint8Array;
}

/** The readable files among a message's parts; the rest, with why, in `skipped`. */
export async function readAttachments(
  parts: readonly MailPart[],
  limits: MailLimits,
): Promise<{ files: AcceptedFile[]; skipped: Skipped[] }> {
  if (parts.length > limits.maxAttachments) {
    throw new MessageRefused('TOO_MANY_ATTACHMENTS', `The message has ${parts.length} attachments; the limit is ${limits.maxAttachments}.`);
  }
  const files: AcceptedFile[] = [];
  const skipped: Skipped[] = [];
  for (const part of parts) {
    const inline = part.disposition === 'inline' || part.related === true;
    if (inline && part.mimeType.startsWith('image/') && part.content.byteLength < limits.inlineImageMinBytes) continue;
    // Parts with neither a name nor an attachment disposition are the message's own text and HTML.
    const name = part.filename ?? `attachment-${files.length + skipped.length + 1}`;
    try {
      checkPlainName(name);
      if (isZip(part.content)) {
        files.push(...(await unzip(name, part.content, limits, skipped)));
      } else {
        files.push(acceptFile(name, part.content, limits.maxFileBytes));
      }
    } catch (error) {
      if (!(error instanceof FacteurError)) throw error;
      skipped.push({ file: name.slice(0, 200), code: error.code });
    }
    if (files.length > limits.maxAttachments) {
      throw new MessageRefused('TOO_MANY_ATTACHMENTS', `The message's zips hold more than ${limits.maxAttachments} files.`);
    }
  }
  return { files, skipped };
}

/**
 * The key a message is taken once by: its Message-ID with the hashes of its files, so that the
 * same message read again (or delivered again by a provider) finds its first record, while two
 * different messages that happen to share an id (some senders reuse them) stay apart. Without a
 * Message-ID, the bytes of the message stand for it.
 */
export function messageKey(identity: string, files: readonly { sha256: string }[]): string {
  return createHash('sha256')
    .update([identity, ...files.map((file) => file.sha256)].join('\0'))
    .digest('hex');
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Where the message came from, as recorded on it and on its invoices. */
export interface MessageOrigin {
  owner: string;
  channel: 'mailbox' | `webhook:${string}`;
  mailboxId?: string;
  /** The mailbox's name or the provider, shown with the invoice. */
  label: string;
}

export interface MessageOutcome {
  status: 'taken' | 'refused';
  /** False when an earlier read of the same message had recorded it already: nothing was written. */
  first: boolean;
  invoiceIds: string[];
  reasonCode?: string;
  skipped: Skipped[];
}

// Records the message once per (owner, key): a second reader of the same message waits here for
// the first one's transaction, then finds the key taken and writes nothing.
const INSERT_MESSAGE = `
  INSERT INTO mail_messages (owner, message_key, channel, mailbox_id, message_id, sender, subject, sent_at, size_bytes,
                             status, reason_code, reason, skipped)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
  ON CONFLICT (owner, message_key) DO NOTHING
  RETURNING id`;

// The invoices the message gave, on the row this transaction just inserted.
const SET_INVOICES = `UPDATE mail_messages SET invoice_ids = $2::uuid[] WHERE id = $1`;

async function insertMessage(
  tx: Sql,
  origin: MessageOrigin,
  key: string,
  facts: MessageFacts,
  outcome: { status: 'taken' | 'refused'; reasonCode?: string; reason?: string; skipped: Skipped[] },
): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(INSERT_MESSAGE, [
    origin.owner,
    key,
    origin.channel,
    origin.mailboxId ?? null,
    facts.messageId ?? null,
    facts.sender ?? null,
    facts.subject ?? null,
    facts.date ?? null,
    facts.sizeBytes ?? null,
    outcome.status,
    outcome.reasonCode ?? null,
    outcome.reason?.slice(0, 2000) ?? null,
    JSON.stringify(outcome.skipped.slice(0, 50)),
  ]);
  return rows[0]?.id ?? null;
}

/** Runs first in the message's transaction (a webhook's nonce, so that a replay and its message commit or fail together). */
export type WithinTransaction = (tx: Sql) => Promise<void>;

const nothing: WithinTransaction = async () => {};

/** Records a message refused whole (too big, unreadable…), once per key. */
export async function recordRefusal(
  db: Db,
  origin: MessageOrigin,
  key: string,
  facts: MessageFacts,
  refusal: FacteurError,
  within: WithinTransaction = nothing,
  skipped: Skipped[] = [],
): Promise<MessageOutcome> {
  const id = await db.transaction(async (tx) => {
    await within(tx);
    return insertMessage(tx, origin, key, facts, { status: 'refused', reasonCode: refusal.code, reason: refusal.message, skipped });
  });
  return { status: 'refused', first: id !== null, invoiceIds: [], reasonCode: refusal.code, skipped };
}

/**
 * Stores a read message: its invoices and their jobs, and its record, in one transaction. A
 * message without a readable file is recorded as refused with the first reason (or NO_ATTACHMENT).
 */
export async function takeMessage(
  db: Db,
  queue: Queue,
  origin: MessageOrigin,
  identity: string,
  message: ReadMessage,
  within: WithinTransaction = nothing,
): Promise<MessageOutcome> {
  const { facts, files, skipped } = message;
  const key = messageKey(identity, files);
  if (files.length === 0) {
    const first = skipped[0];
    const refusal = first
      ? new MessageRefused(
          first.code,
          `No attachment could be read: ${first.file} (${first.code})${skipped.length > 1 ? ` and ${skipped.length - 1} more` : ''}.`,
        )
      : new MessageRefused('NO_ATTACHMENT', 'The message has no attachment Facteur can read (PDF, XML, image, or a zip of them).');
    return recordRefusal(db, origin, key, facts, refusal, within, skipped);
  }
  const details: Record<string, string> = { [origin.channel === 'mailbox' ? 'mailbox' : 'provider']: origin.label };
  if (facts.sender) details.from = facts.sender.slice(0, 300);
  if (facts.subject) details.subject = facts.subject.slice(0, 300);
  if (facts.date) details.date = facts.date.slice(0, 40);
  return db.transaction(async (tx) => {
    await within(tx);
    const id = await insertMessage(tx, origin, key, facts, { status: 'taken', skipped });
    if (id === null) return { status: 'taken', first: false, invoiceIds: [], skipped };
    const stored = await storeInvoicesIn(tx, queue, origin.owner, files, {
      source: { kind: origin.channel === 'mailbox' ? 'mailbox' : 'webhook', details },
    });
    const invoiceIds = stored.map((invoice) => invoice.invoiceId);
    await tx.query(SET_INVOICES, [id, invoiceIds]);
    return { status: 'taken', first: true, invoiceIds, skipped };
  });
}
