import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * The production install is `npm ci && npm run build && npm prune --omit=dev`: whatever
 * dist/ (compiled by the global setup) imports must be a dependency, not a devDependency,
 * or `npm run start:prod` fails in the image while every test here passes.
 */
const ROOT = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  dependencies: Record<string, string>;
};

function packagesImportedBy(directory: URL): Set<string> {
  const packages = new Set<string>();
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const source = readFileSync(`${entry.parentPath}/${entry.name}`, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
      if (specifier === undefined || specifier.startsWith('.')) continue;
      const parts = specifier.split('/');
      packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return packages;
}

describe('the production build', () => {
  it('imports only Node built-ins and runtime dependencies', () => {
    const imported = [...packagesImportedBy(new URL('dist/', ROOT))];
    expect(imported).toContain('@apollo/server');
    const builtins = new Set(builtinModules);
    const outside = imported.filter(
      (name) => !name.startsWith('node:') && !builtins.has(name) && !(name in manifest.dependencies),
    );
    expect(outside).toEqual([]);
  });
});
