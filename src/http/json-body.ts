import { InvalidInputError } from '../errors.ts';

/** The request's body, which must be a JSON object. */
export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidInputError('INVALID_JSON', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
