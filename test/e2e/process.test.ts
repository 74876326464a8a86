import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDENTITY } from '../../src/stores/index.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { ROOT, developmentKeyOf, startService, type ServiceProcess } from '../support/service-process.js';

/**
 * The service as `npm start` runs it: the compiled entry point in its own process,
 * configured by environment variables only, on the embedded store. The global setup
 * compiles dist/ once per run.
 */
const DEMO_MUTATION = JSON.stringify({
  query:
    'mutation { createRecoveryLink(input: {identityId: "3fa85f64-5717-4562-b3fc-2c963f66afa6", expiresIn: "1h"}) { expiresAt recoveryLink } }',
});

describe('the service process', () => {
  it('starts on the embedded store, says nothing is persisted, and serves the demo identity to the printed key', async () => {
    const service = await startService();
    const { child, port, output } = service;
    try {
      expect(output()).toContain('Nothing is persisted');
      const anonymous = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: DEMO_MUTATION,
      });
      expect(((await anonymous.json()) as any).errors[0].extensions.error).toMatchObject({
        code: 401,
        id: 'unauthenticated',
      });
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${developmentKeyOf(service)}` },
        body: DEMO_MUTATION,
      });
      const body = (await response.json()) as { data: { createRecoveryLink: { recoveryLink: string } } };
      const link = new URL(body.data.createRecoveryLink.recoveryLink);
      expect(`${link.origin}${link.pathname}`).toBe(`http://localhost:${port}/recovery`);
      // The token must never reach the logs.
      expect(output()).not.toContain(link.searchParams.get('token'));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses bad configuration with one line per problem and exit code 1', async () => {
    const child = spawn(process.execPath, ['dist/app/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: 'abc', RECOVERY_LINK_LIFESPAN: '1d', NODE_ENV: 'production' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Configuration error: PORT: /),
      expect.stringMatching(/^Configuration error: RECOVERY_LINK_LIFESPAN: "1d" is not a duration/),
      expect.stringMatching(/^Configuration error: RECOVERY_TOKEN_SECRET: is required when NODE_ENV=production/),
      expect.stringMatching(/^Configuration error: SESSION_SIGNING_KEY: is required when NODE_ENV=production/),
      expect.stringMatching(
        /^Configuration error: ADMIN_API_KEYS or AUTH_JWKS_URL: admin operations must be authenticated/,
      ),
      expect.stringMatching(/^Configuration error: MONGODB_URI: is required when NODE_ENV=production/),
      expect.stringMatching(/^Configuration error: PUBLIC_BASE_URL: is required when NODE_ENV=production/),
    ]);
  });
});

describe('Apollo Sandbox of a service without configured keys', () => {
  it('sends the generated development key with the example operation', async () => {
    const service = await startService();
    try {
      const page = await (await fetch(`${service.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(page).toContain(`"headers":{"Authorization":"Bearer ${developmentKeyOf(service)}"}`);
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});

/**
 * Shutdown as an orchestrator does it, on both stores: SIGTERM, then the exit code. On
 * MongoDB this used to hit the 15s deadline and exit 1 every time (Apollo's own signal
 * handlers raced ours); exit code 1 is also what the deadline gives, so asserting 0 is
 * asserting that shutdown finished by itself.
 */
let scratch: ScratchDatabase;
beforeAll(async () => {
  scratch = await openScratchDatabase();
  await insertIdentity(scratch.db, DEMO_IDENTITY);
});
afterAll(() => scratch?.drop());

const stores: [string, () => Record<string, string>][] = [
  ['the embedded store', () => ({})],
  ['MongoDB', () => ({ MONGODB_URI: scratch.uri, MONGODB_DB: scratch.name })],
];

describe.each(stores)('shutdown on %s', (_store, environment) => {
  it('exits 0 on SIGTERM and on SIGINT when idle', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const service = await startService(environment());
      service.child.kill(signal);
      const [code] = await once(service.child, 'exit');
      expect(code).toBe(0);
      expect(service.output()).toContain('"msg":"stopped"');
      expect(service.output()).not.toContain('did not finish in time');
    }
  });

  it('finishes the requests in flight when SIGTERM arrives, closes idle connections, then exits 0', async () => {
    const service = await startService(environment());
    const { child } = service;
    // A keep-alive connection that has finished its request: it must not hold up the exit.
    const idle = await openConnection(service);
    idle.socket.write(request(service, DEMO_MUTATION));
    await idle.replied(/"recoveryLink":"http:\/\/localhost:/);
    const idleClosed = once(idle.socket, 'close');
    // Requests whose headers the server has acknowledged (100 Continue), bodies not sent yet.
    const inFlight = await Promise.all([1, 2, 3].map(() => openConnection(service)));
    for (const connection of inFlight) {
      connection.socket.write(request(service, DEMO_MUTATION, { expectContinue: true }));
      await connection.replied(/^HTTP\/1\.1 100 Continue\r\n/);
    }

    child.kill('SIGTERM');
    await until(() => service.output().includes('draining requests in flight'));
    await idleClosed;
    expect(child.exitCode).toBeNull();
    for (const connection of inFlight) connection.socket.write(DEMO_MUTATION);

    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    for (const connection of inFlight) {
      expect(connection.reply()).toMatch(/\r\nHTTP\/1\.1 200 OK\r\n/);
      expect(connection.reply()).toContain('"recoveryLink":"http://localhost:');
      connection.socket.destroy();
    }
  });
});

function request(service: ServiceProcess, body: string, options: { expectContinue?: boolean } = {}): string {
  return [
    'POST /graphql HTTP/1.1',
    'Host: localhost',
    'Content-Type: application/json',
    `Authorization: Bearer ${developmentKeyOf(service)}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(options.expectContinue ? ['Expect: 100-continue', '', ''] : ['', body]),
  ].join('\r\n');
}

interface Connection {
  readonly socket: Socket;
  readonly reply: () => string;
  /** Resolves once the reply so far matches. */
  replied(pattern: RegExp): Promise<void>;
}

async function openConnection(service: ServiceProcess): Promise<Connection> {
  const socket = connect(service.port, '127.0.0.1');
  await once(socket, 'connect');
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk));
  return {
    socket,
    reply: () => reply,
    replied: (pattern) => until(() => pattern.test(reply)),
  };
}

/** Polls a condition the test cannot await directly; the test's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
