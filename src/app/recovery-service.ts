import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { RECOVERY_PAGE_PATH } from '../http/paths.js';
import {
  RecoveryService,
  createSessionIssuer,
  createTokenHasher,
  generateRecoveryCode,
  generateToken,
  type RecoveryServiceDependencies,
} from '../recovery/index.js';

/** The recovery service as configured; shared with the benchmark's ceiling so both do the same work. */
export function createRecoveryService(
  config: Config,
  store: RecoveryServiceDependencies['store'],
  origin: () => URL,
): RecoveryService {
  return new RecoveryService({
    store,
    now: () => new Date(),
    newFlowId: randomUUID,
    generateToken,
    generateCode: generateRecoveryCode,
    hashToken: createTokenHasher(config.tokenSecret),
    issueSession: createSessionIssuer({
      signingKey: config.sessionSigningKey,
      issuer: () => origin().origin,
      maxAge: config.sessionMaxAge,
    }),
    linkBaseUrl: () => config.recoveryLinkBaseUrl ?? new URL(RECOVERY_PAGE_PATH, origin()),
    defaultLifespan: config.defaultLifespan,
    maxLifespan: config.maxLifespan,
    codeLifespan: config.codeLifespan,
    codeMaxAttempts: config.codeMaxAttempts,
    keepOlderLinks: config.keepOlderLinks,
    createLimitPerIdentity: config.createLimitPerIdentity,
    redeemLimitPerClient: config.redeemLimitPerClient,
    returnToAllowlist: config.returnToAllowlist,
  });
}
