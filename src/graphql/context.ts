import type { Principal } from '../auth/index.js';
import type DataLoader from 'dataloader';
import type { Identity, RecoveryService } from '../recovery/index.js';

/** What every resolver receives: the domain service and the id of this request. */
export interface GraphQLContext {
  readonly requestId: string;
  /**
   * The client's address: the TCP peer, or what a trusted proxy forwarded (TRUSTED_PROXIES);
   * never a forwarded header from anyone else, which clients can forge.
   */
  readonly clientAddress: string | null;
  /** The request carries ROUTER_SECRET: it comes from the router, which has its own safelist. */
  readonly viaRouter: boolean;
  readonly recovery: RecoveryService;
  /** Identities of this request, loaded in one batch (a router resolves entities many at a time). */
  readonly identities: DataLoader<string, Identity | null>;
  /** Active link counts of this request's identities, loaded in one batch. */
  readonly activeLinkCounts: DataLoader<string, number>;
  /**
   * Resolves to the caller of an admin operation, or throws `unauthenticated` (401) or
   * `forbidden` (403). Admin resolvers call it first; public ones never do, so a stray
   * Authorization header cannot break redemption.
   */
  readonly requireAdmin: () => Promise<Principal>;
}
