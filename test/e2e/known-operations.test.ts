import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  IdentityDocument,
  RecoveryEventsDocument,
  RevokeRecoveryLinksDocument,
} from '../../operations/generated/graphql.js';
import { startApp, type RunningApp } from '../../src/app/app.js';
import { parseConfig } from '../../src/config.js';
import { StoreUnavailableError, type RecoveryStore } from '../../src/recovery/index.js';
import { openStore } from '../../src/stores/index.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  TEST_TOKEN_SECRET,
  capturingLogger,
  linkParameters,
} from '../support/app.js';

/**
 * The known-operations path (src/graphql/known-operations.ts) answers the service's own
 * documents without Apollo's pipeline. Every case here sends the same request twice: once
 * with a known document, once with the same document and a trailing space, which no
 * client's text matches and Apollo alone answers. Both answers must be the same, byte for
 * byte once the values that differ by nature (ids, tokens, times) are masked: status,
 * headers, body, log lines and metrics. A spy on Apollo shows which path answered.
 */

const ACTIVE_IDENTITIES = Array.from({ length: 40 }, () => randomUUID());
const INACTIVE_IDENTITY = randomUUID();
const CREATE_LIMIT = 3;

let app: RunningApp;
let directory: string;
let logs: string[] = [];
let storeFailure: 'unavailable' | 'internal' | null = null;
const apolloRequests = vi.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'known-operations-'));
  const identitiesFile = join(directory, 'identities.json');
  await writeFile(
    identitiesFile,
    JSON.stringify([
      ...ACTIVE_IDENTITIES.map((id) => ({ id, traits: { email: `${id}@example.com` } })),
      { id: INACTIVE_IDENTITY, state: 'inactive' },
    ]),
  );
  const parsed = parseConfig({
    PORT: '0',
    RECOVERY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    ADMIN_API_KEYS: TEST_ADMIN_KEY,
    EMBEDDED_IDENTITIES_FILE: identitiesFile,
    RECOVERY_LINK_RATE_LIMIT: `${CREATE_LIMIT}/1h`,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const captured = capturingLogger();
  logs = captured.logs;
  const { logger } = captured;
  const store = await openStore(parsed.config, logger);
  app = await startApp(parsed.config, failingOnDemand(store), logger);
});

afterAll(async () => {
  await app?.stop();
  await rm(directory, { recursive: true, force: true });
  apolloRequests.mockRestore();
});

/** The store, made to fail every call while `storeFailure` says so. */
function failingOnDemand(store: RecoveryStore): RecoveryStore {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (storeFailure === 'unavailable') throw new StoreUnavailableError(new Error('connection refused'));
        if (storeFailure === 'internal') throw new Error('an unexpected failure inside the store');
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface Observed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly logs: string[];
  readonly metrics: Record<string, number>;
  readonly byApollo: boolean;
}

interface Request {
  readonly query: string;
  readonly variables?: unknown;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  readonly admin?: boolean;
}

/** Headers and values that differ between any two responses, whoever answers. */
const VARYING_HEADERS = new Set(['date', 'content-length', 'keep-alive', 'connection']);

async function observe(request: Request): Promise<Observed> {
  const before = await counters();
  const logsBefore = logs.length;
  const apolloBefore = apolloRequests.mock.calls.length;
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'differential-request',
      ...(request.admin === false ? {} : { authorization: `Bearer ${TEST_ADMIN_KEY}` }),
      ...request.headers,
    },
    body: JSON.stringify({ query: request.query, variables: request.variables, ...request.extra }),
  });
  const body = await response.text();
  const after = await counters();
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !VARYING_HEADERS.has(name)).map(([name, value]) => [name, mask(value)]),
  );
  return {
    status: response.status,
    headers,
    body: mask(body),
    logs: logs.slice(logsBefore).map(maskLogLine),
    metrics: Object.fromEntries(
      Object.entries(after)
        .map(([series, value]) => [series, value - (before[series] ?? 0)] as const)
        .filter(([, change]) => change !== 0),
    ),
    byApollo: apolloRequests.mock.calls.length > apolloBefore,
  };
}

