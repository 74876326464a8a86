import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildASTSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK } from '../support/app.js';
import { STORES, startRecoveryOn, type RecoveryOnStore } from './gateway-support.js';
import { MemoryRecoveryStore } from '../../src/stores/index.js';

const ENTITIES =
  'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Identity { id state activeRecoveryLinks } } }';
const ACTIVE_LINKS =
  'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Identity { activeRecoveryLinks } } }';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const MAX_REPRESENTATIONS = 50;

describe.each(STORES)('the Federation 2 subgraph on the %s store', (store) => {
  const identities = Array.from({ length: 5 }, () => identityFixture());
  let recovery: RecoveryOnStore;

  beforeAll(async () => {
    recovery = await startRecoveryOn(store, identities, {
      ENTITIES_MAX_REPRESENTATIONS: String(MAX_REPRESENTATIONS),
    });
    await recovery.app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: identities[0]!.id } });
  });

  afterAll(async () => {
    await recovery?.stop();
  });

  const entities = (representations: unknown[], headers?: Record<string, string>) =>
    recovery.app.graphql(ENTITIES, { representations }, headers);

  it('publishes its SDL with the federation link and the Identity key', async () => {
    const { body } = await recovery.app.graphql('{ _service { sdl } }');
    const sdl = body.data?._service.sdl as string;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.11"');
    expect(sdl).toMatch(/type Identity\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('createRecoveryLink(');
  });

  it('resolves N Identity references, and their active link counts, with one batched store call each', async () => {
    const batch = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
    const counts = vi.spyOn(recovery.storeClass.prototype, 'countOutstandingRecoveryLinks');
    const single = vi.spyOn(recovery.storeClass.prototype, 'findIdentity');
    try {
      const { body } = await entities([
        ...identities.map(({ id }) => ({ __typename: 'Identity', id })),
        { __typename: 'Identity', id: UNKNOWN_ID },
      ]);
      // The unknown identity's state cannot be known: a named error at its path, not a crash.
      expect(body.errors?.map(({ path, extensions }) => ({ path, id: extensions.error.id }))).toEqual([
        { path: ['_entities', 5, 'state'], id: 'identity_not_found' },
      ]);
      expect(body.data?._entities).toEqual([
        ...identities.map(({ id }, i) => ({ id, state: 'ACTIVE', activeRecoveryLinks: i === 0 ? 1 : 0 })),
        null,
      ]);
      expect(counts).toHaveBeenCalledTimes(1);
      expect(batch).toHaveBeenCalledTimes(1);
      expect(batch.mock.calls[0]?.[0]).toHaveLength(6);
      // The resolvers never ask one by one; a store may answer a batch with one key-value
      // lookup per id (the MongoDB store does: FerretDB scans for $in).
      expect(single.mock.calls.length).toBeLessThanOrEqual(recovery.storeClass === MemoryRecoveryStore ? 0 : 6);
    } finally {
      batch.mockRestore();
      single.mockRestore();
      counts.mockRestore();
    }
  });

  it('resolves an upper-case id to the identity, answered in lower case', async () => {
    const { id } = identities[1]!;
    const { body } = await entities([{ __typename: 'Identity', id: id.toUpperCase() }]);
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toEqual([{ id, state: 'ACTIVE', activeRecoveryLinks: 0 }]);
  });

  it('answers an unknown identity as an entity with no active links and nothing recorded', async () => {
    const { body } = await recovery.app.graphql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Identity { activeRecoveryLinks schemaId createdAt updatedAt } } }',
      { r: [{ __typename: 'Identity', id: UNKNOWN_ID }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toEqual([
      { activeRecoveryLinks: 0, schemaId: null, createdAt: null, updatedAt: null },
    ]);
  });

  it('answers a missing, malformed or non-UUID id as an unknown identity, for that representation only', async () => {
    const batch = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
    try {
      const { body } = await recovery.app.graphql(ACTIVE_LINKS, {
        representations: [
          { __typename: 'Identity', id: identities[0]!.id },
          { __typename: 'Identity' },
          { __typename: 'Identity', id: 'not-a-uuid' },
          { __typename: 'Identity', id: 42 },
          { __typename: 'Identity', id: { $ne: null } },
          { __typename: 'Identity', id: `${identities[1]!.id}0` },
          { __typename: 'Identity', id: identities[1]!.id },
        ],
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities).toEqual([
        { activeRecoveryLinks: 1 },
        ...Array(5).fill({ activeRecoveryLinks: 0 }),
        { activeRecoveryLinks: 0 },
      ]);
      // Only the two valid ids reach the store.
      expect(batch.mock.calls.map(([ids]) => [...ids].sort())).toEqual([[identities[0]!.id, identities[1]!.id].sort()]);
    } finally {
      batch.mockRestore();
    }
  });

  it('answers an unknown __typename with one client error, and logs no stack', async () => {
    const logged = recovery.app.logs.length;
    const { body } = await entities([
      { __typename: 'Identity', id: identities[0]!.id },
      { __typename: 'Account', id: identities[0]!.id },
      { id: identities[0]!.id },
    ]);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions.error).toMatchObject({
      code: 400,
      id: 'invalid_input',
      reason: 'representations[1]: __typename must name an entity of this subgraph (Identity)',
      details: { field: 'representations[1].__typename' },
    });
    const newLogs = recovery.app.logs.slice(logged).join('');
    expect(newLogs).not.toContain('"stack"');
    expect(newLogs).not.toContain('unexpected error');
  });

  it(`refuses more than ENTITIES_MAX_REPRESENTATIONS (${MAX_REPRESENTATIONS}) with one error`, async () => {
    const batch = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
    try {
      const representation = { __typename: 'Identity', id: identities[0]!.id };
      const atLimit = await entities(Array.from({ length: MAX_REPRESENTATIONS }, () => representation));
      expect(atLimit.body.errors).toBeUndefined();
      expect(atLimit.body.data?._entities).toHaveLength(MAX_REPRESENTATIONS);

      batch.mockClear();
      const above = await entities(Array.from({ length: MAX_REPRESENTATIONS + 1 }, () => representation));
      expect(above.body.data).toBeNull();
      expect(above.body.errors).toHaveLength(1);
      expect(above.body.errors?.[0]?.extensions.error).toMatchObject({
        code: 400,
        id: 'invalid_input',
        reason: `representations: at most ${MAX_REPRESENTATIONS} per request across all _entities fields, got ${MAX_REPRESENTATIONS + 1}`,
        details: { field: 'representations', limit: MAX_REPRESENTATIONS, received: MAX_REPRESENTATIONS + 1 },
      });
      expect(batch).not.toHaveBeenCalled();
    } finally {
      batch.mockRestore();
    }
  });

  it('counts ENTITIES_MAX_REPRESENTATIONS over the whole request: aliases cannot multiply it', async () => {
    const batch = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
    try {
      const aliases = 15;
      const fields = Array.from(
        { length: aliases },
        (_, i) => `e${i}: _entities(representations: $representations) { ... on Identity { id } }`,
      );
      const documentOf = (selected: string[]) => `query($representations: [_Any!]!) { ${selected.join(' ')} }`;
      const representations = Array.from({ length: MAX_REPRESENTATIONS }, (_, i) => ({
        __typename: 'Identity',
        id: identities[i % identities.length]!.id,
      }));
      const within = await recovery.app.graphql(documentOf(fields.slice(0, 1)), { representations });
      expect(within.body.data?.e0).toHaveLength(MAX_REPRESENTATIONS);
      batch.mockClear();
      const { body } = await recovery.app.graphql(documentOf(fields), { representations });
      // The first field takes the whole allowance and the second fails; _entities is non-null,
      // so graphql-js answers that one error and no data: small, whatever was asked.
      expect(body.data).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(JSON.stringify(body).length).toBeLessThan(aliases * 1_000);
      expect(body.errors?.[0]?.extensions.error).toMatchObject({
        id: 'invalid_input',
        details: { limit: MAX_REPRESENTATIONS, received: 2 * MAX_REPRESENTATIONS },
      });
      // The store saw one request's allowance, not fifteen.
      const looked = batch.mock.calls.reduce((sum, [ids]) => sum + new Set(ids).size, 0);
      expect(looked).toBeLessThanOrEqual(identities.length);
    } finally {
      batch.mockRestore();
    }
  });

  it('answers an unauthenticated batch with one UNAUTHENTICATED error, not one per representation', async () => {
    const batch = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
    try {
      const representations = Array.from({ length: MAX_REPRESENTATIONS }, () => ({
        __typename: 'Identity',
        id: identities[0]!.id,
      }));
      const { body } = await entities(representations, { authorization: '' });
      expect(body.data).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.extensions.error.id).toBe('unauthenticated');
      expect(batch).not.toHaveBeenCalled();
    } finally {
      batch.mockRestore();
    }
  });

  it('composes into a supergraph with the accounts example subgraph, which owns Identity.email', async () => {
    const { body } = await recovery.app.graphql('{ _service { sdl } }');
    const composition = composeServices([
      { name: 'recovery', url: 'http://recovery/graphql', typeDefs: parse(body.data?._service.sdl) },
      {
        name: 'accounts',
        url: 'http://accounts/graphql',
        typeDefs: parse(readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8')),
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

describe('npm run supergraph', () => {
  it('composes supergraph.yaml offline into a supergraph with both subgraphs at their routing URLs', () => {
    const directory = mkdtempSync(join(tmpdir(), 'supergraph-'));
    try {
      const output = join(directory, 'supergraph.graphql');
      execFileSync(process.execPath, ['tools/supergraph.mjs', 'supergraph.yaml', output], {
        cwd: new URL('../../', import.meta.url),
        stdio: 'pipe',
      });
      const supergraph = readFileSync(output, 'utf8');
      expect(supergraph).toContain('RECOVERY @join__graph(name: "recovery", url: "http://localhost:4000/graphql")');
      expect(supergraph).toContain('ACCOUNTS @join__graph(name: "accounts", url: "http://localhost:4001/graphql")');
      expect(buildASTSchema(parse(supergraph)).getQueryType()?.getFields()).toHaveProperty('identityByEmail');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('leaves out the authorization directives with --without-authorization, for Apollo Gateway', () => {
    const directory = mkdtempSync(join(tmpdir(), 'supergraph-'));
    try {
      const compose = (...flags: string[]) => {
        const output = join(directory, `supergraph${flags.length}.graphql`);
        execFileSync(process.execPath, ['tools/supergraph.mjs', 'supergraph.yaml', output, ...flags], {
          cwd: new URL('../../', import.meta.url),
          stdio: 'pipe',
        });
        return readFileSync(output, 'utf8');
      };
      expect(compose()).toContain('@requiresScopes(scopes: [["recovery:write"]])');
      const without = compose('--without-authorization');
      expect(without).not.toContain('requiresScopes');
      expect(without).toContain('@tag(name: "public")');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
