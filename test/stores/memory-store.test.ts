import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { DEMO_IDENTITY, MemoryRecoveryStore, openStore } from '../../src/stores/index.js';
import type { Identity } from '../../src/recovery/index.js';
import { describeRecoveryStoreContract } from './recovery-store-contract.js';

describeRecoveryStoreContract('embedded (in-memory)', async () => {
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
    return openStore(parsed.config, silent);
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

  it('refuses a file whose identities are malformed, naming the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identities-')), 'bad.json');
    writeFileSync(file, JSON.stringify([{ id: 'not-a-uuid' }]));
    await expect(open(file)).rejects.toThrow(`EMBEDDED_IDENTITIES_FILE ${file}`);
  });
});
