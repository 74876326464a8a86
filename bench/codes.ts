import { measure, request, type Measurement } from './measure.js';
import { startNode, type Running } from './processes.js';
import type { Settings, StoreUnderTest } from './scenarios.js';

/**
 * Issue 22: createRecoveryCode and redeemRecoveryCode on the service (the ceiling has no
 * codes), as the many-identities rows of links are measured: each redemption takes a
 * fresh code of its own identity, created beforehand, so every one does the full work
 * (count the attempt, compare, claim, revoke the rest, sign the session).
 */
const UNLIMITED = { RECOVERY_LINK_RATE_LIMIT: '999999/1h', REDEEM_RATE_LIMIT: '999999/1m' };
const SERVICE = 'dist/app/main.js';
const CONNECTIONS = [1, 32];

export async function codes(store: StoreUnderTest, settings: Settings): Promise<Measurement[]> {
  const { env, database } = await store.environment('codes');
  const service = await startNode(SERVICE, { ...env, ...UNLIMITED });
  const base = { store: store.name, scenario: 'recovery codes, many identities', target: 'service' as const };
  const results: Measurement[] = [];
  try {
    const creations = store.identities.map((identityId) => ({ identityId, expiresIn: '1h' }));
    for (const connections of CONNECTIONS) {
      results.push(
        await measure(service, {
          ...base,
          phase: 'createRecoveryCode',
          operation: 'createRecoveryCode',
          connections,
          inputs: creations,
          seconds: settings.compareSeconds,
          databasePid: store.databasePid,
        }),
      );
    }
    for (const connections of CONNECTIONS) {
      const inputs = await createCodes(service, store.identities.slice(0, settings.redemptions));
      results.push(
        await measure(service, {
          ...base,
          phase: 'redeemRecoveryCode',
          operation: 'redeemRecoveryCode',
          connections,
          inputs,
          seconds: settings.compareSeconds,
          maxRequests: inputs.length,
          databasePid: store.databasePid,
        }),
      );
    }
  } finally {
    await service.stop();
    await database?.drop();
  }
  return results;
}

/** Codes to redeem, one per identity, created through the service itself. */
async function createCodes(running: Running, identities: readonly string[]): Promise<{ flow: string; code: string }[]> {
  const created: { flow: string; code: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < identities.length) {
      const { path, headers, body } = request('service', 'createRecoveryCode', {
        identityId: identities[next++]!,
        expiresIn: '1h',
      });
      const response = await fetch(`${running.url}${path}`, { method: 'POST', headers, body });
      const answer = (await response.json()) as {
        data?: { createRecoveryCode: { recoveryLink: string; recoveryCode: string } };
      };
      const code = answer.data?.createRecoveryCode;
      if (code === undefined) throw new Error(`could not create a code: ${JSON.stringify(answer)}`);
      created.push({ flow: new URL(code.recoveryLink).searchParams.get('flow')!, code: code.recoveryCode });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return created;
}
