import { createHash } from 'node:crypto';
import { ServiceError } from '../errors/index.js';

/**
 * Automatic persisted queries send a document with the SHA-256 of its text; a hash that
 * does not match is the client's mistake (or a probe). Apollo answers it with an error
 * that has no code, which reached clients as internal_server_error and the log as an
 * error with a stack, at any anonymous caller's will. Checked here, at the edge, it gets
 * an id of its own and costs one hash of a body that is already bounded.
 */
export function checkPersistedQueryHash(body: unknown): void {
  if (Array.isArray(body)) {
    for (const operation of body) checkPersistedQueryHash(operation);
    return;
  }
  if (typeof body !== 'object' || body === null) return;
  const { query, extensions } = body as { query?: unknown; extensions?: unknown };
  const hash = persistedQueryHash(extensions);
  if (typeof query !== 'string' || hash === null) return;
  if (createHash('sha256').update(query).digest('hex') !== hash.toLowerCase()) {
    throw new ServiceError(
      'persisted_query_hash_mismatch',
      'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.',
      { field: 'extensions.persistedQuery.sha256Hash' },
    );
  }
}

/** The same check for a GET request's `query` and `extensions` parameters. */
export function checkPersistedQueryHashInSearch(search: string): void {
  if (!search.includes('extensions=')) return;
  const parameters = new URLSearchParams(search);
  const extensions = parameters.get('extensions');
  if (extensions === null) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extensions);
  } catch {
    return; // Apollo answers malformed extensions itself, as a client error
  }
  checkPersistedQueryHash({ query: parameters.get('query') ?? undefined, extensions: parsed });
}

function persistedQueryHash(extensions: unknown): string | null {
  if (typeof extensions !== 'object' || extensions === null) return null;
  const { persistedQuery } = extensions as { persistedQuery?: unknown };
  if (typeof persistedQuery !== 'object' || persistedQuery === null) return null;
  const { sha256Hash } = persistedQuery as { sha256Hash?: unknown };
  return typeof sha256Hash === 'string' ? sha256Hash : null;
}
