import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * The fallback load generator when wrk is absent: autocannon in a process of its own
 * (started by bench/load.ts), so it does not take the service's CPU unmeasured. Prints one
 * JSON line shaped like load.ts's LoadResult, its own CPU time included.
 */
const options = JSON.parse(process.argv[2]!) as {
  url: string;
  path: string;
  headers: Record<string, string>;
  bodiesFile: string;
  connections: number;
  seconds: number;
  maxRequests?: number;
  timeoutSeconds: number;
};
const bodies = readFileSync(options.bodiesFile, 'utf8').trimEnd().split('\n');
const cpuAtStart = process.cpuUsage();
let next = 0;
let failed = 0;
const statuses: Record<string, number> = {};

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.seconds,
  timeout: options.timeoutSeconds,
  ...(options.maxRequests === undefined ? {} : { amount: options.maxRequests }),
  requests: [
    {
      method: 'POST',
      path: options.path,
      headers: options.headers,
      setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      onResponse: (status, body) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200 || body.includes('"errors"')) failed++;
      },
    },
  ],
});
const cpu = process.cpuUsage(cpuAtStart);
// autocannon's own duration moves in whole seconds; its start and finish are exact.
const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    seconds,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    failed: failed + result.errors + result.timeouts,
    statuses,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  }) + '\n',
);
