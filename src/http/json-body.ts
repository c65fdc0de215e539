import { InvalidInputError } from '../errors.ts';
import { HttpError } from './respond.ts';

/** The largest JSON body any route takes: its bodies are a priority, a version, a reason. */
export const MAX_JSON_BYTES = 16 * 1024;

const tooLarge = () => new HttpError(413, 'BODY_TOO_LARGE', `A JSON body is at most ${MAX_JSON_BYTES / 1024} KB.`);

/**
 * The body's bytes, read no further than `limit`: a declared Content-Length past it is refused
 * before reading, and a body that streams past it (chunked, or lying about its length) is cut off
 * there, so a 300 MB body costs the server 16 KB, not 300 MB.
 */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The request's body, which must be a JSON object sent as `application/json` (415 otherwise: a
 * form on another site can send text/plain without asking, never application/json). With
 * `optional`, an empty body is an empty object, whatever its type.
 */
export async function jsonBody(request: Request, options: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  const bytes = await readLimited(request, MAX_JSON_BYTES);
  const text = new TextDecoder().decode(bytes);
  if (options.optional && text.trim() === '') return {};
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'UNSUPPORTED_CONTENT_TYPE', 'Send the body as JSON, with Content-Type: application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidInputError('INVALID_JSON', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
