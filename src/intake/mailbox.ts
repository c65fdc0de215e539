// Mailboxes read over IMAP. Each poll takes the messages not yet marked, one at a time: the size
// first (RFC822.SIZE, so a huge message is refused without being downloaded), then the body,
// its invoices and its record in one transaction, and only then the mark ($Facteur keyword, or a
// move to the processed folder). A crash between the commit and the mark leaves the message
// unmarked: the next poll reads it again and its record says it was taken (at least once on the
// mailbox's side, exactly once on the invoices').
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Sql } from '../db/types.ts';
import { FacteurError, InvalidInputError, errorMessage } from '../errors.ts';
import type { Queue } from '../queue/index.ts';
import {
  type MailLimits,
  type MessageOrigin,
  type MessageOutcome,
  MessageRefused,
  messageKey,
  readMessage,
  recordRefusal,
  sha256Hex,
  takeMessage,
} from './mail.ts';
import { openSecret, sealSecret } from './secret.ts';

/** The keyword a taken message carries when it is left in its folder. */
export const TAKEN_KEYWORD = '$Facteur';

export interface Mailbox {
  id: string;
  owner: string;
  name: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  folder: string;
  processedFolder: string | null;
}

export interface NewMailbox extends Omit<Mailbox, 'id'> {
  password: string;
}

// The columns as a Mailbox, with the sealed password that only mailboxWithPassword opens.
const COLUMNS = `id, owner, name, host, port, tls, username, folder, processed_folder AS "processedFolder", sealed_password AS "sealedPassword"`;

type MailboxRow = Mailbox & { sealedPassword: string };

const toMailbox = ({ sealedPassword: _, ...mailbox }: MailboxRow): Mailbox => mailbox;

// A new mailbox; (owner, name) is unique, so adding one twice fails instead of reading it twice.
const INSERT_MAILBOX = `
  INSERT INTO mailboxes (owner, name, host, port, tls, username, sealed_password, folder, processed_folder)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (owner, name) DO NOTHING
  RETURNING ${COLUMNS}`;

const MAILBOX_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Stores a mailbox with its password sealed; MAILBOX_EXISTS if the owner has one of that name. */
export async function addMailbox(sql: Sql, key: Buffer, mailbox: NewMailbox): Promise<Mailbox> {
  if (!MAILBOX_NAME.test(mailbox.name)) {
    throw new InvalidInputError('INVALID_MAILBOX_NAME', 'A mailbox name is 1 to 64 letters, digits, dots, dashes or underscores.');
  }
  const { rows } = await sql.query<MailboxRow>(INSERT_MAILBOX, [
    mailbox.owner,
    mailbox.name,
    mailbox.host,
    mailbox.port,
    mailbox.tls,
    mailbox.username,
    sealSecret(mailbox.password, key, mailbox.owner),
    mailbox.folder,
    mailbox.processedFolder,
  ]);
  if (!rows[0]) throw new InvalidInputError('MAILBOX_EXISTS', `${mailbox.owner} already has a mailbox named ${mailbox.name}.`);
  return toMailbox(rows[0]);
}

// Reads only; one owner's, or every owner's for the worker.
const LIST_MAILBOXES = `SELECT ${COLUMNS} FROM mailboxes WHERE ($1::text IS NULL OR owner = $1) ORDER BY owner, name`;

export async function listMailboxes(sql: Sql, owner: string | null): Promise<Mailbox[]> {
  return (await sql.query<MailboxRow>(LIST_MAILBOXES, [owner])).rows.map(toMailbox);
}

/** A mailbox and its opened password, for reading it. */
async function mailboxWithPassword(sql: Sql, key: Buffer, owner: string | null): Promise<(Mailbox & { password: string })[]> {
  const { rows } = await sql.query<MailboxRow>(LIST_MAILBOXES, [owner]);
  return rows.map((row) => ({ ...toMailbox(row), password: openSecret(row.sealedPassword, key, row.owner) }));
}

// The records of its messages stay (mailbox_id set to null): they still say what was taken.
const DELETE_MAILBOX = `DELETE FROM mailboxes WHERE owner = $1 AND name = $2`;

export async function removeMailbox(sql: Sql, owner: string, name: string): Promise<boolean> {
  return (await sql.query(DELETE_MAILBOX, [owner, name])).rowCount > 0;
}

