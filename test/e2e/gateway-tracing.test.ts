import { readFileSync } from 'node:fs';
import { Logger } from '@graphql-hive/gateway';
import { useOpenTelemetry } from '@graphql-hive/gateway/opentelemetry';
import { disable, openTelemetrySetup } from '@graphql-hive/gateway/opentelemetry/setup';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CREATE_RECOVERY_LINK, TEST_ADMIN_KEY } from '../support/app.js';
import { identityFixture } from '../support/fixtures.js';
import {
  OTLP_KIND,
  inTrace,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';
import { startGateway, startRecoveryOn, type RecoveryOnStore, type RunningGateway } from './gateway-support.js';

/**
 * Hive Gateway with its OpenTelemetry plugin in front of this subgraph on the MongoDB test
 * database, both exporting to one receiver: a single trace from the gateway's request down
 * to the database commands. In its own file: Hive's setup registers OpenTelemetry globals
 * (this service registers none), and they are removed again at the end.
 */

// Nothing a gateway does here may reach beyond loopback: no usage reporting is configured.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const ada = identityFixture();
let receiver: OtlpReceiver;
let recovery: RecoveryOnStore;
let gateway: RunningGateway;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: 'hive-gateway' },
    log: new Logger({ level: false }),
    // Unbatched: each span is exported when it ends.
    traces: { exporter: new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), batching: false },
  });
  recovery = await startRecoveryOn('mongodb', [ada], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  gateway = await startGateway(
    'Hive Gateway',
    [
      {
        name: 'recovery',
        url: `${recovery.app.url}/graphql`,
        sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
      },
    ],
    { hiveSettings: { plugins: (context) => [useOpenTelemetry({ ...context, traces: true })] } },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await recovery?.stop();
  disable();
  await receiver?.stop();
});

/** Spans arrive from two exporters at their own pace: wait until `done` holds. */
async function eventually(done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await recovery.app.tracing.forceFlush();
    const spans = receiver.spans();
    if (done(spans) || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('makes one trace from the gateway’s request down to the subgraph’s database commands', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId: ada.id } } }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  expect(body.errors).toBeUndefined();

  const isSubgraphServer = (span: ReceivedSpan) =>
    span.serviceName === 'recovery-link-subgraph' && span.kind === OTLP_KIND.server;
  const spans = await eventually((all) => {
    const server = all.find(isSubgraphServer);
    return server !== undefined && all.some((span) => span.spanId === server.parentSpanId);
  });
  const server = spans.find(isSubgraphServer);
  expect(server, 'the subgraph’s server span').toBeDefined();
  const trace = inTrace(spans, server!.traceId);

  // The subgraph's server span is the child of a gateway span, in the gateway's trace...
  const caller = trace.find((span) => span.spanId === server!.parentSpanId);
  expect(caller?.serviceName).toBe('hive-gateway');
  const root = trace.filter((span) => span.parentSpanId === '');
  expect(root).toHaveLength(1);
  expect(root[0]).toMatchObject({ serviceName: 'hive-gateway', kind: OTLP_KIND.server });

  // ...and the operation and the database commands are in it, below the subgraph's server span.
  expect(
    trace.find((span) => span.serviceName === 'recovery-link-subgraph' && span.kind === OTLP_KIND.internal),
  ).toMatchObject({ parentSpanId: server!.spanId, attributes: { 'graphql.operation.type': 'mutation' } });
  const commands = trace.filter((span) => span.kind === OTLP_KIND.client && span.attributes['db.system'] === 'mongodb');
  expect(commands.map((span) => span.name)).toContain('insert recovery_links_claims');
  for (const command of commands) expect(command.parentSpanId).toBe(server!.spanId);
});
