import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MongoRecoveryStore } from '../../src/stores/index.js';
import { identityFixture } from '../stores/recovery-store-contract.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

const ENTITIES =
  'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Identity { id state activeRecoveryLinks } } }';

let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe('the Federation 2 subgraph', () => {
  it('publishes its SDL with the federation link and the Identity key', async () => {
    const { body } = await app.graphql('{ _service { sdl } }');
    const sdl = body.data?._service.sdl as string;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.11"');
    expect(sdl).toMatch(/type Identity\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('createRecoveryLink(');
  });

  it('resolves N Identity references, and their active link counts, with one batched store call each', async () => {
    const identities = Array.from({ length: 5 }, () => identityFixture());
    for (const identity of identities) await insertIdentity(database.db, identity);
    await app.graphql(
      'mutation($input: CreateRecoveryLinkInput!) { createRecoveryLink(input: $input) { expiresAt } }',
      {
        input: { identityId: identities[0]!.id },
      },
    );
    const batch = vi.spyOn(MongoRecoveryStore.prototype, 'findIdentities');
    const counts = vi.spyOn(MongoRecoveryStore.prototype, 'countOutstandingRecoveryLinks');
    const single = vi.spyOn(MongoRecoveryStore.prototype, 'findIdentity');
    try {
      const representations = [
        ...identities.map(({ id }) => ({ __typename: 'Identity', id })),
        { __typename: 'Identity', id: '00000000-0000-4000-8000-000000000000' },
      ];
      const { body } = await app.graphql(ENTITIES, { representations });
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities).toEqual([
        ...identities.map(({ id }, i) => ({ id, state: 'ACTIVE', activeRecoveryLinks: i === 0 ? 1 : 0 })),
        null,
      ]);
      expect(counts).toHaveBeenCalledTimes(1);
      expect(batch).toHaveBeenCalledTimes(1);
      expect(batch.mock.calls[0]?.[0]).toHaveLength(6);
      // The batch asks by _id, one key-value lookup per reference (FerretDB scans for $in).
      expect(single).toHaveBeenCalledTimes(6);
    } finally {
      batch.mockRestore();
      single.mockRestore();
      counts.mockRestore();
    }
  });

  it('resolves references only for admins, as the identity query does', async () => {
    const { body } = await app.graphql(
      ENTITIES,
      { representations: [{ __typename: 'Identity', id: '00000000-0000-4000-8000-000000000000' }] },
      { authorization: '' },
    );
    expect(body.errors?.[0]?.extensions.error.id).toBe('unauthenticated');
  });

  it('composes into a supergraph with a subgraph that owns Identity.email', async () => {
    const { body } = await app.graphql('{ _service { sdl } }');
    const composition = composeServices([
      { name: 'recovery', url: 'http://recovery/graphql', typeDefs: parse(body.data?._service.sdl) },
      {
        name: 'email',
        url: 'http://email/graphql',
        typeDefs: parse(readFileSync(new URL('../federation/email-subgraph.graphql', import.meta.url), 'utf8')),
      },
    ]);
    expect(composition.errors ?? []).toEqual([]);
    // Hints flag inconsistencies between subgraphs (descriptions, nullability): none expected.
    expect((composition.hints ?? []).map((hint) => hint.message)).toEqual([]);
    const supergraph = composition.supergraphSdl ?? '';
    expect(supergraph).toMatch(/type Identity[^{]*\{[^}]*email: String!/s);
    expect(supergraph).toMatch(/type Identity[^{]*\{[^}]*state: IdentityState!/s);
  });
});
