import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The compiled service (dist/, built by the global setup), run as `npm start` runs it. */
export const ROOT = new URL('../../', import.meta.url);

export interface ServiceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly url: string;
  readonly output: () => string;
}

const started = new Set<ChildProcessWithoutNullStreams>();
// A test that fails before its cleanup must not leave services running after the run.
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Starts `node dist/app/main.js` with only these variables (and PATH); resolves once it listens. */
export async function startService(environment: Record<string, string> = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['dist/app/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...environment },
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const ready = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(output);
      if (ready) resolve(Number(ready[1]));
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => output };
}

/** The one-off admin key a service without ADMIN_API_KEYS printed at start. */
export function developmentKeyOf(service: ServiceProcess): string {
  const key = /Authorization: Bearer (dev_[\w-]+)/.exec(service.output())?.[1];
  if (key === undefined) throw new Error(`no development key in the output:\n${service.output()}`);
  return key;
}
