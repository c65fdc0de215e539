// POST /api/inbound/{provider}: machine routes, authenticated by the provider's signature (not by
// the guard's caller), their messages going to the owner the configuration names.
import type { Facteur } from '../app.ts';
import type { Sql } from '../db/types.ts';
import { MessageRefused, defaultMailLimits, messageKey, recordRefusal, takeMessage } from '../intake/mail.ts';
import {
  type InboundConfig,
  InboundRefused,
  PROVIDERS,
  type Provider,
  inboundConfigFrom,
  readAtMost,
  verifyInbound,
} from '../intake/webhooks.ts';
import { HttpError, errorResponse, json } from './respond.ts';

// Records the request's nonce in the message's transaction: a replay waits for the first to
// commit, then finds its nonce and is refused; a request whose store failed leaves no nonce, so
// the provider's retry goes through. Nonces older than a day are dropped on the way (the window
// is minutes; a message replayed later is still given once by its mail_messages key).
const FORGET_NONCES = `DELETE FROM inbound_nonces WHERE provider = $1 AND seen_at < now() - interval '1 day'`;
// Reads only: a replay is refused before its message is read (Resend's is fetched), the insert below decides.
const SEEN_NONCE = `SELECT 1 FROM inbound_nonces WHERE provider = $1 AND nonce = $2`;
const INSERT_NONCE = `INSERT INTO inbound_nonces (provider, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING nonce`;

/** The body as bytes, cut off past `max` while it streams: the signature covers exactly these bytes. */
async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const tooLarge = () => new HttpError(413, 'BODY_TOO_LARGE', `The request is larger than ${max} bytes.`);
  if (Number(request.headers.get('content-length') ?? 0) > max) throw tooLarge();
  return readAtMost(request.body, max, tooLarge);
}

export function inboundHandler(facteur: Facteur, config: InboundConfig = inboundConfigFrom()) {
  const limits = defaultMailLimits(facteur.config.maxUploadBytes);
  // A message at the limit, base64-encoded in JSON or a form, with room for the rest of the payload.
  const maxBody = Math.ceil(limits.maxMessageBytes * 1.4) + 1024 * 1024;
  return async (request: Request, provider: string): Promise<Response> => {
    try {
      if (!(PROVIDERS as readonly string[]).includes(provider)) {
        throw new HttpError(
          401,
          'UNAUTHORIZED',
          `No inbound provider is called ${provider.slice(0, 40)}: no request here can be authenticated.`,
        );
      }
      const body = await readBody(request, maxBody);
      const inbound = await verifyInbound(provider as Provider, config, request.headers, body, limits);
      if (!inbound) return json({ status: 'ignored' });
      const replayed = () => new InboundRefused(409, 'REPLAYED', 'This request was received already.');
      if ((await facteur.db.query(SEEN_NONCE, [provider, inbound.nonce])).rows.length > 0) throw replayed();
      const within = async (tx: Sql) => {
        await tx.query(FORGET_NONCES, [provider]);
        const { rows } = await tx.query(INSERT_NONCE, [provider, inbound.nonce]);
        if (rows.length === 0) throw replayed();
      };
      const origin = { owner: config.owner, channel: `webhook:${provider}` as const, label: provider };
      let outcome;
      try {
        outcome = await takeMessage(facteur.db, facteur.queue, origin, inbound.identity, await inbound.read(), within);
      } catch (error) {
        if (!(error instanceof MessageRefused)) throw error;
        // The message itself is refused (too many attachments, unreadable MIME…): recorded, and
        // answered 200 so the provider does not send it again.
        outcome = await recordRefusal(facteur.db, origin, messageKey(`refused\0${inbound.identity}`, []), inbound.facts, error, within);
      }
      return json({
        status: outcome.first ? outcome.status : 'already-taken',
        invoiceIds: outcome.invoiceIds,
        reasonCode: outcome.reasonCode,
        skipped: outcome.skipped,
      });
    } catch (error) {
      if (error instanceof InboundRefused) return errorResponse(new HttpError(error.status, error.code, error.message), facteur.logger);
      return errorResponse(error, facteur.logger);
    }
  };
}
