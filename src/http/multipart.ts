import { HttpError } from './respond.ts';

export interface UploadedPart {
  fileName: string;
  bytes: Uint8Array;
}

/**
 * The `file` parts of a multipart body. The body is counted as it streams and cut off past
 * `maxBodyBytes`, so an oversized upload is refused without being buffered whole.
 */
export async function readFileParts(request: Request, maxBodyBytes: number, timeoutMs: number): Promise<UploadedPart[]> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data;.*boundary=/i.test(contentType)) {
    throw new HttpError(415, 'UNSUPPORTED_CONTENT_TYPE', 'Send the files as multipart/form-data, in parts named "file".');
  }
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
        if (received > maxBodyBytes) controller.error(tooLarge(maxBodyBytes));
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
    if (timedOut) throw new HttpError(408, 'UPLOAD_TIMEOUT', `The upload did not arrive within ${Math.round(timeoutMs / 1000)} s.`);
    throw new HttpError(400, 'MALFORMED_MULTIPART', `The multipart body could not be read: ${(error as Error).message}.`);
  } finally {
    clearTimeout(timer);
  }
  const parts: UploadedPart[] = [];
  for (const value of form.getAll('file')) {
    if (typeof value === 'string') throw new HttpError(400, 'NO_FILE', 'The "file" part must be a file, not a text field.');
    parts.push({ fileName: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  if (parts.length === 0) throw new HttpError(400, 'NO_FILE', 'No part named "file": send at least one file.');
  return parts;
}

function tooLarge(maxBodyBytes: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `The upload is larger than ${maxBodyBytes} bytes.`);
}
