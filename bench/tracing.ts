import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from './load.js';
import { profileDirectory, shareOfCode } from './profile.js';
import { settle, type Measurement } from './measure.js';
import { ADMIN_KEY, cpuSeconds, rssMb, startNode, type Running } from './processes.js';
import type { Settings, StoreUnderTest } from './scenarios.js';

/**
 * `--only=tracing`: the cost of OpenTelemetry tracing. Two service processes over the same
 * store, one without any OTEL_* setting (off) and one exporting every span over
 * http/protobuf to a receiver this process runs on loopback (on), measured pair by pair
 * as the compare scenario does, who goes first alternating. The document is the one a
 * router sends (its own operation name), so both take Apollo's pipeline whatever the
 * service does with documents it knows by heart.
 *
 * Then "off against absent": a third process, off, under `node --cpu-prof`, and the share
 * of its busy CPU in tracing's code. Absent code costs nothing, so that share is what off
 * costs; unlike req/s ratios, a share of one process's own samples holds on a busy machine.
 */

const SERVICE = 'dist/app/main.js';
const UNLIMITED = { RECOVERY_LINK_RATE_LIMIT: '999999/1h', REDEEM_RATE_LIMIT: '999999/1m' };
const ROUTER_CREATE =
  'mutation CreateRecoveryLink__recovery__0($input:CreateRecoveryLinkInput!){createRecoveryLink(input:$input){expiresAt recoveryLink}}';

export interface TracingCost {
  readonly measurements: Measurement[];
  /** One line per connection count: the median ratio of on to off, and what was exported. */
  readonly summary: string[];
}

