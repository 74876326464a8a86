import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  TEST_TOKEN_SECRET,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import {
  OTLP_KIND,
  inTrace,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';

/** As a router sends it: its own operation name, minified. */
const ROUTER_CREATE =
  'mutation CreateRecoveryLink__recovery__0($input:CreateRecoveryLinkInput!){createRecoveryLink(input:$input){expiresAt recoveryLink}}';
const SESSION_SIGNING_KEY = 'tracing-test-signing-key-with-32-chars!!';
const STORE_COLLECTIONS = new Set([
  'identities',
  'recovery_links',
  'recovery_links_claims',
  'recovery_links_outstanding',
  'recovery_events',
  'rate_limit_slots',
]);

let receiver: OtlpReceiver;
let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  database = await openScratchDatabase();
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    SESSION_SIGNING_KEY,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
  await receiver?.stop();
});

/** A W3C traceparent of a caller's span, as a router sends it, sampled. */
function callerSpan() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function spansOf(traced: TestApp, traceId: string): Promise<ReceivedSpan[]> {
  await traced.tracing.forceFlush();
  return inTrace(receiver.spans(), traceId);
}

function only(spans: readonly ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const matching = spans.filter(predicate);
  expect(matching, JSON.stringify(spans.map(({ name, kind }) => ({ name, kind })))).toHaveLength(1);
  return matching[0]!;
}

async function createWithRouterDocument(traceparent: string) {
  const identity = identityFixture();
  await insertIdentity(database.db, identity);
  return app.graphql(ROUTER_CREATE, { input: { identityId: identity.id } }, { traceparent });
}

describe('with an OTLP endpoint set', () => {
  it('makes the HTTP server span a child of the caller’s traceparent, in its trace', async () => {
    const caller = callerSpan();
    const created = await createWithRouterDocument(caller.traceparent);
    expect(created.body.errors).toBeUndefined();
    const spans = await spansOf(app, caller.traceId);
    const server = only(spans, (span) => span.kind === OTLP_KIND.server);
    expect(server).toMatchObject({
      parentSpanId: caller.spanId,
      name: 'POST /graphql',
      serviceName: 'recovery-link-subgraph',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'url.path': '/graphql',
        'http.response.status_code': 200,
      },
    });
  });

  it('makes one operation span per operation, named as the router named it', async () => {
    const caller = callerSpan();
    await createWithRouterDocument(caller.traceparent);
    const spans = await spansOf(app, caller.traceId);
    const server = only(spans, (span) => span.kind === OTLP_KIND.server);
    const operation = only(spans, (span) => span.attributes['graphql.operation.type'] !== undefined);
    expect(operation).toMatchObject({
      parentSpanId: server.spanId,
      kind: OTLP_KIND.internal,
      name: 'mutation CreateRecoveryLink__recovery__0',
      attributes: {
        'graphql.operation.type': 'mutation',
        'graphql.operation.name': 'CreateRecoveryLink__recovery__0',
      },
      statusCode: 0,
    });
  });

  it('makes an operation span for the persisted document text as well', async () => {
    const caller = callerSpan();
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    await app.graphql(
      CREATE_RECOVERY_LINK,
      { input: { identityId: identity.id } },
      { traceparent: caller.traceparent },
    );
    const operation = only(
      await spansOf(app, caller.traceId),
      (span) => span.attributes['graphql.operation.type'] === 'mutation',
    );
    expect(operation.name).toBe('mutation CreateRecoveryLink');
  });

  it('makes a client span per MongoDB command on the test database, with names and no documents', async () => {
    const caller = callerSpan();
    await createWithRouterDocument(caller.traceparent);
    const spans = await spansOf(app, caller.traceId);
    const server = only(spans, (span) => span.kind === OTLP_KIND.server);
    const commands = spans.filter((span) => span.kind === OTLP_KIND.client);
    // Find the identity and the outstanding set, insert slot, decision and flow, update the set.
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) {
      expect(command.parentSpanId).toBe(server.spanId);
      expect(command.attributes).toMatchObject({
        'db.system': 'mongodb',
        'db.system.name': 'mongodb',
        'db.namespace': database.name,
      });
      const { 'db.operation.name': operation, 'db.collection.name': collection } = command.attributes;
      expect(command.attributes['db.operation']).toBe(operation);
      expect(STORE_COLLECTIONS).toContain(collection);
      expect(command.name).toBe(`${operation} ${collection}`);
      // Names, numbers and addresses only: no document, filter or reply.
      expect(Object.keys(command.attributes).sort()).toEqual(
        [
          'db.collection.name',
          'db.mongodb.collection',
          'db.name',
          'db.namespace',
          'db.operation',
          'db.operation.name',
          'db.system',
          'db.system.name',
          'server.address',
          'server.port',
        ].sort(),
      );
    }
    const names = commands.map((command) => command.name);
    expect(names).toContain('find identities');
    expect(names).toContain('insert recovery_links_claims');
  });

  it('puts the trace and span ids in the log lines of the traced request', async () => {
    const caller = callerSpan();
    const requestId = `tracing-${randomBytes(4).toString('hex')}`;
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    await app.graphql(
      ROUTER_CREATE,
      { input: { identityId: identity.id } },
      { traceparent: caller.traceparent, 'x-request-id': requestId },
    );
    const server = only(await spansOf(app, caller.traceId), (span) => span.kind === OTLP_KIND.server);
    const line = app.logs
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.requestId === requestId && entry.msg === 'graphql request');
    expect(line).toMatchObject({ trace_id: caller.traceId, span_id: server.spanId, trace_flags: '01' });
  });

  it('puts the trace id in each error’s extensions, beside the unchanged error object', async () => {
    const caller = callerSpan();
    const answer = await app.graphql(
      ROUTER_CREATE,
      { input: { identityId: identityFixture().id } },
      { traceparent: caller.traceparent },
    );
    const [error] = answer.body.errors ?? [];
    expect(error?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      traceId: caller.traceId,
      error: { id: 'identity_not_found' },
    });
    expect(Object.keys(error!.extensions.error)).not.toContain('traceId');
    const operation = only(
      await spansOf(app, caller.traceId),
      (span) => span.attributes['graphql.operation.type'] === 'mutation',
    );
    expect(operation).toMatchObject({ statusCode: 2, attributes: { 'error.type': 'identity_not_found' } });
  });

  it('exports no token, session, key or secret of a whole journey, in any byte', async () => {
    const before = receiver.exports.length;
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    const caller = callerSpan();
    const created = await app.graphql(
      CREATE_RECOVERY_LINK,
      { input: { identityId: identity.id } },
      { traceparent: caller.traceparent },
    );
    const link = created.body.data?.createRecoveryLink.recoveryLink as string;
    // The page's URL carries the token in its query string.
    await fetch(`${app.url}/recovery${new URL(link).search}`, { headers: { traceparent: caller.traceparent } });
    const redeemed = await app.graphql(
      REDEEM_RECOVERY_LINK,
      { input: linkParameters(link) },
      { authorization: '', traceparent: caller.traceparent },
    );
    const sessionToken = redeemed.body.data?.redeemRecoveryLink.sessionToken as string;
    // Through GET too: the variables travel in the query string.
    await fetch(
      `${app.url}/graphql?query=${encodeURIComponent('query($t:String){__typename}')}&variables=${encodeURIComponent(JSON.stringify({ t: linkParameters(link).token }))}`,
      { headers: { traceparent: caller.traceparent, 'apollo-require-preflight': 'true' } },
    );
    const spans = await spansOf(app, caller.traceId);
    expect(spans.filter((span) => span.kind === OTLP_KIND.server)).toHaveLength(4);
    const exported = Buffer.concat(receiver.exports.slice(before).map(({ body }) => body));
    // The bytes searched are this journey's spans (protobuf carries ids as raw bytes).
    expect(exported.includes(Buffer.from(caller.traceId, 'hex'))).toBe(true);
    for (const secret of [
      linkParameters(link).token,
      link,
      sessionToken,
      TEST_ADMIN_KEY,
      TEST_TOKEN_SECRET,
      SESSION_SIGNING_KEY,
    ]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(exported.includes(secret)).toBe(false);
    }
    expect(exported.includes(linkParameters(link).flow)).toBe(false);
  });
});

