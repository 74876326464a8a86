import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';

/** The processes a benchmark run measures: started here, or found by the port they serve. */

export const ROOT = new URL('../../', import.meta.url);
export const ADMIN_KEY = 'bench-admin-key-with-at-least-32-characters';

export interface Running {
  /** The end of what the process wrote on stderr (its errors: logs go to stdout). */
  errors(): string;
  readonly url: string;
  readonly pid: number;
  /** SIGKILL unless told otherwise; SIGTERM lets the service shut down (and write a profile). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `dist/app/main.js` is the service as shipped; `.bench-build/bench/ceiling.js` the bare
 * node:http ceiling; `.bench-build/bench/service.js` the service with a pre-fill hook.
 */
export async function startNode(
  entry: string,
  environment: Record<string, string>,
  nodeOptions: readonly string[] = [],
): Promise<Running> {
  const port = await freePort();
  // Logs (stdout) go nowhere: an unread pipe would block the process. stderr says why a start failed.
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      LOG_LEVEL: 'info',
      APOLLO_TELEMETRY_DISABLED: 'true',
      ADMIN_API_KEYS: ADMIN_KEY,
      RECOVERY_TOKEN_SECRET: 'bench-token-secret-with-at-least-32-chars',
      SESSION_SIGNING_KEY: 'bench-signing-key-with-at-least-32-chars!',
      // What production runs (graphql-js and Apollo skip development-only checks), on either store.
      NODE_ENV: 'production',
      ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true',
      // https, as production requires; links are only parsed for their flow and token here.
      PUBLIC_BASE_URL: `https://localhost:${port}`,
      ...environment,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The last 8 KB: enough for why it failed, bounded however much it writes.
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-8_192)));
  const url = `http://127.0.0.1:${port}`;
  // Pre-filling takes a while before the server listens; a process that died says so.
  for (let i = 0; i < 6_000 && child.exitCode === null; i++) {
    try {
      await fetch(`${url}/health/live`);
      return {
        url,
        pid: child.pid!,
        errors: () => stderr,
        async stop(signal = 'SIGKILL') {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill(signal);
          await exited;
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not start: ${stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The process listening on a loopback TCP port, if it is ours to see: the database server,
 * whoever started it. Null for a remote server or another user's process.
 */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // Column 1 is local address:port in hex, 3 the state (0A = LISTEN), 9 the inode.
      if (columns[3] === '0A' && parseInt(columns[1]?.split(':')[1] ?? '', 16) === port) inodes.add(columns[9]!);
    }
  }
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const descriptor of descriptors) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${descriptor}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return Number(pid);
      } catch {
        // Closed while we looked.
      }
    }
  }
  return null;
}
