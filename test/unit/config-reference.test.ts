import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentSchema } from '../../src/config/schema.js';
import { renderConfigurationReference, settingReferences } from '../../src/config/reference.js';
import { CONFIGURATION_DOCS, staleConfigurationDocs } from '../../tools/config-docs-file.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'config-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the settings reference', () => {
  it('documents every variable the schema reads, with a default taken from the schema', () => {
    const references = settingReferences();
    expect(references.map((reference) => reference.name)).toEqual(Object.keys(environmentSchema.shape));
    const byName = new Map(references.map((reference) => [reference.name, reference]));
    expect(byName.get('MONGODB_TIMEOUT')?.shownDefault).toBe('`2s`');
    expect(byName.get('HTTP_MAX_CONNECTIONS')?.shownDefault).toBe('`512`');
    expect(byName.get('DEBUG_ERRORS')?.shownDefault).toBe('`false`');
    expect(byName.get('MONGODB_URI')?.shownDefault).toBe('unset');
    expect(byName.get('SESSION_SIGNING_KEY')?.shownDefault).toBe('random per process (with a warning)');
    const rendered = renderConfigurationReference();
    for (const reference of references) expect(rendered).toContain(`| \`${reference.name}\` |`);
  });

  it('refuses a variable added to the schema without a description', () => {
    expect(() => settingReferences({ ...environmentSchema.shape, NEW_SETTING: z.string().optional() })).toThrow(
      'NEW_SETTING: describe it in the schema',
    );
  });

  it('is what the committed docs/configuration.md holds', async () => {
    expect(await staleConfigurationDocs(renderConfigurationReference(), CONFIGURATION_DOCS)).toBeNull();
  });

  it('fails the check when the file is stale', async () => {
    const stale = join(scratch, 'configuration.md');
    writeFileSync(stale, readFileSync(CONFIGURATION_DOCS, 'utf8').replace(/^\| `MONGODB_DB`.*\n/m, ''));
    expect(await staleConfigurationDocs(renderConfigurationReference(), stale)).toMatch(
      /is stale.*npm run config-docs/,
    );
    expect(await staleConfigurationDocs(renderConfigurationReference(), join(scratch, 'missing.md'))).toMatch(
      /is missing/,
    );
  });
});
