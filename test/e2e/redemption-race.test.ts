import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK, REDEEM_RECOVERY_LINK, linkParameters } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

/**
 * Exactly once, for real: many simultaneous redemptions of one link, spread over two
 * service processes sharing one database, must produce one session and nothing else.
 */
const ATTEMPTS = 120;
const SHARED_SECRETS = {
  RECOVERY_TOKEN_SECRET: 'race-token-secret-with-at-least-32-chars',
  SESSION_SIGNING_KEY: 'race-signing-key-with-at-least-32-chars!',
  ADMIN_API_KEYS: 'race-admin-key-with-at-least-32-characters',
  // All attempts come from one address: the per-client limit is not what is tested here.
  REDEEM_RATE_LIMIT: '1000/1m',
};

async function post(service: ServiceProcess, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SHARED_SECRETS.ADMIN_API_KEYS}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

async function raceRedemptions(services: ServiceProcess[], identityId: string) {
  const created = await post(services[0]!, CREATE_RECOVERY_LINK, { input: { identityId } });
  const input = linkParameters(created.body.data.createRecoveryLink.recoveryLink);
  const attempts = Array.from({ length: ATTEMPTS }, (_, i) =>
    post(services[i % services.length]!, REDEEM_RECOVERY_LINK, { input }),
  );
  return Promise.all(attempts);
}

function expectExactlyOneWinner(results: Awaited<ReturnType<typeof raceRedemptions>>) {
  const winners = results.filter((result) => result.body.data?.redeemRecoveryLink);
  expect(winners).toHaveLength(1);
  const losers = results.filter((result) => !result.body.data?.redeemRecoveryLink);
  expect(losers).toHaveLength(ATTEMPTS - 1);
  // Every loser is told the link is invalid: no internal errors, no second session.
  for (const loser of losers) {
    expect(loser.status).toBe(200);
    expect(loser.body.errors?.[0]?.extensions.error.id).toBe('recovery_link_invalid');
  }
}

describe('concurrent redemption of one link', () => {
  let database: ScratchDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await openScratchDatabase();
    const environment = { ...SHARED_SECRETS, MONGODB_URI: database.uri, MONGODB_DB: database.name };
    services.push(...(await Promise.all([startService(environment), startService(environment)])));
  });

  afterAll(async () => {
    for (const service of services) service.child.kill('SIGKILL');
    await database?.drop();
  });

  it(`succeeds exactly once across ${ATTEMPTS} attempts on two processes sharing the database`, async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    expectExactlyOneWinner(await raceRedemptions(services, identity.id));
  });

  it(`succeeds exactly once across ${ATTEMPTS} attempts on the embedded store`, async () => {
    // The embedded store lives in one process, so the race runs against one process.
    const embedded = await startService({ ...SHARED_SECRETS });
    try {
      expectExactlyOneWinner(await raceRedemptions([embedded], '3fa85f64-5717-4562-b3fc-2c963f66afa6'));
    } finally {
      embedded.child.kill('SIGKILL');
    }
  });
});