describe('over http/json', () => {
  it('exports the same spans as JSON to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', async () => {
    const json = await startTestApp({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'recovery-json',
    });
    try {
      const caller = callerSpan();
      await json.graphql('query Probe { __typename }', {}, { traceparent: caller.traceparent });
      const spans = await spansOf(json, caller.traceId);
      const server = only(spans, (span) => span.kind === OTLP_KIND.server);
      expect(server).toMatchObject({ parentSpanId: caller.spanId, serviceName: 'recovery-json' });
      expect(only(spans, (span) => span.kind === OTLP_KIND.internal)).toMatchObject({
        parentSpanId: server.spanId,
        name: 'query Probe',
      });
      expect(receiver.exports.some(({ contentType }) => contentType.startsWith('application/json'))).toBe(true);
    } finally {
      await json.stop();
    }
  });
});

describe('without any OTEL_* setting', () => {
  it('starts no tracing, sends nothing and adds no trace fields', async () => {
    // Where an SDK would export by default (localhost:4318), when that port is free here.
    const atDefault = await startOtlpReceiver(4318).catch(() => null);
    const untraced = await startTestApp({});
    try {
      expect(untraced.config.telemetry.tracing).toBeNull();
      expect(untraced.tracing.enabled).toBe(false);
      const caller = callerSpan();
      const answer = await untraced.graphql(
        ROUTER_CREATE,
        { input: { identityId: identityFixture().id } },
        { traceparent: caller.traceparent },
      );
      expect(answer.body.errors?.[0]?.extensions).not.toHaveProperty('traceId');
      await untraced.tracing.forceFlush();
      await app.tracing.forceFlush();
      expect(untraced.logs.join('')).not.toContain(caller.traceId);
      expect(untraced.logs.join('')).not.toContain('trace_id');
      expect(inTrace(receiver.spans(), caller.traceId)).toEqual([]);
    } finally {
      await untraced.stop();
      await atDefault?.stop();
    }
    expect(atDefault?.exports ?? []).toEqual([]);
  });
});
