import { readFileSync } from 'node:fs';
import { ServiceError } from '../errors/index.js';
import { OPERATIONS_DIRECTORY } from '../build-files.js';

/**
 * Persisted documents: this service's own (operations/persisted-operations.json) and, with
 * PERSISTED_OPERATIONS_FILE, a frontend's manifest. A request may name its document instead
 * of sending it: by `documentId` (the GraphQL-over-HTTP persisted-documents convention,
 * "sha256:<hex>" or a bare hash, in the body or the GET query) or by Apollo's
 * `extensions.persistedQuery.sha256Hash`. The HTTP layer puts the document in its place
 * before Apollo runs; whether a document may run at all (PERSISTED_OPERATIONS_ONLY) is
 * judged on what Apollo parsed (graphql/safelist.ts), whatever the method or encoding.
 */
const MANIFEST_PATH = new URL('persisted-operations.json', OPERATIONS_DIRECTORY);

/** The documents by id: from the manifests read at start, never from requests. */
export type PersistedDocuments = ReadonlyMap<string, string>;

/** This service's manifest and, when given, an external one (PERSISTED_OPERATIONS_FILE). */
export function loadPersistedDocuments(externalFile: string | null): PersistedDocuments {
  const documents = new Map(
    manifestDocuments(readFileSync(MANIFEST_PATH, 'utf8'), 'operations/persisted-operations.json'),
  );
  if (externalFile !== null) {
    for (const [id, body] of manifestDocuments(readFileSync(externalFile, 'utf8'), externalFile)) {
      documents.set(id, body);
    }
  }
  return documents;
}

/**
 * Apollo's persisted query manifest (`{format: "apollo-persisted-query-manifest",
 * operations: [{id, body}]}`) or a `{hash: document}` map (GraphQL Codegen's client
 * preset, sha256 or sha1). Ids are kept in lower case, without an algorithm prefix.
 */
export function manifestDocuments(text: string, source: string): Map<string, string> {
  const manifest = JSON.parse(text) as unknown;
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${source}: a persisted operations manifest is a JSON object`);
  }
  const entries =
    'format' in manifest
      ? apolloManifestEntries(manifest as { format: unknown; operations?: unknown }, source)
      : Object.entries(manifest);
  const documents = new Map<string, string>();
  for (const [id, body] of entries) {
    if (typeof body !== 'string' || !/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(bareId(id))) {
      throw new Error(`${source}: entry ${JSON.stringify(id)} needs a sha1 or sha256 hex id and a document`);
    }
    documents.set(bareId(id), body);
  }
  return documents;
}

function apolloManifestEntries(manifest: { format: unknown; operations?: unknown }, source: string) {
  if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations)) {
    throw new Error(`${source}: format must be "apollo-persisted-query-manifest" with an operations array`);
  }
  return (manifest.operations as { id?: unknown; body?: unknown }[]).map(
    (operation) => [String(operation.id), operation.body] as const,
  );
}

/** "sha256:ABC…" and "abc…" name the same document. */
function bareId(id: string): string {
  return id.replace(/^(sha256|sha1):/i, '').toLowerCase();
}

interface NamedRequest {
  readonly query?: unknown;
  readonly documentId?: unknown;
  readonly extensions?: { readonly persistedQuery?: { readonly sha256Hash?: unknown } } & Record<string, unknown>;
}

/**
 * The POST body with the named document filled in, or as it is when it carries its own
 * `query` or names none. A name no manifest knows: `operation_not_allowed` when only
 * persisted operations run, otherwise left to Apollo (its automatic persisted queries).
 */
export function withNamedDocument(body: unknown, documents: PersistedDocuments, persistedOnly: boolean): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const request = body as NamedRequest;
  if (request.query !== undefined) return body;
  const { documentId } = request;
  const hash = request.extensions?.persistedQuery?.sha256Hash;
  if (typeof documentId === 'string') {
    const { documentId: _, ...rest } = request;
    return { ...rest, query: lookUp(documents, documentId) };
  }
  if (typeof hash !== 'string') return body;
  const document = documents.get(bareId(hash));
  if (document === undefined) {
    if (persistedOnly) throw notAllowed(hash);
    return body;
  }
  // Apollo would otherwise treat the id as an automatic persisted query and re-hash the text.
  const { persistedQuery: _, ...extensions } = request.extensions ?? {};
  return { ...request, query: document, extensions };
}

/**
 * A GET query string with the named document as `query`: named by `documentId` or by the
 * `extensions` parameter's persisted query (in any encoding of the parameter names).
 */
export function searchWithNamedDocument(search: string, documents: PersistedDocuments, persistedOnly: boolean): string {
  if (search === '') return search;
  const parameters = new URLSearchParams(search);
  if (parameters.has('query')) return search;
  const documentId = parameters.get('documentId');
  if (documentId !== null) {
    parameters.delete('documentId');
    parameters.set('query', lookUp(documents, documentId));
    return `?${parameters.toString()}`;
  }
  const extensions = parameters.get('extensions');
  if (extensions === null) return search;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extensions);
  } catch {
    return search; // Apollo answers malformed JSON in its own words.
  }
  const named = withNamedDocument({ extensions: parsed }, documents, persistedOnly) as {
    query?: string;
    extensions?: unknown;
  };
  if (named.query === undefined) return search;
  parameters.set('query', named.query);
  parameters.set('extensions', JSON.stringify(named.extensions));
  return `?${parameters.toString()}`;
}

function lookUp(documents: PersistedDocuments, documentId: string): string {
  const document = documents.get(bareId(documentId));
  if (document === undefined) throw notAllowed(documentId);
  return document;
}

function notAllowed(id: string): ServiceError {
  return new ServiceError('operation_not_allowed', 'No persisted operation of this service has this id.', {
    id: id.slice(0, 80),
  });
}
