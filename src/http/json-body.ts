import { InvalidInputError } from '../errors.ts';

/** The request's body, which must be a JSON object. */
export async function jsonBody(request: Request, options: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (options.optional && text.trim() === '') return {};
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