/** The service's own counters (not the process's), and how many durations were observed. */
async function counters(): Promise<Record<string, number>> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !/^(graphql_|recovery_|store_)/.test(line)) continue;
    if (/_bucket\{|_sum\{/.test(line)) continue;
    const space = line.lastIndexOf(' ');
    values[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return values;
}

function mask(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/token=[\w-]+/g, 'token=<token>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/("retryAfterSeconds":)\d+/g, '$1<seconds>')
    .replace(/^\d+$/, '<number>');
}

/** A log line without what differs by nature: time, duration, and the call stack of a logged error. */
function maskLogLine(line: string): string {
  const {
    time: _time,
    pid: _pid,
    hostname: _hostname,
    durationMs,
    err,
    ...rest
  } = JSON.parse(line) as Record<string, unknown>;
  const error = err as { stack?: string } | undefined;
  const withoutStack = error === undefined ? {} : { err: { ...error, stack: error.stack?.split('\n')[0] } };
  return mask(JSON.stringify({ ...rest, ...withoutStack, durationMs: typeof durationMs }));
}

/** The same request through both paths; the known path answers first. */
async function bothPaths(request: Request | ((path: 'known' | 'apollo') => Request | Promise<Request>)) {
  const make = typeof request === 'function' ? request : () => request;
  const known = await observe(await make('known'));
  const viaApollo = await make('apollo');
  const apollo = await observe({ ...viaApollo, query: `${viaApollo.query} ` });
  expect(apollo.byApollo).toBe(true);
  return { known, apollo };
}

async function expectSameAnswer(request: Parameters<typeof bothPaths>[0]): Promise<Observed> {
  const { known, apollo } = await bothPaths(request);
  expect(known.byApollo).toBe(false);
  expect({ ...known, byApollo: undefined }).toEqual({ ...apollo, byApollo: undefined });
  return known;
}

let nextIdentity = 0;
const freshIdentity = () => ACTIVE_IDENTITIES[nextIdentity++]!;

async function createdLink(): Promise<{ flow: string; token: string }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId: freshIdentity() } } }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { createRecoveryLink: { recoveryLink: string } } };
  return linkParameters(body.data.createRecoveryLink.recoveryLink);
}

describe('createRecoveryLink on the known path answers as Apollo does', () => {
  it('when it creates a link', async () => {
    const known = await expectSameAnswer(() => ({
      query: CREATE_RECOVERY_LINK,
      variables: { input: { identityId: freshIdentity(), expiresIn: '30m' } },
    }));
    expect(known.status).toBe(200);
    expect(known.body).toContain('"recoveryLink":"http://localhost:');
    expect(known.logs).toHaveLength(1);
    expect(known.metrics).toMatchObject({ recovery_links_created_total: 1 });
  });

  it.each([
    ['without credentials', { admin: false }],
    ['with a wrong key', { headers: { authorization: 'Bearer not-a-key-of-this-service' } }],
    ['for an identity that does not exist', { variables: { input: { identityId: randomUUID() } } }],
    ['for a disabled identity', { variables: { input: { identityId: INACTIVE_IDENTITY } } }],
    [
      'with expiresIn out of range',
      { variables: { input: { identityId: ACTIVE_IDENTITIES[39], expiresIn: '9999h' } } },
    ],
  ])('when refused %s', async (_case, request: Partial<Request>) => {
    const known = await expectSameAnswer({
      query: CREATE_RECOVERY_LINK,
      variables: { input: { identityId: ACTIVE_IDENTITIES[38] } },
      ...request,
    });
    expect(known.body).toContain('"errors"');
  });

  it('when the identity is rate limited: 429 with Retry-After', async () => {
    const identityId = freshIdentity();
    for (let created = 0; created < CREATE_LIMIT; created++) {
      await observe({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId } } });
    }
    const known = await expectSameAnswer({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId } } });
    expect(known.status).toBe(429);
    expect(known.headers['retry-after']).toBe('<number>');
  });

  it.each([
    ['unreachable: 503 with Retry-After', 'unavailable', 503],
    ['failing unexpectedly: a masked error, logged', 'internal', 200],
  ] as const)('when the database is %s', async (_case, failure, status) => {
    storeFailure = failure;
    try {
      const known = await expectSameAnswer({
        query: CREATE_RECOVERY_LINK,
        variables: { input: { identityId: ACTIVE_IDENTITIES[37] } },
      });
      expect(known.status).toBe(status);
      expect(known.logs.length).toBeGreaterThan(1);
    } finally {
      storeFailure = null;
    }
  });

  it.each([
    ['Apollo Client', 'application/graphql-response+json,application/json;q=0.9'],
    ['a browser', '*/*'],
    ['a JSON client', 'application/json'],
    ['a GraphQL-over-HTTP client', 'application/graphql-response+json'],
  ])('with the Accept header of %s', async (_client, accept) => {
    const known = await expectSameAnswer(() => ({
      query: CREATE_RECOVERY_LINK,
      variables: { input: { identityId: freshIdentity() } },
      headers: { accept },
    }));
    expect(known.status).toBe(200);
  });

  it('with its operation name and empty extensions', async () => {
    await expectSameAnswer(() => ({
      query: CREATE_RECOVERY_LINK,
      variables: { input: { identityId: freshIdentity() } },
      extra: { operationName: 'CreateRecoveryLink', extensions: {} },
    }));
  });
});

