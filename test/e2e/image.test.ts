import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * What an image holds, and nothing more: package.json, the lock file, production
 * node_modules (`npm ci --omit=dev`) and dist/ as `npm run build` left it (the global setup
 * runs it), in a folder outside the checkout, started in production on the test database.
 * A module that reads a file from the checkout instead of dist/ fails here at start.
 */
const ROOT = new URL('../../', import.meta.url);
const ADMIN_KEY = 'image-admin-key-'.padEnd(40, 'k');
const PUBLIC_BASE_URL = 'https://id.example.com';

let image: string;
let scratch: ScratchDatabase;
let service: ChildProcess | undefined;
let serviceUrl: string;
const identity = identityFixture();

/** Output goes to a file, so a chatty child can never block on a full pipe. */
function logFile(name: string): { path: string; descriptor: number } {
  const path = join(image, name);
  return { path, descriptor: openSync(path, 'w') };
}

async function waitForListeningUrl(logPath: string, child: ChildProcess): Promise<string> {
  for (;;) {
    const output = readFileSync(logPath, 'utf8');
    const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/graphql"/.exec(output);
    if (listening?.[1] !== undefined) return listening[1];
    if (child.exitCode !== null) throw new Error(`the image's service exited with ${child.exitCode}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  image = mkdtempSync(join(tmpdir(), 'recovery-image-'));
  for (const file of ['package.json', 'package-lock.json']) cpSync(new URL(file, ROOT), join(image, file));
  cpSync(new URL('dist/', ROOT), join(image, 'dist'), { recursive: true });

  const install = logFile('npm-ci.log');
  const installed = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: image,
    stdio: ['ignore', install.descriptor, install.descriptor],
  });
  closeSync(install.descriptor);
  if (installed.status !== 0) throw new Error(`npm ci failed:\n${readFileSync(install.path, 'utf8')}`);

  scratch = await openScratchDatabase();
  await insertIdentity(scratch.db, identity);

  const log = logFile('service.log');
  service = spawn(process.execPath, ['dist/app/main.js'], {
    cwd: image,
    stdio: ['ignore', log.descriptor, log.descriptor],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      MONGODB_URI: scratch.uri,
      MONGODB_DB: scratch.name,
      PUBLIC_BASE_URL,
      ADMIN_API_KEYS: ADMIN_KEY,
      RECOVERY_TOKEN_SECRET: 'image-token-secret-'.padEnd(40, 't'),
      SESSION_SIGNING_KEY: 'image-session-key-'.padEnd(40, 's'),
    },
  });
  closeSync(log.descriptor);
  serviceUrl = await waitForListeningUrl(log.path, service);
}, 240_000);

afterAll(async () => {
  if (service !== undefined && service.exitCode === null) {
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await scratch?.drop();
  if (image !== undefined) rmSync(image, { recursive: true, force: true });
});

describe('an image of package.json, the lock file, production node_modules and dist/', () => {
  it('holds no source, no development dependency and no checkout around it', () => {
    expect(image.startsWith(fileURLToPath(ROOT))).toBe(false);
    expect(existsSync(join(image, 'src'))).toBe(false);
    expect(existsSync(join(image, 'node_modules/@apollo/server'))).toBe(true);
    expect(existsSync(join(image, 'node_modules/vitest'))).toBe(false);
  });

  it('is ready on the test database', async () => {
    const ready = await fetch(`${serviceUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('creates a recovery link for an admin, through the schema and documents it carries', async () => {
    const response = await fetch(`${serviceUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId: identity.id } } }),
    });
    const body = (await response.json()) as { data?: { createRecoveryLink: { recoveryLink: string } } };
    expect(response.status).toBe(200);
    const link = new URL(body.data!.createRecoveryLink.recoveryLink);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_BASE_URL}/recovery`);
  });

  it('serves the recovery page with its script, its style and the redemption document', async () => {
    const page = await fetch(`${serviceUrl}/recovery?flow=${identity.id}&token=unused`);
    const html = await page.text();
    expect(page.status).toBe(200);
    const source = (name: string) => readFileSync(new URL(name, ROOT), 'utf8');
    expect(html).toContain(source('src/http/recovery-page/page.js').split('\n')[2]!.trim());
    expect(html).toContain(source('src/http/recovery-page/page.css').split('\n')[2]!.trim());
    expect(html).toContain('redeemRecoveryLink');
  });
});
