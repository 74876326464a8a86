import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import { ServiceError } from '../graphql/errors.js';

/**
 * PERSISTED_OPERATIONS_ONLY: only the operations of operations/persisted-operations.json
 * run, sent either by id (Apollo's `extensions.persistedQuery.sha256Hash`) or as the
 * document itself. Anything else is refused before GraphQL sees it: a stolen admin key
 * then cannot run arbitrary documents, only the application's own operations.
 */
const OPERATIONS_DIRECTORY = new URL('../../operations/', import.meta.url);
const MANIFEST_PATH = new URL('persisted-operations.json', OPERATIONS_DIRECTORY);
/** Normalised documents seen, so each distinct text is parsed once (bounded). */
const MAX_REMEMBERED = 1_000;

interface Manifest {
  readonly operations: readonly { readonly id: string; readonly body: string }[];
}

function readManifest(): Manifest {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;
}

export type PersistedOperationsGate = (body: unknown) => unknown;

export function loadPersistedOperations(): PersistedOperationsGate {
  const manifest = readManifest();
  const bodyById = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const allowedBodies = new Set(bodyById.values());
  const verdicts = new Map<string, boolean>();

  const isAllowedDocument = (query: string): boolean => {
    let allowed = verdicts.get(query);
    if (allowed === undefined) {
      try {
        allowed = allowedBodies.has(print(parse(query)));
      } catch {
        allowed = false;
      }
      if (verdicts.size < MAX_REMEMBERED) verdicts.set(query, allowed);
    }
    return allowed;
  };

  /** The body to execute (the document filled in for an id), or throws operation_not_allowed. */
  return (body) => {
    const request = (typeof body === 'object' && body !== null ? body : {}) as {
      query?: unknown;
      extensions?: { persistedQuery?: { sha256Hash?: unknown } };
    };
    const id = request.extensions?.persistedQuery?.sha256Hash;
    if (typeof request.query === 'string') {
      if (isAllowedDocument(request.query)) return body;
    } else if (typeof id === 'string' && bodyById.has(id)) {
      const { persistedQuery: _, ...extensions } = request.extensions ?? {};
      return { ...request, query: bodyById.get(id), extensions };
    }
    throw new ServiceError('operation_not_allowed', 'Only the persisted operations of this service may run here.', {
      ...(typeof id === 'string' ? { id } : {}),
    });
  };
}
