import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app/app.js';
import { parseConfig } from '../../src/config/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { RecoveryStore } from '../../src/recovery/index.js';
import { openStore } from '../../src/stores/index.js';
import { CREATE_RECOVERY_LINK, TEST_ADMIN_KEY, TEST_TOKEN_SECRET } from '../support/app.js';
import { identityFixture } from '../support/fixtures.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/** Sums recovery_store_commands_total by its labels, from the Prometheus text. */
async function storeCommands(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^recovery_store_commands_total\{command="(\w+)",collection="(\w+)"\} (\d+)$/gm))
    counts.set(`${match[1]} ${match[2]}`, Number(match[3]));
  return counts;
}

describe('recovery_store_commands_total on MongoDB', () => {
  let database: ScratchDatabase;
  let store: RecoveryStore;
  let app: RunningApp;
  const identityId = randomUUID();

  beforeAll(async () => {
    database = await openScratchDatabase();
    await insertIdentity(database.db, identityFixture({ id: identityId }), 'string');
    const parsed = parseConfig({
      PORT: '0',
      MONGODB_URI: database.uri,
      MONGODB_DB: database.name,
      RECOVERY_TOKEN_SECRET: TEST_TOKEN_SECRET,
      ADMIN_API_KEYS: TEST_ADMIN_KEY,
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const logger = pino({ level: 'silent' });
    const metrics = createMetrics();
    store = await openStore(parsed.config.store, parsed.config.retention, logger, metrics);
    app = await startApp(parsed.config, store, logger, metrics);
  });
  afterAll(async () => {
    await app.stop();
    await store.close();
    await database.drop();
  });

  it('counts the commands a creation sends, by command and the store collection they target', async () => {
    const before = await storeCommands(app.url);
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId } } }),
    });
    expect(response.status).toBe(200);
    const after = await storeCommands(app.url);
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

    expect(delta('insert recovery_links_claims')).toBe(1);
    expect(delta('find identities')).toBe(1);
    // Every label value comes from the store's own collections (or other), never from a request.
    const collections = new Set([...after.keys()].map((key) => key.split(' ')[1]));
    for (const collection of collections)
      expect([
        'identities',
        'recovery_links',
        'recovery_links_claims',
        'recovery_links_outstanding',
        'recovery_events',
        'rate_limit_slots',
        'other',
      ]).toContain(collection);
  });
});
