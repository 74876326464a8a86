import type { ApolloServerPlugin } from '@apollo/server';
import { parse, print, type DocumentNode } from 'graphql';
import type { GraphQLContext } from './context.js';
import { ServiceError } from '../errors/index.js';

/**
 * PERSISTED_OPERATIONS_ONLY, judged on the document Apollo parsed and is about to run:
 * whatever the method (POST, GET), the encoding of the parameter names or a cached
 * parse, this hook sees what executes. Documents compare by their canonical printed form
 * (graphql's print), so whitespace and comment variants of an allowed document pass and
 * nothing keys on the exact text. Requests from the router (ROUTER_SECRET) pass: the
 * router enforces its own safelist, and its operations (renamed, `_entities`, `_service`)
 * are never this service's documents.
 */

/** Verdicts per query hash, so a repeated document is printed once; bounded in bytes. */
const SAFELIST_CACHE_MAX_BYTES = 1024 * 1024;
/** What one entry costs besides its key: the boolean, the Map's slot, string headers. */
const ENTRY_OVERHEAD_BYTES = 64;

export class VerdictCache {
  private readonly entries = new Map<string, boolean>();
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes the cache accounts for right now, never above maxBytes. */
  get bytes(): number {
    return this.size;
  }

  get(key: string): boolean | undefined {
    const verdict = this.entries.get(key);
    if (verdict !== undefined) {
      // Least recently used first: a hit moves to the back.
      this.entries.delete(key);
      this.entries.set(key, verdict);
    }
    return verdict;
  }

  set(key: string, verdict: boolean): void {
    const cost = entryBytes(key);
    if (cost > this.maxBytes || this.entries.has(key)) return;
    for (const oldest of this.entries.keys()) {
      if (this.size + cost <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.size -= entryBytes(oldest);
    }
    this.entries.set(key, verdict);
    this.size += cost;
  }
}

function entryBytes(key: string): number {
  return key.length * 2 + ENTRY_OVERHEAD_BYTES;
}

export interface SafelistOptions {
  /** The allowed documents, as written or printed: compared after parse and print. */
  readonly documents: Iterable<string>;
  readonly cache?: VerdictCache;
}

export function persistedOperationsOnly(options: SafelistOptions): ApolloServerPlugin<GraphQLContext> {
  const allowed = new Set<string>();
  for (const text of options.documents) allowed.add(print(parse(text)));
  const verdicts = options.cache ?? new VerdictCache(SAFELIST_CACHE_MAX_BYTES);
  const isAllowed = (queryHash: string | undefined, document: DocumentNode): boolean => {
    const cached = queryHash === undefined ? undefined : verdicts.get(queryHash);
    if (cached !== undefined) return cached;
    const verdict = allowed.has(print(document));
    if (queryHash !== undefined) verdicts.set(queryHash, verdict);
    return verdict;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, queryHash, document }) {
          if (contextValue.viaRouter || isAllowed(queryHash, document)) return;
          const error = new ServiceError(
            'operation_not_allowed',
            'Only the persisted operations of this service may run here.',
          );
          // Apollo applies `extensions.http` of an error a plugin throws to the response: without it, 500.
          throw Object.assign(error, { extensions: { http: { status: 400 } } });
        },
      };
    },
  };
}