describe('redeemRecoveryLink on the known path answers as Apollo does', () => {
  it('when it redeems a link', async () => {
    const links = [await createdLink(), await createdLink()];
    const known = await expectSameAnswer((path) => ({
      query: REDEEM_RECOVERY_LINK,
      variables: { input: links[path === 'known' ? 0 : 1] },
      admin: false,
    }));
    expect(known.body).toContain('"sessionToken":"<jwt>"');
  });

  it('when the token is wrong, whatever Authorization says', async () => {
    const { flow } = await createdLink();
    const known = await expectSameAnswer({
      query: REDEEM_RECOVERY_LINK,
      variables: { input: { flow, token: 'not-the-token' } },
      headers: { authorization: 'Bearer garbage' },
    });
    expect(known.body).toContain('recovery_link_invalid');
  });
});

describe('the other operations of operations/ on the known path answer as Apollo does', () => {
  it.each([
    ['identity', print(IdentityDocument), () => ({ id: ACTIVE_IDENTITIES[36] })],
    ['identity, unknown', print(IdentityDocument), () => ({ id: randomUUID() })],
    ['recoveryEvents', print(RecoveryEventsDocument), () => ({ identityId: ACTIVE_IDENTITIES[0], first: 2 })],
    [
      'recoveryEvents, first out of range',
      print(RecoveryEventsDocument),
      () => ({ identityId: ACTIVE_IDENTITIES[0], first: 0 }),
    ],
    ['revokeRecoveryLinks', print(RevokeRecoveryLinksDocument), () => ({ identityId: ACTIVE_IDENTITIES[36] })],
  ])('%s', async (_case, query, variables) => {
    await expectSameAnswer({ query, variables: variables() });
  });
});

describe('requests the known path leaves to Apollo', () => {
  it.each([
    ['variables that do not coerce', { variables: { input: { identityId: 'not-a-uuid' } } }],
    ['no variables for a required one', { variables: null }],
    ['an operation name the document does not have', { extra: { operationName: 'Other' } }],
    ['a persisted-query extension', { extra: { extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } } }],
    ['an Accept header Apollo refuses', { headers: { accept: 'text/html' } }],
    ['a request for an inline trace', { headers: { 'apollo-federation-include-trace': 'ftv1' } }],
  ])('%s', async (_case, request: Partial<Request>) => {
    const { known, apollo } = await bothPaths(() => ({
      query: CREATE_RECOVERY_LINK,
      variables: { input: { identityId: freshIdentity() } },
      ...request,
    }));
    expect(known.byApollo).toBe(true);
    expect({ ...known, body: undefined }).toEqual({ ...apollo, body: undefined });
  });
});
