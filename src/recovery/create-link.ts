import {
  admitCreation,
  storeRecoveryFlow,
  type CreateRecoveryFlowRequest,
  type CreationRefusal,
} from './create-flow.js';
import { buildRecoveryLink } from './link.js';
import type { RecoveryServiceDependencies } from './dependencies.js';

export type CreateRecoveryLinkRequest = CreateRecoveryFlowRequest;

export interface CreatedRecoveryLink {
  readonly flowId: string;
  readonly recoveryLink: string;
  readonly expiresAt: Date;
}

/** Every expected outcome of creating a link; callers switch over `kind` exhaustively. */
export type CreateRecoveryLinkOutcome =
  { readonly kind: 'created'; readonly link: CreatedRecoveryLink } | CreationRefusal;

/** The checks and writes are shared with codes (create-flow.ts); a link's secret is its token. */
export async function createRecoveryLink(
  deps: RecoveryServiceDependencies,
  request: CreateRecoveryLinkRequest,
): Promise<CreateRecoveryLinkOutcome> {
  const admission = await admitCreation(deps, request, 'link');
  if (admission.kind !== 'admitted') return admission;
  const { createdAt, expiresAt, returnTo } = admission;
  const flowId = deps.newFlowId();
  const token = deps.generateToken();
  const stored = await storeRecoveryFlow(deps, {
    flowId,
    identityId: request.identityId,
    method: 'link',
    secretHash: deps.hashToken(token),
    createdAt,
    expiresAt,
    returnTo,
    origin: request.origin,
  });
  if (!('stored' in stored)) return stored;
  return {
    kind: 'created',
    link: { flowId, expiresAt, recoveryLink: buildRecoveryLink(deps.linkBaseUrl(), flowId, token) },
  };
}
