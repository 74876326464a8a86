import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Self and total time by module group, from the .cpuprofile files of one folder (kept by
 * BENCH_KEEP_PROFILES=1, or written by `node --cpu-prof` by hand):
 *
 *   node .bench-build/bench/profile-groups.js <folder> [skip seconds]
 *
 * Self time is where a sample was taken: a frame of no group of its own (a native
 * function) counts for its nearest caller's group, as in profile.ts. Total time counts a
 * sample for every group on its stack, once: "Apollo Server 27% total" is the share of
 * samples taken while some Apollo Server frame was on the stack. The first seconds (the
 * start-up and the warm-up) can be skipped. Shares, not times: the machine is shared.
 */

const GROUPS: readonly [string, RegExp][] = [
  ['graphql-jit', /node_modules\/graphql-jit\//],
  ['graphql-js', /node_modules\/graphql\//],
  ['Apollo Server', /node_modules\/@apollo\/(server|utils[^/]*)\//],
  ['Apollo subgraph', /node_modules\/@apollo\/subgraph/],
  ['negotiator, whatwg-mimetype (Apollo content negotiation)', /node_modules\/(negotiator|whatwg-mimetype)/],
  ['pino (logging)', /node_modules\/(pino|sonic-boom|thread-stream|fast-redact|@pinojs|quick-format)/],
  ['prom-client (metrics)', /node_modules\/prom-client/],
  ['other dependencies', /node_modules\//],
  ['ours: src/http', /\/(?:dist|\.bench-build\/src)\/http\//],
  ['ours: src/graphql', /\/(?:dist|\.bench-build\/src)\/graphql\//],
  ['ours: src/observability', /\/(?:dist|\.bench-build\/src)\/observability\//],
  ['ours: src/recovery, src/auth', /\/(?:dist|\.bench-build\/src)\/(recovery|auth)\//],
  ['ours: src/stores', /\/(?:dist|\.bench-build\/src)\/stores\//],
  ['ours: other', /\/(?:dist|\.bench-build\/src)\//],
  ['ceiling handler', /\/bench\/ceiling/],
  ['AsyncLocalStorage, async hooks', /async_hooks|async_local_storage|promise_hooks/],
  ['crypto', /node:internal\/crypto|node:crypto /],
  ['Node.js http, net, streams', /^node:(_http|internal\/http|net|internal\/streams|events|internal\/stream_base)/],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function ownGroup({ functionName, url }: ProfileNode['callFrame']): string | null {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 and native code outside JavaScript';
  return GROUPS.find(([, pattern]) => pattern.test(`${url} ${functionName}`))?.[0] ?? null;
}

export function groupShares(directory: string, skipSeconds = 0) {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  const add = (map: Map<string, number>, key: string, time: number) => map.set(key, (map.get(key) ?? 0) + time);
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const selfGroup = (id: number): string => {
      const own = ownGroup(byId.get(id)!.callFrame);
      if (own !== null) return own;
      const parent = parentOf.get(id);
      return parent === undefined ? 'Node.js: event loop, timers, microtasks' : selfGroup(parent);
    };
    let elapsed = 0;
    profile.samples.forEach((id, i) => {
      const time = profile.timeDeltas[i] ?? 0;
      elapsed += time;
      const group = selfGroup(id);
      if (elapsed < skipSeconds * 1e6 || group === 'idle') return;
      busy += time;
      add(self, group, time);
      const onStack = new Set<string>([group]);
      for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
        const own = ownGroup(byId.get(node)!.callFrame);
        if (own !== null) onStack.add(own);
      }
      for (const onePerSample of onStack) add(total, onePerSample, time);
    });
  }
  const percent = (time: number) => Number(((100 * time) / busy).toFixed(1));
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([group, time]) => ({ group, self: percent(time), total: percent(total.get(group) ?? time) }));
}

if (process.argv[2] !== undefined) {
  process.stdout.write('| group | self % | total % |\n| --- | --- | --- |\n');
  for (const { group, self, total } of groupShares(process.argv[2], Number(process.argv[3] ?? 0)))
    process.stdout.write(`| ${group} | ${self} | ${total} |\n`);
}
