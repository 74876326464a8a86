import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The README is a front page: the two commands, the journey and links; the rest lives in docs/. */
const ROOT = new URL('../../', import.meta.url);

describe('the front page', () => {
  it('stays at most 12 KB', () => {
    expect(statSync(new URL('README.md', ROOT)).size).toBeLessThanOrEqual(12 * 1024);
  });

  it('links only to docs that exist', () => {
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const linked = [...readme.matchAll(/\]\(((?:docs|bench|examples)\/[^)#]+)/g)].map((match) => match[1]!);
    expect(linked).toContain('docs/configuration.md');
    for (const path of linked) expect(() => statSync(new URL(path, ROOT)), path).not.toThrow();
  });
});