export async function findMailbox(sql: Sql, key: Buffer, owner: string, name: string): Promise<(Mailbox & { password: string }) | null> {
  return (await mailboxWithPassword(sql, key, owner)).find((mailbox) => mailbox.name === name) ?? null;
}

/** What one poll of a mailbox did. */
export interface PollReport {
  mailbox: string;
  /** Messages whose invoices this poll stored. */
  taken: number;
  /** Messages this poll refused (recorded with their reason). */
  refused: number;
  /** Messages already recorded by an earlier read: only marked now. */
  again: number;
  invoices: number;
}

export interface ReaderOptions {
  limits: MailLimits;
  /** Messages fetched per poll at most; the rest wait for the next one. */
  batch: number;
  /** Between the commit and the mark: the tests crash there. */
  afterCommit?: (uid: number) => void | Promise<void>;
}

function imapClient(mailbox: Mailbox & { password: string }): ImapFlow {
  return new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.tls,
    auth: { user: mailbox.username, pass: mailbox.password },
    // imapflow's own log would carry the protocol, credentials included: never on.
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 120_000,
  });
}

/** Connects and logs in, to check a mailbox's settings; throws MAILBOX_UNREACHABLE with the server's reason. */
export async function testMailbox(mailbox: Mailbox & { password: string }): Promise<{ messages: number; unread: number }> {
  const client = imapClient(mailbox);
  client.on('error', () => {});
  try {
    await client.connect();
    // imapflow answers false for a folder it could not ask about.
    const status = (await client.status(mailbox.folder, { messages: true, unseen: true })) || { messages: 0, unseen: 0 };
    return { messages: status.messages ?? 0, unread: status.unseen ?? 0 };
  } catch (error) {
    throw unreachable(mailbox, error);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function unreachable(mailbox: Mailbox, error: unknown): FacteurError {
  const detail = (error as { responseText?: string }).responseText ?? errorMessage(error);
  return new FacteurError('MAILBOX_UNREACHABLE', `${mailbox.name} (${mailbox.host}:${mailbox.port}): ${detail.slice(0, 200)}.`);
}

/** One poll: the unmarked messages of the mailbox's folder, one at a time, up to `batch`. */
export async function pollMailbox(
  deps: { db: Db; queue: Queue; logger: Logger },
  mailbox: Mailbox & { password: string },
  options: ReaderOptions,
  signal?: AbortSignal,
): Promise<PollReport> {
  const report: PollReport = { mailbox: mailbox.name, taken: 0, refused: 0, again: 0, invoices: 0 };
  const client = imapClient(mailbox);
  // A dropped connection rejects the command under way; the event itself needs a listener.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw unreachable(mailbox, error);
  }
  try {
    if (mailbox.processedFolder) await client.mailboxCreate(mailbox.processedFolder).catch(() => {});
    const lock = await client.getMailboxLock(mailbox.folder);
    try {
      const uids = ((await client.search({ unKeyword: TAKEN_KEYWORD }, { uid: true })) || []).slice(0, options.batch);
      if (uids.length === 0) return report;
      // The sizes and envelopes first, in one command: imapflow runs no other command while a fetch streams.
      const heads: { uid: number; size: number; messageId?: string; subject?: string; sender?: string; date?: string }[] = [];
      for await (const message of client.fetch(uids, { uid: true, size: true, envelope: true }, { uid: true })) {
        // Another reader's flag changes reach this session as FETCH responses of their own, without
        // the UID or envelope asked for: they are not messages to take.
        if (typeof message.uid !== 'number' || !uids.includes(message.uid)) continue;
        const from = message.envelope?.from?.[0];
        heads.push({
          uid: message.uid,
          size: message.size ?? 0,
          messageId: message.envelope?.messageId,
          subject: message.envelope?.subject,
          sender: from?.address ? (from.name ? `${from.name} <${from.address}>` : from.address) : undefined,
          date: isoDate(message.envelope?.date),
        });
      }
      const origin: MessageOrigin = { owner: mailbox.owner, channel: 'mailbox', mailboxId: mailbox.id, label: mailbox.name };
      for (const head of heads) {
        if (signal?.aborted) break;
        const outcome = await takeOne(deps.db, deps.queue, client, origin, head, options, deps.logger);
        report[outcome.first ? (outcome.status === 'taken' ? 'taken' : 'refused') : 'again']++;
        report.invoices += outcome.invoiceIds.length;
        await options.afterCommit?.(head.uid);
        if (mailbox.processedFolder) await client.messageMove(String(head.uid), mailbox.processedFolder, { uid: true });
        else await client.messageFlagsAdd(String(head.uid), [TAKEN_KEYWORD], { uid: true });
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return report;
}

async function takeOne(
  db: Db,
  queue: Queue,
  client: ImapFlow,
  origin: MessageOrigin,
  head: { uid: number; size: number; messageId?: string; subject?: string; sender?: string; date?: string },
  options: ReaderOptions,
  logger: Logger,
): Promise<MessageOutcome> {
  const facts = {
    messageId: head.messageId?.slice(0, 1000),
    sender: head.sender?.slice(0, 500),
    subject: head.subject?.slice(0, 500),
    date: head.date,
    sizeBytes: head.size,
  };
  // Refused on its declared size, never downloaded. Keyed by what the server says of it.
  if (head.size > options.limits.maxMessageBytes) {
    const refusal = new MessageRefused(
      'MESSAGE_TOO_LARGE',
      `The message is ${head.size} bytes; the limit is ${options.limits.maxMessageBytes} bytes.`,
    );
    return recordRefusal(
      db,
      origin,
      messageKey(`refused\0${head.messageId ?? `${origin.mailboxId}:${head.uid}`}\0${head.size}`, []),
      facts,
      refusal,
    );
  }
  const fetched = await client.fetchOne(String(head.uid), { source: true }, { uid: true });
  const raw = fetched ? fetched.source : undefined;
  if (!raw) throw new FacteurError('MESSAGE_GONE', `Message ${head.uid} vanished while being read.`);
  const identity = head.messageId ?? `sha256:${sha256Hex(raw)}`;
  let read;
  try {
    read = await readMessage(raw, options.limits);
  } catch (error) {
    if (!(error instanceof FacteurError)) {
      // The parser itself broke: the message is refused, the mailbox goes on.
      logger.warn({ err: error, uid: head.uid }, 'message could not be parsed');
    }
    const refusal =
      error instanceof FacteurError
        ? error
        : new MessageRefused('PARSER_FAILED', `The message broke the parser: ${errorMessage(error).slice(0, 200)}.`);
    return recordRefusal(db, origin, messageKey(`refused\0${identity}\0${sha256Hex(raw)}`, []), facts, refusal);
  }
  return takeMessage(db, queue, origin, identity, { ...read, facts: { ...facts, ...definedOnly(read.facts) } });
}

/** The envelope's date as ISO 8601; a date the server could not read is left out. */
function isoDate(value: Date | string | undefined): string | undefined {
  const date = value === undefined ? null : new Date(value);
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Every owner's mailboxes read in the background, beside a worker or on their own. */
export interface MailboxWatch {
  stop(): Promise<void>;
}

/**
 * Polls every stored mailbox in turn, then waits `intervalMs`. A mailbox that cannot be reached
 * is logged (never with its password) and tried again at the next round; the others go on.
 */
export function startMailboxWatch(
  deps: { db: Db; queue: Queue; logger: Logger },
  key: Buffer,
  options: ReaderOptions & { intervalMs: number; owner?: string },
): MailboxWatch {
  const stopping = new AbortController();
  const running = (async () => {
    while (!stopping.signal.aborted) {
      try {
        for (const mailbox of await mailboxWithPassword(deps.db, key, options.owner ?? null)) {
          if (stopping.signal.aborted) break;
          try {
            const report = await pollMailbox(deps, mailbox, options, stopping.signal);
            if (report.taken || report.refused || report.again) deps.logger.info({ owner: mailbox.owner, ...report }, 'mailbox read');
          } catch (error) {
            deps.logger.error(
              { owner: mailbox.owner, mailbox: mailbox.name, err: { code: (error as FacteurError).code, message: errorMessage(error) } },
              'mailbox not read; trying again at the next round',
            );
          }
        }
      } catch (error) {
        deps.logger.error({ err: error }, 'mailboxes not listed; trying again at the next round');
      }
      await sleep(options.intervalMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
