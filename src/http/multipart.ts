import { HttpError } from './respond.ts';

export interface UploadedPart {
  fileName: string;
  bytes: Uint8Array;
}

export interface PartLimits {
  maxBodyBytes: number;
  /** Parts one body may hold, every one a file. */
  maxParts: number;
  timeoutMs: number;
}

/**
 * Counts the boundary delimiters of a multipart body as it streams, across chunk edges: a body of
 * a hundred thousand empty parts is cut off at the first part too many, before the form parser
 * builds an object for each.
 */
function delimiterCounter(boundary: string) {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let tail = Buffer.alloc(0);
  let count = 0;
  return (chunk: Uint8Array): number => {
    const window = Buffer.concat([tail, chunk]);
    for (let at = window.indexOf(delimiter); at !== -1; at = window.indexOf(delimiter, at + delimiter.length)) count++;
    tail = window.subarray(Math.max(0, window.length - delimiter.length + 1));
    return count;
  };
}

/**
 * The `file` parts of a multipart body — nothing else is accepted. The body is counted as it
 * streams and cut off past `maxBodyBytes` or past `maxParts` parts, so an oversized upload is
 * refused without being buffered whole.
 */
export async function readFileParts(request: Request, { maxBodyBytes, maxParts, timeoutMs }: PartLimits): Promise<UploadedPart[]> {
  const contentType = request.headers.get('content-type') ?? '';
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) {
    throw new HttpError(415, 'UNSUPPORTED_CONTENT_TYPE', 'Send the files as multipart/form-data, in parts named "file".');
  }
  const delimiters = delimiterCounter(boundary[1] ?? boundary[2]!);
  let tooManyParts = false;
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (!request.body) throw new HttpError(400, 'NO_FILE', 'The request has no body: send at least one part named "file".');

  let received = 0;
  let fail: (reason: Error) => void = () => {};
  const limited = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        fail = (reason) => controller.error(reason);
      },
      transform(chunk, controller) {
        received += chunk.byteLength;
        // n parts take n + 1 delimiters, the last one closing the body.
        tooManyParts ||= delimiters(chunk) > maxParts + 1;
        if (received > maxBodyBytes) controller.error(tooLarge(maxBodyBytes));
        else if (tooManyParts) controller.error(tooMany(maxParts));
        else controller.enqueue(chunk);
      },
    }),
  );
  // A body that trickles or never ends must not hold the request (and its memory) for ever.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    fail(new Error('upload timed out'));
  }, timeoutMs);
  let form: FormData;
  try {
    form = await new Request('http://upload.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: limited,
      duplex: 'half',
    } as RequestInit).formData();
  } catch (error) {
    if (received > maxBodyBytes) throw tooLarge(maxBodyBytes);
    if (tooManyParts) throw tooMany(maxParts);
    if (timedOut) throw new HttpError(408, 'UPLOAD_TIMEOUT', `The upload did not arrive within ${Math.round(timeoutMs / 1000)} s.`);
    throw new HttpError(400, 'MALFORMED_MULTIPART', `The multipart body could not be read: ${(error as Error).message}.`);
  } finally {
    clearTimeout(timer);
  }
  for (const name of new Set(form.keys())) {
    if (name !== 'file') throw new HttpError(400, 'UNEXPECTED_PART', `Only parts named "file" are accepted, not "${name.slice(0, 40)}".`);
  }
  const parts: UploadedPart[] = [];
  for (const value of form.getAll('file')) {
    if (typeof value === 'string') throw new HttpError(400, 'NO_FILE', 'The "file" part must be a file, not a text field.');
    parts.push({ fileName: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  if (parts.length === 0) throw new HttpError(400, 'NO_FILE', 'No part named "file": send at least one file.');
  return parts;
}

function tooMany(maxParts: number): HttpError {
  return new HttpError(413, 'TOO_MANY_PARTS', `One upload carries at most ${maxParts} files.`);
}

function tooLarge(maxBodyBytes: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `The upload is larger than ${maxBodyBytes} bytes.`);
}
