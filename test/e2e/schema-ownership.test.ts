import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { buildASTSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * What the schema declares for a router: which Identity fields another identity subgraph
 * may resolve too, which scopes the admin fields need (as configured), the contracts'
 * tags, and who may read the SDL in production.
 */
const SCHEMA = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
const ACCOUNTS = readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8');
/** A peer that owns identities and resolves their state and traits as well. */
const IDENTITIES_PEER = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@shareable"])
  scalar UUID
  scalar JSONObject
  enum IdentityState { ACTIVE INACTIVE }
  type Identity @key(fields: "id") {
    id: UUID!
    state: IdentityState! @shareable
    traits: JSONObject! @shareable
  }
  type Query { identityById(id: UUID!): Identity }
`;

const compose = (recoverySdl: string) =>
  composeServices([
    { name: 'recovery', url: 'http://recovery/graphql', typeDefs: parse(recoverySdl) },
    { name: 'identities', url: 'http://identities/graphql', typeDefs: parse(IDENTITIES_PEER) },
    { name: 'accounts', url: 'http://accounts/graphql', typeDefs: parse(ACCOUNTS) },
  ]);

describe('the schema, composed beside an identity subgraph that resolves state and traits too', () => {
  it('composes, with the admin scopes, the contract tags and the deprecation in the supergraph', () => {
    const composition = compose(SCHEMA);
    expect(composition.errors ?? []).toEqual([]);
    const supergraph = composition.supergraphSdl ?? '';
    expect(supergraph).toMatch(
      /createRecoveryLink\([^)]*\): RecoveryLink![^\n]*@requiresScopes\(scopes: \[\["recovery:write"\]\]\)/s,
    );
    expect(supergraph).toMatch(/activeRecoveryLinks: Int![^\n]*@requiresScopes/);
    expect(supergraph).toMatch(/redeemRecoveryLink\([^)]*\): RecoveryRedemption![^\n]*@tag\(name: "public"\)/s);
    expect(supergraph).not.toMatch(/redeemRecoveryLink\([^)]*\): RecoveryRedemption![^\n]*@requiresScopes/s);
    const rateLimited = buildASTSchema(parse(supergraph), { assumeValidSDL: true })
      .getType('RecoveryEventType')
      ?.toConfig() as { values: Record<string, { deprecationReason?: string }> };
    expect(rateLimited.values.RATE_LIMITED?.deprecationReason).toMatch(/No longer recorded/);
  });

  it('fails without @shareable, as it did before (INVALID_FIELD_SHARING)', () => {
    const composition = compose(SCHEMA.replaceAll(' @shareable', ''));
    expect(
      composition.errors?.map((error) => (error as { extensions?: { code?: string } }).extensions?.code),
    ).toContain('INVALID_FIELD_SHARING');
  });
});

describe('the SDL the service serves', () => {
  it('names the configured AUTH_ADMIN_SCOPE in every @requiresScopes', async () => {
    const app = await startTestApp({ AUTH_ADMIN_SCOPE: 'iam:admin' });
    try {
      const { body } = await app.graphql('{ _service { sdl } }');
      const sdl = body.data?._service.sdl as string;
      expect(sdl.match(/@requiresScopes\(scopes: \[\["iam:admin"\]\]\)/g)).toHaveLength(6);
      expect(sdl).not.toContain('recovery:write');
      expect(compose(sdl).errors ?? []).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  describe('with NODE_ENV=production', () => {
    let scratch: ScratchDatabase;
    const ROUTER_SECRET = 'router-secret-of-at-least-32-characters';

    beforeAll(async () => {
      scratch = await openScratchDatabase();
    });
    afterAll(() => scratch?.drop());

    const production = (environment: Record<string, string> = {}) =>
      startTestApp({
        MONGODB_URI: scratch.uri,
        MONGODB_DB: scratch.name,
        NODE_ENV: 'production',
        SESSION_SIGNING_KEY: 'p'.repeat(32),
        PUBLIC_BASE_URL: 'https://id.example.com',
        ...environment,
      });
    const SERVICE = '{ _service { sdl } }';

    it('answers _service only to admins', async () => {
      const app = await production();
      try {
        const anonymous = await app.graphql(SERVICE, {}, { authorization: '' });
        expect(anonymous.body.data ?? null).toBeNull();
        expect(anonymous.body.errors?.[0]?.extensions.error.id).toBe('unauthenticated');
        const admin = await app.graphql(SERVICE);
        expect(admin.body.data?._service.sdl).toContain('type Identity');
      } finally {
        await app.stop();
      }
    });

    it('answers _service to the router without an admin credential (rover subgraph introspect with the secret)', async () => {
      const app = await production({ ROUTER_SECRET });
      try {
        const { body } = await app.graphql(SERVICE, {}, { 'router-authorization': ROUTER_SECRET, authorization: '' });
        expect(body.errors).toBeUndefined();
        expect(body.data?._service.sdl).toContain('type Identity');
      } finally {
        await app.stop();
      }
    });
  });
});
