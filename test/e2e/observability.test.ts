import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  TEST_TOKEN_SECRET,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

const SESSION_SIGNING_KEY = 'observability-signing-key-with-32-chars!';

let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name, SESSION_SIGNING_KEY });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function journey() {
  const identity = identityFixture();
  await insertIdentity(database.db, identity);
  const created = await app.graphql(
    CREATE_RECOVERY_LINK,
    { input: { identityId: identity.id } },
    { 'x-request-id': `journey-${randomUUID()}` },
  );
  const link = created.body.data?.createRecoveryLink.recoveryLink as string;
  await fetch(`${app.url}/recovery${new URL(link).search}`);
  const redeemed = await app.graphql(REDEEM_RECOVERY_LINK, { input: linkParameters(link) }, { authorization: '' });
  await app.graphql(REDEEM_RECOVERY_LINK, { input: linkParameters(link) }, { authorization: '' });
  return { created, link, sessionToken: redeemed.body.data?.redeemRecoveryLink.sessionToken as string };
}

describe('logs', () => {
  it('carry a line per request with its id and outcome, and never a token, a session or a key', async () => {
    const { created, link, sessionToken } = await journey();
    const logs = app.logs.join('');
    for (const secret of [
      linkParameters(link).token,
      sessionToken,
      TEST_ADMIN_KEY,
      TEST_TOKEN_SECRET,
      SESSION_SIGNING_KEY,
    ]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(logs).not.toContain(secret);
    }
    const requestId = created.headers.get('x-request-id');
    const lines = app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'graphql request', requestId, operation: 'createRecoveryLink', outcome: 'ok' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'graphql request',
        operation: 'redeemRecoveryLink',
        outcome: 'recovery_link_invalid',
      }),
    );
  });
});

describe('metrics', () => {
  it('count requests, links and failures by error id, with latency, at GET /metrics', async () => {
    await journey();
    const response = await fetch(`${app.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('recovery_links_created_total')).toBeGreaterThanOrEqual(1);
    expect(value('recovery_links_redeemed_total')).toBeGreaterThanOrEqual(1);
    expect(
      value('recovery_link_failures_total{operation="redeemRecoveryLink",error_id="recovery_link_invalid"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(value('graphql_requests_total{operation="createRecoveryLink",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('graphql_request_duration_seconds_bucket{le="0.005",operation="createRecoveryLink"}');
    expect(text).toContain('store_errors_total 0');
    expect(text).toContain('process_resident_memory_bytes');
  });
});
