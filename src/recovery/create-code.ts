import { hashRecoveryCode } from './code.js';
import {
  admitCreation,
  storeRecoveryFlow,
  type CreateRecoveryFlowRequest,
  type CreationRefusal,
} from './create-flow.js';
import { buildRecoveryFlowLink } from './link.js';
import type { RecoveryServiceDependencies } from './dependencies.js';

export type CreateRecoveryCodeRequest = CreateRecoveryFlowRequest;

export interface CreatedRecoveryCode {
  readonly flowId: string;
  /** `<base>?flow=<id>`: no secret, so opening it (a mail scanner, say) uses nothing up. */
  readonly recoveryLink: string;
  /** Returned once; only its HMAC is stored. */
  readonly recoveryCode: string;
  readonly expiresAt: Date;
}

/** Every expected outcome of creating a code; the refusals are those of links. */
export type CreateRecoveryCodeOutcome =
  { readonly kind: 'created'; readonly code: CreatedRecoveryCode } | CreationRefusal;

/**
 * A code flow is a link flow whose secret is a short code instead of a token: the same
 * checks, rate limit, outstanding set and writes (create-flow.ts), so a new code revokes
 * older links and codes alike.
 */
export async function createRecoveryCode(
  deps: RecoveryServiceDependencies,
  request: CreateRecoveryCodeRequest,
): Promise<CreateRecoveryCodeOutcome> {
  const admission = await admitCreation(deps, request, 'code');
  if (admission.kind !== 'admitted') return admission;
  const { createdAt, expiresAt, returnTo } = admission;
  const flowId = deps.newFlowId();
  const recoveryCode = deps.generateCode();
  const stored = await storeRecoveryFlow(deps, {
    flowId,
    identityId: request.identityId,
    method: 'code',
    secretHash: hashRecoveryCode(deps.hashToken, flowId, recoveryCode),
    createdAt,
    expiresAt,
    returnTo,
    origin: request.origin,
  });
  if (!('stored' in stored)) return stored;
  return {
    kind: 'created',
    code: { flowId, expiresAt, recoveryCode, recoveryLink: buildRecoveryFlowLink(deps.linkBaseUrl(), flowId) },
  };
}
