import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ROOT, developmentKeyOf, startService } from '../support/service-process.js';

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

  it('finishes a request in flight when SIGTERM arrives, then exits 0', async () => {
    const service = await startService();
    const { child, port, output } = service;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk));
    const half = Math.floor(DEMO_MUTATION.length / 2);
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer ${developmentKeyOf(service)}\r\nContent-Length: ${Buffer.byteLength(DEMO_MUTATION)}\r\n\r\n${DEMO_MUTATION.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(child.exitCode).toBeNull();
    socket.write(DEMO_MUTATION.slice(half));

    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain('"recoveryLink":"http://localhost:');
    expect(output()).toContain('draining requests in flight');
    socket.destroy();
  });

  it('refuses bad configuration with one line per problem and exit code 1', async () => {
    const child = spawn(process.execPath, ['dist/main.js'], {
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
