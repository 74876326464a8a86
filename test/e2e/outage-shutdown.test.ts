import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  TEST_TOKEN_SECRET,
  linkParameters,
  startTestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { startService } from '../support/service-process.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Outages end cleanly, with the database frozen (SIGSTOP: connections stay open and
 * nothing answers, as with a black-holed network) and with it killed (connections
 * refused): requests answer 503 within MONGODB_TIMEOUT, what they reserved from the rate
 * limits is given back, and SIGTERM drains every request in flight before the client
 * closes. This stops its database, so it starts one of its own.
 */
let database: TestDatabase;
let scratch: ScratchDatabase;

beforeAll(async () => {
  database = await startTestDatabase({ local: true });
  scratch = await openScratchDatabase(database.uri);
}, 120_000);

afterAll(async () => {
  // Whatever a failed test left behind: a frozen server would never stop.
  database?.resumeServer();
  await scratch?.drop().catch(() => {});
  await database?.stop();
});

interface Outage {
  readonly name: string;
  /** True when requests wait on the server (frozen), false when they fail at once (killed). */
  readonly holdsRequests: boolean;
  begin(): Promise<void>;
  /** Brings the server back; a no-op when it is up, so `finally` blocks may call it again. */
  end(): Promise<void>;
}

function outage(
  name: string,
  holdsRequests: boolean,
  begin: () => Promise<void> | void,
  end: () => Promise<void> | void,
): Outage {
  let down = false;
  return {
    name,
    holdsRequests,
    async begin() {
      down = true;
      await begin();
    },
    async end() {
      if (!down) return;
      down = false;
      await end();
    },
  };
}

const outages: Outage[] = [
  outage(
    'frozen (SIGSTOP)',
    true,
    () => database.pauseServer(),
    () => database.resumeServer(),
  ),
  outage(
    'killed',
    false,
    () => database.stopServer(),
    () => database.startServer(),
  ),
];

const LIMIT = 4;
const TIMEOUT_MS = 1_000;
/** Driver and scheduling overhead on a shared machine, on top of MONGODB_TIMEOUT. */
const SLACK_MS = 1_500;

describe.each(outages)('with the database $name', (outage) => {
  it('answers 503 within MONGODB_TIMEOUT, and gives back the rate-limit slots of failed requests', async () => {
    const identity = identityFixture();
    await insertIdentity(scratch.db, identity);
    const app = await startTestApp({
      MONGODB_URI: database.uri,
      MONGODB_DB: scratch.name,
      MONGODB_TIMEOUT: `${TIMEOUT_MS}ms`,
      RECOVERY_LINK_RATE_LIMIT: `${LIMIT}/1h`,
      REDEEM_RATE_LIMIT: `${LIMIT}/1h`,
      RECOVERY_LINK_KEEP_OLDER: 'true',
    });
    try {
      const create = () => app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: identity.id } });
      const before = await create();
      expect(before.body.errors).toBeUndefined();
      const link = linkParameters(before.body.data?.createRecoveryLink.recoveryLink);
      const redeem = () => app.graphql(REDEEM_RECOVERY_LINK, { input: link });

      await outage.begin();
      // More failed attempts than the limit allows: had they kept their slots, the
      // identity and this client would be refused once the database is back.
      for (const attempt of [create, redeem]) {
        for (let index = 0; index < LIMIT + 2; index++) {
          const started = Date.now();
          const response = await attempt();
          expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
          expect(response.status).toBe(503);
          expect(response.body.errors?.[0]?.extensions.error.id).toBe('storage_unavailable');
        }
      }
      await outage.end();
      await untilReady(app.url);

      const after = await create();
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data?.createRecoveryLink.recoveryLink).toMatch(/^http/);
      const redeemed = await redeem();
      expect(redeemed.status).toBe(200);
      expect(redeemed.body.data?.redeemRecoveryLink.identityId).toBe(identity.id);
    } finally {
      await outage.end();
      await app.stop();
    }
  }, 90_000);

  it('drains requests in flight on SIGTERM, answers each, and exits 0 within 5s', async () => {
    const identity = identityFixture();
    await insertIdentity(scratch.db, identity);
    // The default MONGODB_TIMEOUT (2s), as deployed.
    const service = await startService({
      MONGODB_URI: database.uri,
      MONGODB_DB: scratch.name,
      ADMIN_API_KEYS: TEST_ADMIN_KEY,
      RECOVERY_TOKEN_SECRET: TEST_TOKEN_SECRET,
      RECOVERY_LINK_KEEP_OLDER: 'true',
      RECOVERY_LINK_RATE_LIMIT: '1000/1h',
    });
    try {
      const create = () => createThrough(service.url, identity.id);
      expect((await create()).status).toBe(200);

      await outage.begin();
      const inFlight = Array.from({ length: 10 }, create);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = once(service.child, 'exit');
      const signalled = Date.now();
      service.child.kill('SIGTERM');
      const [code] = await exited;
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(code).toBe(0);
      // Every one answered, none cut off: each is a 503 storage_unavailable.
      const answers = await Promise.all(inFlight);
      expect(answers.map(({ status }) => status)).toEqual(Array(10).fill(503));
      for (const { body } of answers) expect(body).toContain('storage_unavailable');
      // Answered during the drain, they were told not to send anything more on their
      // connection, which the drain closes. (Only a frozen server is sure to keep all ten
      // in flight until the signal; a killed one may fail some at once, before it.)
      if (outage.holdsRequests) {
        expect(answers.map(({ connection }) => connection)).toEqual(Array(10).fill('close'));
      }
      const errors = service
        .output()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
    } finally {
      service.child.kill('SIGKILL');
      await outage.end();
    }
  }, 60_000);
});

// A killed server refuses connections, so its requests answer 503 at once and nothing
// waits in flight; a frozen one keeps them waiting, which is what a drain must not cut.
describe('with the database frozen, then back during the drain', () => {
  const frozen = outages[0]!;
  it('lets requests in flight finish before the client closes, when the database comes back during the drain', async () => {
    const identity = identityFixture();
    await insertIdentity(scratch.db, identity);
    const service = await startService({
      MONGODB_URI: database.uri,
      MONGODB_DB: scratch.name,
      ADMIN_API_KEYS: TEST_ADMIN_KEY,
      RECOVERY_TOKEN_SECRET: TEST_TOKEN_SECRET,
      RECOVERY_LINK_KEEP_OLDER: 'true',
      RECOVERY_LINK_RATE_LIMIT: '1000/1h',
    });
    try {
      const create = () => createThrough(service.url, identity.id);
      expect((await create()).status).toBe(200);

      await frozen.begin();
      const inFlight = Array.from({ length: 10 }, create);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await frozen.end();
      const [code] = await exited;
      expect(code).toBe(0);
      const answers = await Promise.all(inFlight);
      expect(answers.map(({ status }) => status)).toEqual(Array(10).fill(200));
      for (const { body } of answers) expect(body).toContain('recoveryLink');
      expect(service.output()).not.toMatch(/MongoClientClosedError|"level":(50|60)/);
    } finally {
      service.child.kill('SIGKILL');
      await frozen.end();
    }
  }, 60_000);
});

/** A creation as a client sends it; status 0 when the connection ended without an answer. */
function createThrough(
  url: string,
  identityId: string,
): Promise<{ status: number; body: string; connection: string | null }> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId } } }),
  }).then(
    async (response) => ({
      status: response.status,
      body: await response.text(),
      connection: response.headers.get('connection'),
    }),
    (error: unknown) => ({ status: 0, body: String(error), connection: null }),
  );
}

async function untilReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/health/ready`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the service did not become ready again within 30s');
}
