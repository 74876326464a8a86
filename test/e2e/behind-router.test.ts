import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  errorBody,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';

/**
 * The subgraph as a router sees it: TRUSTED_PROXIES (this test is the proxy, on loopback),
 * ROUTER_SECRET, and the answers a router can pass on. Direct callers are the ones
 * without the secret.
 */
export const ROUTER_SECRET = 'router-secret-of-at-least-32-characters';
const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const RECOVERY_EVENTS = 'query($id: UUID!) { recoveryEvents(identityId: $id, first: 1) { type clientAddress } }';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    TRUSTED_PROXIES: '127.0.0.1, ::1',
    ROUTER_SECRET,
    REDEEM_RATE_LIMIT: '3/1m',
  });
});

afterAll(async () => {
  await app?.stop();
});

const router = (forwardedFor?: string) => ({
  'router-authorization': ROUTER_SECRET,
  ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
});
const guess = () => ({ input: { flow: randomUUID(), token: 'guess' } });

describe('ROUTER_SECRET', () => {
  it.each([
    ['no Router-Authorization', {}],
    ['a wrong secret', { 'router-authorization': `${ROUTER_SECRET}x` }],
    ['the secret in Authorization instead', { authorization: `Bearer ${ROUTER_SECRET}` }],
  ])('answers a request with %s with one 401 errorGeneric, running no GraphQL', async (_case, headers) => {
    const before = app.storeCalls.length;
    const response = await app.post(
      { query: CREATE_RECOVERY_LINK, variables: { input: { identityId: DEMO_ID } } },
      headers,
    );
    expect(response.status).toBe(401);
    const { errors } = await errorBody(response);
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: { code: 401, id: 'router_secret_required', request: response.headers.get('x-request-id') },
    });
    expect(app.storeCalls.slice(before)).toEqual([]);
  });

  it('gates GET requests too', async () => {
    const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(401);
  });

  it('runs requests that carry it', async () => {
    const { status, body } = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }, router());
    expect(status).toBe(200);
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it.each(['/recovery', '/health/live', '/health/ready', '/metrics'])('does not gate %s', async (path) => {
    expect((await fetch(`${app.url}${path}`)).status).toBe(200);
  });
});

describe('TRUSTED_PROXIES', () => {
  it('limits redemptions per forwarded client: one person exhausting the limit leaves the next one alone', async () => {
    const attempts = [];
    for (let i = 0; i < 4; i++) attempts.push(await app.graphql(REDEEM_RECOVERY_LINK, guess(), router('198.51.100.1')));
    expect(attempts.map(({ body }) => body.errors?.[0]?.extensions.error.id)).toEqual([
      'recovery_link_invalid',
      'recovery_link_invalid',
      'recovery_link_invalid',
      'rate_limited',
    ]);
    const created = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }, router());
    const other = await app.graphql(
      REDEEM_RECOVERY_LINK,
      { input: linkParameters(created.body.data?.createRecoveryLink.recoveryLink) },
      router('198.51.100.2'),
    );
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.redeemRecoveryLink.identityId).toBe(DEMO_ID);
  });

  it('answers the router 200 for a limited request, with the errorGeneric and its retry hint', async () => {
    for (let i = 0; i < 3; i++) await app.graphql(REDEEM_RECOVERY_LINK, guess(), router('198.51.100.3'));
    const limited = await app.graphql(REDEEM_RECOVERY_LINK, guess(), router('198.51.100.3'));
    expect(limited.status).toBe(200);
    expect(limited.body.data ?? null).toBeNull();
    expect(limited.body.errors).toHaveLength(1);
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      error: { code: 429, id: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(limited.body.errors?.[0]?.extensions.error.details.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('records the forwarded address in the audit trail and the log line', async () => {
    await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }, router('2001:db8::42, 127.0.0.1'));
    const { body } = await app.graphql(RECOVERY_EVENTS, { id: DEMO_ID }, router());
    expect(body.data?.recoveryEvents).toEqual([{ type: 'CREATED', clientAddress: '2001:db8::42' }]);
    expect(app.logs.some((line) => line.includes('"clientAddress":"2001:db8::42"'))).toBe(true);
  });

  it('falls back to the proxy itself for a malformed header', async () => {
    const { status } = await app.graphql(
      CREATE_RECOVERY_LINK,
      { input: { identityId: DEMO_ID } },
      {
        ...router(),
        'x-forwarded-for': 'not an address, ::::',
      },
    );
    expect(status).toBe(200);
    const { body } = await app.graphql(RECOVERY_EVENTS, { id: DEMO_ID }, router());
    expect(body.data?.recoveryEvents[0].clientAddress).toBe('127.0.0.1');
  });
});

describe('direct callers without ROUTER_SECRET configured', () => {
  let direct: TestApp;

  beforeAll(async () => {
    direct = await startTestApp({ REDEEM_RATE_LIMIT: '2/1m' });
  });

  afterAll(async () => {
    await direct?.stop();
  });

  it('keep 429 with Retry-After, and the retry hint in the errorGeneric', async () => {
    for (let i = 0; i < 2; i++) await direct.graphql(REDEEM_RECOVERY_LINK, guess(), { authorization: '' });
    // Forwarding headers from an untrusted peer change nothing: still the same client.
    const limited = await direct.graphql(REDEEM_RECOVERY_LINK, guess(), {
      authorization: '',
      'x-forwarded-for': '198.51.100.77',
    });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(limited.body.errors?.[0]?.extensions.error.details).toEqual({ retryAfterSeconds: retryAfter });
  });
});
