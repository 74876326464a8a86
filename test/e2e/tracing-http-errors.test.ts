import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { OTLP_KIND, inTrace, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

/**
 * The answers the HTTP layer gives before or outside an operation, traced: each has a
 * server span that is a child of the caller's traceparent, its body carries that span's
 * trace id as GraphQL errors do, and its log line carries the trace and span ids.
 * Untraced, the same answers have no trace id anywhere.
 */

const ROUTER_SECRET = 'router-secret-of-at-least-32-characters';

let receiver: OtlpReceiver;
let traced: TestApp;
let routerOnly: TestApp;
let untraced: TestApp;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  [traced, routerOnly, untraced] = await Promise.all([
    startTestApp(endpoint),
    startTestApp({ ...endpoint, ROUTER_SECRET }),
    startTestApp({}),
  ]);
});

afterAll(async () => {
  await Promise.all([traced?.stop(), routerOnly?.stop(), untraced?.stop()]);
  await receiver?.stop();
});

interface EdgeRequest {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Each kind of answer the HTTP layer (or Apollo, before any operation) gives itself. */
const EDGE_ANSWERS: readonly { name: string; status: number; id: string; request: EdgeRequest }[] = [
  { name: 'an unknown path', status: 404, id: 'route_not_found', request: { path: '/nowhere' } },
  {
    name: 'a POST to the recovery page',
    status: 405,
    id: 'method_not_allowed',
    request: { path: '/recovery', method: 'POST' },
  },
  {
    name: 'a body over the limit',
    status: 413,
    id: 'payload_too_large',
    request: {
      path: '/graphql',
      method: 'POST',
      body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(200 * 1024)}` }),
    },
  },
  {
    name: 'a malformed JSON body',
    status: 400,
    id: 'invalid_json',
    request: { path: '/graphql', method: 'POST', body: '{"query":' },
  },
  {
    name: 'a body that is not JSON',
    status: 415,
    id: 'unsupported_media_type',
    request: { path: '/graphql', method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' },
  },
  {
    name: 'a persisted query hash that does not match its text',
    status: 400,
    id: 'persisted_query_hash_mismatch',
    request: {
      path: '/graphql',
      method: 'POST',
      body: JSON.stringify({
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      }),
    },
  },
  {
    name: 'an Accept header Apollo cannot answer',
    status: 406,
    id: 'bad_request',
    request: { path: '/graphql', method: 'POST', headers: { accept: 'image/png' }, body: '{"query":"{ __typename }"}' },
  },
];

function callerSpan() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function send(app: TestApp, request: EdgeRequest, headers: Record<string, string>) {
  const response = await fetch(`${app.url}${request.path}`, {
    method: request.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...request.headers, ...headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return { status: response.status, body: (await response.json()) as ErrorAnswer };
}

interface ErrorAnswer {
  readonly errors: readonly {
    extensions: { code: string; traceId?: string; error: { id: string; request: string } };
  }[];
}

/** The server span of a trace, and the log line of a request id. */
async function evidence(app: TestApp, traceId: string, requestId: string) {
  await app.tracing.forceFlush();
  const servers = inTrace(receiver.spans(), traceId).filter((span) => span.kind === OTLP_KIND.server);
  expect(servers).toHaveLength(1);
  const lines = app.logs
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((line) => line.requestId === requestId && /answered by/.test(String(line.msg)));
  expect(lines).toHaveLength(1);
  return { server: servers[0]!, line: lines[0]! };
}

function expectTraced(
  answer: { status: number; body: ErrorAnswer },
  found: Awaited<ReturnType<typeof evidence>>,
  caller: ReturnType<typeof callerSpan>,
  expected: { status: number; id: string },
) {
  expect(answer.status).toBe(expected.status);
  const [error] = answer.body.errors;
  expect(error?.extensions).toMatchObject({ traceId: caller.traceId, error: { id: expected.id } });
  // The errorGeneric object keeps its shape: the trace id sits beside it.
  expect(Object.keys(error!.extensions.error)).not.toContain('traceId');
  expect(found.server).toMatchObject({
    parentSpanId: caller.spanId,
    attributes: { 'http.response.status_code': expected.status },
  });
  expect(found.line).toMatchObject({ trace_id: caller.traceId, span_id: found.server.spanId });
}

describe('with tracing on, the HTTP layer’s own answers', () => {
  it.each(EDGE_ANSWERS)(
    'answers $name ($status) in a server span, with its trace id in the body and log line',
    async ({ request, status, id }) => {
      const caller = callerSpan();
      const requestId = `edge-${randomBytes(4).toString('hex')}`;
      const answer = await send(traced, request, { traceparent: caller.traceparent, 'x-request-id': requestId });
      expect(answer.body.errors[0]?.extensions.error.request).toBe(requestId);
      expectTraced(answer, await evidence(traced, caller.traceId, requestId), caller, { status, id });
    },
  );

  it('answers a caller without the router secret (401) in a server span, with its trace id', async () => {
    const caller = callerSpan();
    const requestId = `edge-${randomBytes(4).toString('hex')}`;
    const answer = await send(
      routerOnly,
      { path: '/graphql', method: 'POST', body: '{"query":"{ __typename }"}' },
      { traceparent: caller.traceparent, 'x-request-id': requestId },
    );
    expectTraced(answer, await evidence(routerOnly, caller.traceId, requestId), caller, {
      status: 401,
      id: 'router_secret_required',
    });
  });

  it('answers a connection past HTTP_MAX_CONNECTIONS (503) in a server span, with its trace id', async () => {
    const capped = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, HTTP_MAX_CONNECTIONS: '1' });
    const { hostname, port } = new URL(capped.url);
    const holder: Socket = connect({ host: hostname, port: Number(port) });
    holder.on('error', () => {});
    try {
      await once(holder, 'connect');
      const caller = callerSpan();
      const requestId = `edge-${randomBytes(4).toString('hex')}`;
      const answer = await getWithoutPool(`${capped.url}/graphql?query=%7B__typename%7D`, {
        traceparent: caller.traceparent,
        'x-request-id': requestId,
      });
      expectTraced(answer, await evidence(capped, caller.traceId, requestId), caller, {
        status: 503,
        id: 'too_many_connections',
      });
    } finally {
      holder.destroy();
      await capped.stop();
    }
  });
});

describe('with tracing off, the same answers', () => {
  it.each(EDGE_ANSWERS)(
    'answer $name ($status) with no trace id in the body or the log line',
    async ({ request, status, id }) => {
      const caller = callerSpan();
      const requestId = `untraced-${randomBytes(4).toString('hex')}`;
      const answer = await send(untraced, request, { traceparent: caller.traceparent, 'x-request-id': requestId });
      expect(answer.status).toBe(status);
      expect(answer.body.errors[0]?.extensions.error.id).toBe(id);
      expect(answer.body.errors[0]?.extensions).not.toHaveProperty('traceId');
      const lines = untraced.logs.filter((line) => line.includes(requestId));
      expect(lines.filter((line) => /answered by/.test(line))).toHaveLength(1);
      for (const line of lines) {
        expect(line).not.toContain('trace_id');
        expect(line).not.toContain(caller.traceId);
      }
      expect(untraced.tracing.requestTrace).toBeNull();
    },
  );
});

/** A GET on a connection of its own (fetch would reuse a pooled one, inside the cap). */
function getWithoutPool(url: string, headers: Record<string, string>): Promise<{ status: number; body: ErrorAnswer }> {
  return new Promise((resolve, reject) => {
    httpGet(
      url,
      { agent: false, headers: { accept: 'application/json', 'apollo-require-preflight': 'true', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as ErrorAnswer }));
      },
    ).on('error', reject);
  });
}
