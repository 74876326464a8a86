import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../errors/index.js';

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

  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * The body as text, read with stream events: `for await` over the request made an async
 * iterator, a generator and an end-of-stream watcher for every request to read what is
 * nearly always one chunk (its cost: bench/README.md, "Where the time goes"). A body
 * over the limit is refused as soon as it passes the limit, one cut short rejects.
 */
function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
      // The rest flows on unread; the 413 answer closes the connection.
      else settle(() => reject(tooLarge(maxBytes)));
    };
    // Nearly always one chunk: decoded where it lies rather than copied first.
    const onEnd = () =>
      settle(() => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)).toString('utf8')));
    // The request stream fails only with its connection (`aborted`, ECONNRESET): the client's doing.
    const onError = (error: Error) => settle(() => reject(new RequestAbortedError(error)));
    const onClose = () => settle(() => reject(new RequestAbortedError()));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * The client went away before its body ended: nobody is left to answer, and nothing on
 * this side failed, so it is logged at info without a stack and counted as a client error.
 */
export class RequestAbortedError extends Error {
  constructor(cause?: Error) {
    super('The request closed before its body ended.', { cause });
    this.name = 'RequestAbortedError';
  }
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError('payload_too_large', `The request body exceeds ${maxBytes} bytes.`, {
    limitBytes: maxBytes,
  });
}
