import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../recovery/index.js';

/** GraphQL operations are small; a larger body is a mistake or an attack. */
export const MAX_BODY_BYTES = 100 * 1024;

/** Reads a JSON request body, answering the problems a client can cause with ServiceErrors. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    // Also Apollo's CSRF defence: a browser cannot send JSON cross-origin without a preflight.
    throw new ServiceError(
      'unsupported_media_type',
      `POST requests must have content-type application/json, not ${JSON.stringify(contentType ?? 'none')}.`,
      { contentType: contentType ?? null },
    );
  }
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw tooLarge();

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('invalid_json', 'The request body is not valid JSON.');
  }
}

function tooLarge(): ServiceError {
  return new ServiceError('payload_too_large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`, {
    limitBytes: MAX_BODY_BYTES,
  });
}
