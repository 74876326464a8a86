import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the service's CPU time goes, layer by layer, from a V8 profile (`node --cpu-prof`):
 * self time of every sample, grouped by the file its function lives in.
 */

export function profileDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'bench-profile-'));
}

/**
 * Layers in the order they are tried; the first whose pattern matches the script URL (or,
 * for Node's own frames, "url function") wins. A frame of no layer of its own (a native
 * function such as JSON.parse or an HMAC, a stream or an event emitter) counts for the
 * layer of its nearest caller that has one, so crypto shows in the domain that hashes.
 */
const LAYERS: readonly [string, RegExp][] = [
  ['graphql-js (parse, validate, execute)', /node_modules\/graphql\//],
  ['graphql-jit (compiled execution)', /node_modules\/graphql-jit\//],
  ['Apollo Server', /node_modules\/(@apollo\/(server|subgraph|utils)|negotiator|whatwg-mimetype)/],
  ['pino (logging)', /node_modules\/(pino|sonic-boom|thread-stream|fast-redact|@pinojs|quick-format)/],
  ['prom-client (metrics)', /node_modules\/prom-client/],
  ['MongoDB driver', /node_modules\/(mongodb|bson)\//],
  ['jose (session tokens)', /node_modules\/jose\//],
  ['zod', /node_modules\/zod\//],
  ['other dependencies', /node_modules\//],
  ['service: HTTP layer (src/http)', /\/(?:dist|\.bench-build\/src)\/http\//],
  ['service: GraphQL layer (src/graphql)', /\/(?:dist|\.bench-build\/src)\/graphql\//],
  ['service: observability (src/observability)', /\/(?:dist|\.bench-build\/src)\/observability\//],
  ['service: domain (src/recovery, src/auth)', /\/(?:dist|\.bench-build\/src)\/(recovery|auth)/],
  ['service: stores (src/stores)', /\/(?:dist|\.bench-build\/src)\/stores\//],
  ['service: other', /\/(?:dist|\.bench-build\/src)\//],
  ['ceiling handler (bench/ceiling.ts)', /\/bench\/ceiling/],
  ['Node.js: module loading (start-up)', /^node:internal\/modules\//],
  ['Node.js: async hooks (AsyncLocalStorage)', /async_hooks (?!callbackTrampoline)/],
  ['Node.js: HTTP requests in (parser, IncomingMessage)', /^node:_http_(server|incoming|common)/],
  ['Node.js: HTTP responses out (socket writes)', /^node:(_http_outgoing|net)|stream_base_commons/],
];

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfiles(directory: string): { layer: string; percent: number }[] {
  const totals = new Map<string, number>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const layerOf = new Map<number, string>();
    const classify = (id: number): string => {
      const known = layerOf.get(id);
      if (known !== undefined) return known;
      const { url, functionName } = byId.get(id)!.callFrame;
      const own =
        functionName === '(garbage collector)'
          ? 'garbage collection'
          : functionName === '(idle)'
            ? 'idle'
            : functionName === '(program)'
              ? 'V8 and native code outside JavaScript'
              : LAYERS.find(([, pattern]) => pattern.test(`${url} ${functionName}`))?.[0];
      const parent = parentOf.get(id);
      const layer = own ?? (parent === undefined ? 'Node.js: event loop, timers, microtasks' : classify(parent));
      layerOf.set(id, layer);
      return layer;
    };
    profile.samples.forEach((id, i) => {
      const layer = classify(id);
      totals.set(layer, (totals.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
  }
  if (process.env.BENCH_KEEP_PROFILES === undefined) rmSync(directory, { recursive: true, force: true });
  totals.delete('idle');
  const busy = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals.entries()]
    .map(([layer, time]) => ({ layer, percent: Number(((100 * time) / busy).toFixed(1)) }))
    .sort((a, b) => b.percent - a.percent);
}

/** What a profile shows of one body of code, past start-up (see shareOfCode). */
export interface CodeShare {
  /** Self time of its functions (and of native frames they called), % of the busy CPU. */
  readonly selfPercent: number;
  /** Samples with any of its functions on the stack, % of the busy CPU. */
  readonly inclusivePercent: number;
  /** Busy CPU after start-up, summed over the profiles, and the samples it is made of. */
  readonly busyMilliseconds: number;
  readonly busySamples: number;
  /** Of its functions, those sampled at least once (name and file), a few at most. */
  readonly functionsSeen: readonly string[];
}

const MAX_FUNCTIONS_LISTED = 10;

/**
 * The share of the busy CPU spent in code whose script URL matches `pattern`, from the
 * `.cpuprofile` files in `directory`. Samples with module loading on their stack are
 * start-up, not requests, and are left out; so is idle time.
 */
export function shareOfCode(directory: string, pattern: RegExp): CodeShare {
  let busy = 0;
  let busySamples = 0;
  let self = 0;
  let inclusive = 0;
  const seen = new Set<string>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const stackOf = (leaf: number) => {
      const frames = [];
      for (let id: number | undefined = leaf; id !== undefined; id = parentOf.get(id)) frames.push(byId.get(id)!);
      return frames;
    };
    profile.samples.forEach((leaf, i) => {
      const frames = stackOf(leaf);
      const { functionName } = frames[0]!.callFrame;
      if (functionName === '(idle)') return;
      if (frames.some(({ callFrame }) => callFrame.url.startsWith('node:internal/modules/'))) return;
      const delta = profile.timeDeltas[i] ?? 0;
      busy += delta;
      busySamples++;
      // A native frame (no script) counts for the nearest caller that has one, as summarizeProfiles does.
      const owner = frames.find(({ callFrame }) => callFrame.url !== '');
      if (owner !== undefined && pattern.test(owner.callFrame.url)) self += delta;
      const matching = frames.filter(({ callFrame }) => pattern.test(callFrame.url));
      if (matching.length > 0) inclusive += delta;
      for (const { callFrame } of matching) {
        if (seen.size >= MAX_FUNCTIONS_LISTED) break;
        seen.add(
          `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(dist|node_modules)\//, '')}`,
        );
      }
    });
  }
  if (process.env.BENCH_KEEP_PROFILES === undefined) rmSync(directory, { recursive: true, force: true });
  const percent = (time: number) => Number(((100 * time) / Math.max(1, busy)).toFixed(3));
  return {
    selfPercent: percent(self),
    inclusivePercent: percent(inclusive),
    busyMilliseconds: Math.round(busy / 1000),
    busySamples,
    functionsSeen: [...seen],
  };
}
