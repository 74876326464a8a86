import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The load generator, always a process of its own so it never shares the service's event
 * loop: wrk (Debian's `wrk` package) when it is on PATH, else autocannon in a separate
 * Node process (bench/autocannon-worker.ts). Either way its CPU time is measured and
 * reported next to the service's. BENCH_LOAD_GENERATOR=autocannon forces the fallback.
 */

export type Generator = 'wrk' | 'autocannon';

export interface Load {
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request bodies, sent in turn: each request names another identity or flow. */
  readonly bodies: readonly string[];
  readonly connections: number;
  /** How long the load runs, or the most it may run when `maxRequests` is given. */
  readonly seconds: number;
  /** Stop after about this many responses (never more than `bodies` for one-shot bodies). */
  readonly maxRequests?: number;
}

export interface LoadResult {
  readonly generator: Generator;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Responses that were not 200 or carried GraphQL errors, plus socket errors and timeouts. */
  readonly failed: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** User + system CPU seconds the load generator itself used. */
  readonly generatorCpuSeconds: number;
}

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
/** wrk.lua stays in the source tree; the compiled bench runs from .bench-build/bench. */
const WRK_SCRIPT = fileURLToPath(new URL('../../bench/wrk.lua', import.meta.url));
/** Requests slower than this count as errors; FerretDB runs have shown p99s of several seconds. */
const TIMEOUT_SECONDS = 60;

let chosen: Generator | undefined;

export function loadGenerator(): Generator {
  if (chosen !== undefined) return chosen;
  if (process.env.BENCH_LOAD_GENERATOR === 'autocannon') return (chosen = 'autocannon');
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
    chosen = 'wrk';
  } catch {
    process.stderr.write(
      'wrk is not installed, so the load comes from autocannon in a separate Node process (its CPU is reported).\n' +
        'For the figures in bench/README.md install wrk: sudo apt-get install -y wrk (Debian/Ubuntu).\n',
    );
    chosen = 'autocannon';
  }
  return chosen;
}

export async function runLoad(load: Load): Promise<LoadResult> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-load-'));
  const bodiesFile = join(directory, 'bodies.jsonl');
  writeFileSync(bodiesFile, load.bodies.join('\n') + '\n');
  try {
    return loadGenerator() === 'wrk'
      ? await runWrk(load, bodiesFile, join(directory, 'finished'))
      : await runAutocannon(load, bodiesFile);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function runWrk(load: Load, bodiesFile: string, finishedFile: string): Promise<LoadResult> {
  const threads = Math.min(2, load.connections);
  const args = [
    `-t${threads}`,
    `-c${load.connections}`,
    `-d${load.seconds}s`,
    `--timeout`,
    `${TIMEOUT_SECONDS}s`,
    '-s',
    WRK_SCRIPT,
    ...Object.entries(load.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    `${load.url}${load.path}`,
    '--',
    bodiesFile,
    String(load.maxRequests ?? 0),
    String(threads),
    finishedFile,
    String(load.connections),
  ];
  // bash's `times` prints the CPU its children used: wrk's, measured after it exited.
  const { stdout, stderr, code } = await run('bash', [
    '-c',
    'wrk "$@"; status=$?; echo "@@bench-times@@"; times; exit $status',
    'bash',
    ...args,
  ]);
  const summary = /@@bench-wrk@@(.*)/.exec(stdout)?.[1];
  if (code !== 0 || summary === undefined) throw new Error(`wrk failed (${code}): ${stderr}${stdout}`);
  const parsed = JSON.parse(summary) as {
    requests: number;
    durationMicroseconds: number;
    p50: number;
    p99: number;
    max: number;
    failed: number;
    socketErrors: number;
    statuses: Record<string, number>;
  };
  const childTimes = stdout.split('@@bench-times@@')[1]!.trim().split('\n')[1] ?? '';
  const seconds = parsed.durationMicroseconds / 1e6;
  return {
    generator: 'wrk',
    requests: parsed.requests,
    seconds,
    requestsPerSecond: parsed.requests / seconds,
    p50: parsed.p50 / 1000,
    p99: parsed.p99 / 1000,
    max: parsed.max / 1000,
    failed: parsed.failed + parsed.socketErrors,
    statuses: parsed.statuses,
    generatorCpuSeconds: [...childTimes.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
      (sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs),
      0,
    ),
  };
}

async function runAutocannon(load: Load, bodiesFile: string): Promise<LoadResult> {
  const { stdout, stderr, code } = await run(process.execPath, [
    join(BENCH_DIR, 'autocannon-worker.js'),
    JSON.stringify({ ...load, bodies: undefined, bodiesFile, timeoutSeconds: TIMEOUT_SECONDS }),
  ]);
  if (code !== 0) throw new Error(`autocannon worker failed (${code}): ${stderr}`);
  return { generator: 'autocannon', ...(JSON.parse(stdout) as Omit<LoadResult, 'generator'>) };
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}
