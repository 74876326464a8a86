import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../graphql/errors.js';

/**
 * Reads a JSON request body of at most `maxBytes`, answering the problems a client can
 * cause with ServiceErrors. GraphQL operations are small; a larger body is a mistake or
 * an attack.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
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
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('invalid_json', 'The request body is not valid JSON.');
  }
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError('payload_too_large', `The request body exceeds ${maxBytes} bytes.`, {
    limitBytes: maxBytes,
  });
}
