import { randomUUID } from 'node:crypto';
import type { LinksSection, SessionsSection } from '../config/index.js';
import { RECOVERY_PAGE_PATH } from '../net/paths.js';
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
  links: LinksSection,
  sessions: SessionsSection,
  store: RecoveryServiceDependencies['store'],
  origin: () => URL,
): RecoveryService {
  return new RecoveryService({
    store,
    now: () => new Date(),
    newFlowId: randomUUID,
    generateToken,
    generateCode: generateRecoveryCode,
    hashToken: createTokenHasher(links.tokenSecret),
    issueSession: createSessionIssuer({
      signingKey: sessions.signingKey,
      issuer: () => origin().origin,
      maxAge: sessions.maxAge,
    }),
    linkBaseUrl: () => links.baseUrl ?? new URL(RECOVERY_PAGE_PATH, origin()),
    defaultLifespan: links.defaultLifespan,
    maxLifespan: links.maxLifespan,
    codeLifespan: links.codes.lifespan,
    codeMaxAttempts: links.codes.maxAttempts,
    keepOlderLinks: links.keepOlderLinks,
    createLimitPerIdentity: links.createLimitPerIdentity,
    redeemLimitPerClient: links.redeemLimitPerClient,
    returnToAllowlist: links.returnToAllowlist,
  });
}
