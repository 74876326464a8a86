import type { RecoveryService } from '../recovery/index.js';

/** What every resolver receives: the domain service and the id of this request. */
export interface GraphQLContext {
  readonly requestId: string;
  readonly recovery: RecoveryService;
}
