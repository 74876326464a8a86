import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { DEMO_IDENTITY, MemoryRecoveryStore, openStore } from '../../src/stores/index.js';
import { MEMORY_STORE_CAPS } from '../../src/stores/memory/index.js';
import type { Identity } from '../../src/recovery/index.js';
import { linkFixture } from '../support/fixtures.js';
import {
  describeRecoveryCodeContract,
  describeRecoveryStoreContract,
  describeReturnToStoreContract,
  type StoreUnderTest,
} from './contract/index.js';

const openEmbedded = async (): Promise<StoreUnderTest> => {
  const identities: Identity[] = [];
  let store = new MemoryRecoveryStore();
  return {
    get store() {
      return store;
    },
    // The embedded store takes its identities at construction, as `npm start` does.
    async seedIdentity(identity) {
      identities.push(identity);
      store = new MemoryRecoveryStore(identities);
    },
    dispose: () => store.close(),
  };
};
describeRecoveryStoreContract('embedded (in-memory)', openEmbedded);
describeReturnToStoreContract('embedded (in-memory)', openEmbedded);

describeRecoveryCodeContract('embedded (in-memory)', async () => {
  const identities: Identity[] = [];
  let store = new MemoryRecoveryStore();
  return {
    get store() {
      return store;
    },
    // The embedded store takes its identities at construction, as `npm start` does.
    async seedIdentity(identity) {
      identities.push(identity);
      store = new MemoryRecoveryStore(identities);
    },
    dispose: () => store.close(),
  };
});

describe('the embedded store opened from configuration', () => {
  const silent = pino({ level: 'silent' });
  const open = (file?: string) => {
    const parsed = parseConfig(file === undefined ? {} : { EMBEDDED_IDENTITIES_FILE: file });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    return openStore(parsed.config.store, parsed.config.retention, silent);
  };

  it('holds the demo identity, plus those of EMBEDDED_IDENTITIES_FILE', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identities-')), 'identities.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: '7D444840-9DC0-11D1-B245-5FFDCE74FAD2', traits: { email: 'x@example.com' } },
        { id: '0b1e6a6e-1f0e-4b7c-9d1a-2f3e4d5c6b7a', state: 'inactive' },
      ]),
    );
    const store = await open(file);
    expect(await store.findIdentity(DEMO_IDENTITY.id)).toEqual(DEMO_IDENTITY);
    expect(await store.findIdentity('7d444840-9dc0-11d1-b245-5ffdce74fad2')).toMatchObject({
      state: 'active',
      traits: { email: 'x@example.com' },
    });
    expect((await store.findIdentity('0b1e6a6e-1f0e-4b7c-9d1a-2f3e4d5c6b7a'))?.state).toBe('inactive');
    expect(await (await open()).findIdentity('7d444840-9dc0-11d1-b245-5ffdce74fad2')).toBeNull();
  });

  it('loads examples/identities.json, the example the docs name', async () => {
    const store = await open(fileURLToPath(new URL('../../examples/identities.json', import.meta.url)));
    expect((await store.findIdentity('5b2f3c1a-7e4d-4a9b-8c6f-1d2e3f4a5b6c'))?.traits).toMatchObject({
      email: 'ada@example.com',
    });
    expect((await store.findIdentity('e1d2c3b4-a5f6-4789-9abc-def012345678'))?.state).toBe('inactive');
  });

  it('refuses a file whose identities are malformed, naming the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identities-')), 'bad.json');
    writeFileSync(file, JSON.stringify([{ id: 'not-a-uuid' }]));
    await expect(open(file)).rejects.toThrow(`EMBEDDED_IDENTITIES_FILE ${file}`);
  });
});

describe('the embedded store under a flood', () => {
  it('keeps at most its cap of links, forgetting the oldest and their audit entries', async () => {
    const store = new MemoryRecoveryStore();
    const identityId = randomUUID();
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    const link = (i: number) => ({
      ...linkFixture({ identityId, createdAt, expiresAt: new Date(createdAt.getTime() + 3_600_000) }),
      flowId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    });
    for (let i = 0; i < MEMORY_STORE_CAPS.links + 10; i++) await store.insertRecoveryLink(link(i));
    expect(await store.findRecoveryLink(link(0).flowId)).toBeNull();
    expect(await store.findRecoveryLink(link(10).flowId)).not.toBeNull();
    expect(await store.findRecoveryLink(link(MEMORY_STORE_CAPS.links + 9).flowId)).not.toBeNull();
    const trail = await store.listEvents(identityId, MEMORY_STORE_CAPS.links + 100);
    expect(trail).toHaveLength(MEMORY_STORE_CAPS.links);
  });

  it('keeps at most its cap of failure entries, however many clients fail', async () => {
    const store = new MemoryRecoveryStore();
    const identityId = randomUUID();
    for (let i = 0; i < MEMORY_STORE_CAPS.failures + 500; i++) {
      await store.recordFailure({
        type: 'failed',
        method: 'link',
        identityId,
        flowId: null,
        errorId: 'recovery_link_invalid',
        actor: null,
        requestId: `r${i}`,
        clientAddress: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        at: new Date('2026-01-01T00:00:00.000Z'),
        count: 1,
      });
    }
    expect(await store.listEvents(identityId, MEMORY_STORE_CAPS.failures * 2)).toHaveLength(MEMORY_STORE_CAPS.failures);
  });

  it('never resets a live rate-limit window, however many new keys arrive: new keys are refused instead', async () => {
    const store = new MemoryRecoveryStore();
    const now = new Date('2026-01-01T00:00:30.000Z');
    const limit = { limit: 2, windowMilliseconds: 60_000, text: '2/1m' };
    const creation = { limit: 1, windowMilliseconds: 3_600_000, text: '1/1h' };
    // The victim's creation limit is spent, and one client has used its redemptions.
    expect(await store.consumeRateLimit('create_per_identity', 'victim', creation, now)).toEqual({ allowed: true });
    for (let i = 0; i < 2; i++) await store.consumeRateLimit('redeem_per_client', 'guesser', limit, now);
    // 10,001 and more addresses, each with a fresh window.
    let refused = 0;
    for (let i = 0; i < MEMORY_STORE_CAPS.rateWindows + 10; i++) {
      const decision = await store.consumeRateLimit('redeem_per_client', `10.0.${i >> 8}.${i & 255}`, limit, now);
      if (!decision.allowed) refused++;
    }
    expect(refused).toBe(11);
    expect(await store.consumeRateLimit('redeem_per_client', 'guesser', limit, now)).toMatchObject({ allowed: false });
    expect(await store.consumeRateLimit('create_per_identity', 'victim', creation, now)).toMatchObject({
      allowed: false,
    });
    // Another bucket's table is not full: a new identity can still get a link.
    expect(await store.consumeRateLimit('create_per_identity', 'someone', creation, now)).toEqual({ allowed: true });
    // Once the windows end, new keys are admitted again.
    const later = new Date(now.getTime() + 60_000);
    expect(await store.consumeRateLimit('redeem_per_client', 'newcomer', limit, later)).toEqual({ allowed: true });
  });
});
