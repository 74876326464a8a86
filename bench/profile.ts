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

/** Layers in the order they are tried; the first whose pattern matches the script URL wins. */
const LAYERS: readonly [string, RegExp][] = [
  ['graphql-js (parse, validate, execute)', /node_modules\/graphql\//],
  ['Apollo Server', /node_modules\/@apollo\/(server|subgraph|utils)/],
  ['pino (logging)', /node_modules\/(pino|sonic-boom|thread-stream|fast-redact)/],
  ['prom-client (metrics)', /node_modules\/prom-client/],
  ['MongoDB driver', /node_modules\/(mongodb|bson)\//],
  ['jose (session tokens)', /node_modules\/jose\//],
  ['zod', /node_modules\/zod\//],
  ['other dependencies', /node_modules\//],
  ['service: HTTP layer (src/http)', /\/dist\/http\//],
  ['service: GraphQL layer (src/graphql)', /\/dist\/graphql\//],
  ['service: observability (src/observability)', /\/dist\/observability\//],
  ['service: domain (src/recovery)', /\/dist\/recovery/],
  ['service: stores (src/stores)', /\/dist\/stores\//],
  ['service: other', /\/dist\//],
  ['Node.js internals (http, streams, crypto, async hooks)', /^node:|^internal\//],
];

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfiles(directory: string): { layer: string; percent: number }[] {
  const totals = new Map<string, number>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Profile;
    const layerOf = new Map<number, string>();
    for (const node of profile.nodes) {
      const { url, functionName } = node.callFrame;
      // (program), (garbage collector) and (idle) have no script.
      const layer =
        url === ''
          ? functionName === '(garbage collector)'
            ? 'garbage collection'
            : functionName === '(idle)'
              ? 'idle'
              : functionName === '(program)'
                ? 'V8 and native code outside JavaScript'
                : 'Node.js internals (http, streams, crypto, async hooks)'
          : (LAYERS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'other');
      layerOf.set(node.id, layer);
    }
    profile.samples.forEach((id, i) => {
      const layer = layerOf.get(id) ?? 'other';
      totals.set(layer, (totals.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
  }
  rmSync(directory, { recursive: true, force: true });
  totals.delete('idle');
  const busy = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals.entries()]
    .map(([layer, time]) => ({ layer, percent: Number(((100 * time) / busy).toFixed(1)) }))
    .sort((a, b) => b.percent - a.percent);
}
