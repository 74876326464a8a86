import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { devDatabaseName } from '../../tools/dev-database-name.mjs';

/** `npm run db` keeps one PostgreSQL database per checkout, so two clones never share data. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const otherCheckout = mkdtempSync(join(tmpdir(), 'other-checkout-'));
afterAll(() => rmSync(otherCheckout, { recursive: true, force: true }));

function printedName(checkout: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(checkout, 'tools/db.mjs'), '--database-name'], (error, stdout) =>
      error === null ? resolve(stdout.trim()) : reject(error),
    );
  });
}

describe("npm run db's database", () => {
  it('is named after the checkout, the same on every start', () => {
    expect(devDatabaseName(ROOT)).toBe(devDatabaseName(`${ROOT}/./`));
    expect(devDatabaseName(ROOT)).not.toBe(devDatabaseName(otherCheckout));
  });

  it('is a plain PostgreSQL identifier', () => {
    expect(devDatabaseName(ROOT)).toMatch(/^recovery_link_dev_[0-9a-f]{12}$/);
    expect(devDatabaseName(ROOT).length).toBeLessThanOrEqual(63);
  });

  it('differs between two checkouts of the tool, each printing its own', async () => {
    cpSync(join(ROOT, 'tools/db.mjs'), join(otherCheckout, 'tools/db.mjs'));
    cpSync(join(ROOT, 'tools/dev-database-name.mjs'), join(otherCheckout, 'tools/dev-database-name.mjs'));
    const [here, there] = await Promise.all([printedName(ROOT), printedName(otherCheckout)]);
    expect(here).toBe(devDatabaseName(ROOT));
    expect(there).toBe(devDatabaseName(otherCheckout));
    expect(here).not.toBe(there);
  });
});