export async function tracingCost(store: StoreUnderTest, settings: Settings): Promise<TracingCost> {
  const receiver = await startSink();
  const { env, database } = await store.environment('tracing');
  const off = await startNode(SERVICE, { ...env, ...UNLIMITED });
  const on = await startNode(SERVICE, { ...env, ...UNLIMITED, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  const running = { off, on };
  const measurements: Measurement[] = [];
  const summary: string[] = [];
  const bodies = store.identities.map((identityId) =>
    JSON.stringify({ query: ROUTER_CREATE, variables: { input: { identityId, expiresIn: '1h' } } }),
  );
  const run = (tracing: 'off' | 'on', phase: string, connections: number, seconds: number) =>
    measureOne(running[tracing], store, bodies, { phase: `tracing ${tracing}, ${phase}`, connections, seconds });
  try {
    for (const tracing of ['off', 'on'] as const) await run(tracing, 'warm-up', 8, 2);
    for (const connections of settings.compareConnections) {
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      for (let round = 1; round <= settings.compareRounds; round++) {
        const order = round % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        const pair: Partial<Record<'off' | 'on', Measurement>> = {};
        for (const tracing of order) {
          pair[tracing] = await run(tracing, `round ${round}`, connections, settings.compareSeconds);
          measurements.push(pair[tracing]);
        }
        ratios.push(pair.on!.requestsPerSecond / Math.max(1, pair.off!.requestsPerSecond));
        cpuRatios.push(cpuPerRequest(pair.on!) / cpuPerRequest(pair.off!));
      }
      summary.push(
        `${store.name}, ${connections} connections: tracing on / off = ${describe(ratios)} in req/s, ${describe(cpuRatios)} in the service's CPU per request`,
      );
    }
    summary.push(`${store.name}: ${receiver.exports()} exports, ${Math.round(receiver.bytes() / 1024)} KiB received`);
    await off.stop();
    await on.stop();
    const onEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    for (const [tracing, environment] of [
      ['off', env],
      ['on', onEnv],
    ] as const) {
      const profiled = await profiledShare(tracing, store, environment, bodies, settings);
      measurements.push(profiled.measurement);
      summary.push(profiled.line);
    }
  } finally {
    await off.stop();
    await on.stop();
    await database?.drop();
    await receiver.stop();
  }
  return { measurements, summary };
}

function cpuPerRequest(measurement: Measurement): number {
  return (measurement.cpu.target ?? Number.NaN) / Math.max(1, measurement.requests);
}

/** The median of the pairs' ratios, then each pair's. */
function describe(ratios: readonly number[]): string {
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  return `${median.toFixed(2)} (pairs: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`;
}

async function measureOne(
  service: Running,
  store: StoreUnderTest,
  bodies: readonly string[],
  options: { phase: string; connections: number; seconds: number },
): Promise<Measurement> {
  await settle([service.pid, store.databasePid]);
  const rssStartMb = rssMb(service.pid);
  const before = { target: cpuSeconds(service.pid), database: cpuSeconds(store.databasePid) };
  const result = await runLoad({
    url: service.url,
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    bodies,
    connections: options.connections,
    seconds: options.seconds,
  });
  const spent = (start: number | null, end: number | null) =>
    start === null || end === null ? null : Number((end - start).toFixed(2));
  const measurement: Measurement = {
    store: store.name,
    scenario: 'tracing',
    phase: options.phase,
    operation: 'createRecoveryLink',
    connections: options.connections,
    target: 'service',
    generator: result.generator,
    requests: result.requests,
    requestsPerSecond: Math.round(result.requestsPerSecond),
    p50: Number(result.p50.toFixed(2)),
    p99: Number(result.p99.toFixed(2)),
    max: Number(result.max.toFixed(2)),
    failed: result.failed,
    statuses: result.statuses,
    cpu: {
      target: spent(before.target, cpuSeconds(service.pid)),
      generator: Number(result.generatorCpuSeconds.toFixed(2)),
      database: spent(before.database, cpuSeconds(store.databasePid)),
    },
    rssStartMb: Math.round(rssStartMb),
    rssEndMb: Math.round(rssMb(service.pid)),
  };
  process.stderr.write(
    `  ${store.name} ${options.phase} c=${options.connections}: ${measurement.requestsPerSecond} req/s, ` +
      `p50 ${measurement.p50} ms, p99 ${measurement.p99} ms, failed ${measurement.failed}\n`,
  );
  return measurement;
}

/** Tracing's code: its modules in the service and the OpenTelemetry packages. */
const TRACING_CODE =
  /\/(?:dist|\.bench-build\/src)\/(?:observability\/(?:tracing|tracing-settings|command-spans)|graphql\/plugins\/operation-spans)\.js$|\/node_modules\/@opentelemetry\//;
const PROFILED_CONNECTIONS = 32;

/**
 * The service under the CPU profiler: the share of its CPU in tracing's code. Off is the
 * measurement; on is the control that shows the same pattern does find tracing's code.
 */
async function profiledShare(
  tracing: 'off' | 'on',
  store: StoreUnderTest,
  env: Record<string, string>,
  bodies: readonly string[],
  settings: Settings,
): Promise<{ measurement: Measurement; line: string }> {
  const directory = profileDirectory();
  const profiled = await startNode(SERVICE, { ...env, ...UNLIMITED }, ['--cpu-prof', `--cpu-prof-dir=${directory}`]);
  let measurement: Measurement;
  try {
    measurement = await measureOne(profiled, store, bodies, {
      phase: `tracing ${tracing}, --cpu-prof`,
      connections: PROFILED_CONNECTIONS,
      seconds: settings.compareSeconds,
    });
  } finally {
    // SIGTERM: the process exits by itself, which is when Node writes the profile.
    await profiled.stop('SIGTERM');
  }
  const share = shareOfCode(directory, TRACING_CODE);
  const line =
    `${store.name}, tracing ${tracing}, CPU profile at ${PROFILED_CONNECTIONS} connections (${measurement.requests} requests, ` +
    `${share.busyMilliseconds} ms of busy CPU after start-up in ${share.busySamples} samples): tracing's code (src/observability/tracing*, src/graphql/plugins/operation-spans, ` +
    `command-spans, @opentelemetry/*) ${share.selfPercent}% self time, ${share.inclusivePercent}% of samples with it on the stack; ` +
    `functions sampled: ${share.functionsSeen.length === 0 ? 'none' : share.functionsSeen.join(', ')}`;
  return { measurement, line };
}

/** A collector that accepts and counts OTLP exports, and keeps nothing. */
async function startSink() {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      exports++;
      response.setHeader('content-type', 'application/x-protobuf');
      response.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    bytes: () => bytes,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
