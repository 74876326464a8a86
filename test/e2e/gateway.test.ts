import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAccountsSubgraph } from '../../examples/accounts/server.mjs';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_CODE,
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_CODE,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  linkParameters,
} from '../support/app.js';
import {
  GATEWAYS,
  STORES,
  startGateway,
  startRecoveryOn,
  type RecoveryOnStore,
  type RunningGateway,
} from './gateway-support.js';

/**
 * A real supergraph on loopback, as teams run it: each JavaScript gateway in front of this
 * subgraph (on each store) and the accounts example subgraph, which owns Identity.email.
 * The subgraph answers only its router (ROUTER_SECRET) and takes the client address from
 * X-Forwarded-For, which each gateway extends with the address it saw (TRUSTED_PROXIES:
 * loopback, where the gateway and the test's "load balancer" run).
 */
const ROUTER_SECRET = 'gateway-router-secret-of-32-characters';
const REDEEM_LIMIT = 3;

// Nothing a gateway or Apollo Server does here may reach beyond loopback.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const ADMIN = `Bearer ${TEST_ADMIN_KEY}`;
const JOIN = 'query($email: String!) { identityByEmail(email: $email) { id email activeRecoveryLinks } }';

describe.each(GATEWAYS.flatMap((gateway) => STORES.map((store) => [gateway, store] as const)))(
  'a supergraph through %s, with the recovery subgraph on the %s store',
  (gatewayKind, store) => {
    const ada = identityFixture({ traits: { email: 'ada@example.com' } });
    const grace = identityFixture({ traits: { email: 'grace@example.com' } });
    // The batch: 2 known identities, 49 unknown UUIDs and 49 ids that are no UUID at all.
    const batch = [
      { id: ada.id, email: 'ada@example.com' },
      ...Array.from({ length: 49 }, (_, i) => ({ id: randomUUID(), email: `unknown${i}@example.com` })),
      ...Array.from({ length: 49 }, (_, i) => ({ id: `not-a-uuid-${i}`, email: `malformed${i}@example.com` })),
      { id: grace.id, email: 'grace@example.com' },
    ];
    let recovery: RecoveryOnStore;
    let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
    let gateway: RunningGateway;

    beforeAll(async () => {
      recovery = await startRecoveryOn(store, [ada, grace], {
        ROUTER_SECRET,
        TRUSTED_PROXIES: '127.0.0.1, ::1',
        REDEEM_RATE_LIMIT: `${REDEEM_LIMIT}/1m`,
      });
      accounts = await startAccountsSubgraph({ accounts: batch });
      gateway = await startGateway(
        gatewayKind,
        [
          {
            name: 'recovery',
            url: `${recovery.app.url}/graphql`,
            sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
          },
          {
            name: 'accounts',
            url: accounts.url,
            sdl: readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8'),
          },
        ],
        { routerSecret: ROUTER_SECRET },
      );
    });

    afterAll(async () => {
      await gateway?.stop();
      await accounts?.stop();
      await recovery?.stop();
    });

    async function throughGateway(
      query: string,
      variables: Record<string, unknown>,
      authorization?: string,
      forwardedFor?: string,
    ) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
    }

    it('creates a recovery link with the bearer forwarded to the subgraph', async () => {
      const created = await throughGateway(CREATE_RECOVERY_LINK, { input: { identityId: ada.id } }, ADMIN);
      expect(created.errors).toBeUndefined();
      expect(created.data.createRecoveryLink.recoveryLink).toContain('flow=');
    });

    it('refuses an unauthenticated create with UNAUTHENTICATED and the errorGeneric', async () => {
      const anonymous = await throughGateway(CREATE_RECOVERY_LINK, { input: { identityId: ada.id } });
      expect(anonymous.data ?? null).toBeNull();
      expect(anonymous.errors).toHaveLength(1);
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(anonymous.errors?.[0]?.extensions?.error).toMatchObject({ code: 401, id: 'unauthenticated' });
    });

    it('joins identityByEmail from accounts with activeRecoveryLinks from this subgraph', async () => {
      await throughGateway(CREATE_RECOVERY_LINK, { input: { identityId: grace.id } }, ADMIN);
      const { data, errors } = await throughGateway(JOIN, { email: 'grace@example.com' }, ADMIN);
      expect(errors).toBeUndefined();
      expect(data.identityByEmail).toEqual({ id: grace.id, email: 'grace@example.com', activeRecoveryLinks: 1 });
    });

    it('passes the unknown-identity error to the client with extensions.code and the full errorGeneric', async () => {
      const unknownId = randomUUID();
      const { data, errors } = await throughGateway(CREATE_RECOVERY_LINK, { input: { identityId: unknownId } }, ADMIN);
      expect(data ?? null).toBeNull();
      expect(errors).toHaveLength(1);
      expect(errors?.[0]?.message).toBe(`Identity with ID ${unknownId} does not exist.`);
      expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(errors?.[0]?.extensions?.error).toEqual({
        code: 404,
        status: 'Not Found',
        id: 'identity_not_found',
        message: 'The resource could not be found',
        reason: `Identity with ID ${unknownId} does not exist.`,
        request: expect.stringMatching(/\S/),
        details: { identityId: unknownId },
      });
    });

    it('resolves a batch of 100 representations with unknown and malformed ids in one store query', async () => {
      const findIdentities = vi.spyOn(recovery.storeClass.prototype, 'findIdentities');
      try {
        const { data, errors } = await throughGateway('{ identities { id email state } }', {}, ADMIN);
        const known = new Map([
          [ada.id, { id: ada.id, email: 'ada@example.com', state: 'ACTIVE' }],
          [grace.id, { id: grace.id, email: 'grace@example.com', state: 'ACTIVE' }],
        ]);
        const unresolved = batch.flatMap(({ id }, position) => (known.has(id) ? [] : [position]));
        // An unknown identity's state cannot be known: this subgraph says so by name at each
        // position (identity_not_found), and both gateways pass that on instead of a crash.
        if (gatewayKind === 'Apollo Gateway') {
          // In the order of the subgraph's answers, which is not the list's.
          const paths = errors?.map((error) => error.path) ?? [];
          expect(paths.sort((a, b) => a[1] - b[1])).toEqual(
            unresolved.map((position) => ['identities', position, 'state']),
          );
        } else {
          // Hive Gateway keeps the field of each error but drops the list position.
          expect(errors?.map((error) => error.path)).toEqual(unresolved.map(() => ['identities', 'state']));
        }
        expect(errors?.map((error) => error.extensions?.error?.id)).toEqual(unresolved.map(() => 'identity_not_found'));
        expect(errors?.map((error) => error.message).filter((message) => /unexpected/i.test(message))).toEqual([]);
        expect(unresolved).toHaveLength(98);
        expect(data.identities).toHaveLength(100);
        expect(data.identities).toEqual(batch.map(({ id }) => known.get(id) ?? null));
        // The 51 UUIDs in one query; the malformed ids never reach the store.
        expect(findIdentities).toHaveBeenCalledTimes(1);
        expect(findIdentities.mock.calls[0]?.[0]).toHaveLength(51);
      } finally {
        findIdentities.mockRestore();
      }
    });

    it('answers a batch with unknown identities without a single error where nothing is unknowable', async () => {
      const { data, errors } = await throughGateway('{ identities { id email activeRecoveryLinks } }', {}, ADMIN);
      expect(errors).toBeUndefined();
      expect(data.identities).toHaveLength(100);
      const known = new Set([ada.id, grace.id]);
      for (const [position, { id }] of batch.entries()) {
        const { activeRecoveryLinks } = data.identities[position];
        expect(known.has(id) ? typeof activeRecoveryLinks : activeRecoveryLinks).toBe(known.has(id) ? 'number' : 0);
      }
    });

    it('limits redemptions per person behind the gateway: one exhausts the limit, the other still redeems', async () => {
      const guess = () => ({ input: { flow: randomUUID(), token: 'guess' } });
      const attempts = [];
      for (let i = 0; i <= REDEEM_LIMIT; i++)
        attempts.push(await throughGateway(REDEEM_RECOVERY_LINK, guess(), undefined, '198.51.100.10'));
      expect(attempts.map(({ errors }) => errors?.[0]?.extensions?.error?.id)).toEqual([
        ...Array(REDEEM_LIMIT).fill('recovery_link_invalid'),
        'rate_limited',
      ]);
      // The limited request reaches the client as the subgraph wrote it: 200, the errorGeneric intact.
      const limited = attempts.at(-1)!;
      expect(limited.status).toBe(200);
      expect(limited.errors).toHaveLength(1);
      expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(limited.errors?.[0]?.extensions?.error).toMatchObject({
        code: 429,
        id: 'rate_limited',
        details: { retryAfterSeconds: expect.any(Number) },
      });

      const created = await throughGateway(CREATE_RECOVERY_LINK, { input: { identityId: ada.id } }, ADMIN);
      const link = linkParameters(created.data.createRecoveryLink.recoveryLink);
      const other = await throughGateway(REDEEM_RECOVERY_LINK, { input: link }, undefined, '198.51.100.11');
      expect(other.errors).toBeUndefined();
      expect(other.data.redeemRecoveryLink.identityId).toBe(ada.id);
    });

    it('creates a recovery code as an admin and redeems it publicly, a wrong code refused with its errorGeneric', async () => {
      const created = await throughGateway(CREATE_RECOVERY_CODE, { input: { identityId: ada.id } }, ADMIN);
      expect(created.errors).toBeUndefined();
      const { recoveryLink, recoveryCode } = created.data.createRecoveryCode;
      const flow = new URL(recoveryLink).searchParams.get('flow');
      expect(new URL(recoveryLink).searchParams.has('token')).toBe(false);
      const wrongCode = recoveryCode === '00000000' ? '11111111' : '00000000';
      const address = '198.51.100.12';
      const wrong = await throughGateway(
        REDEEM_RECOVERY_CODE,
        { input: { flow, code: wrongCode } },
        undefined,
        address,
      );
      expect(wrong.status).toBe(200);
      expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(wrong.errors?.[0]?.extensions?.error).toMatchObject({ code: 400, id: 'recovery_code_invalid' });
      const right = await throughGateway(
        REDEEM_RECOVERY_CODE,
        { input: { flow, code: recoveryCode } },
        undefined,
        address,
      );
      expect(right.errors).toBeUndefined();
      expect(right.data.redeemRecoveryCode.identityId).toBe(ada.id);
    });

    it('is the only way in: the subgraph refuses a direct request without the router secret', async () => {
      const response = await recovery.app.post({ query: '{ __typename }' });
      expect(response.status).toBe(401);
    });
  },
);
