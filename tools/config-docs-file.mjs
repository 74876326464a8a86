// docs/configuration.md as the repository keeps it: the reference rendered from the config
// schema (src/config/reference.ts), aligned by Prettier with the repository's settings, so
// `npm run format:check` and `npm run config-docs:check` agree on one text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

export const CONFIGURATION_DOCS = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

export async function formatConfigurationDocs(rendered) {
  const options = (await resolveConfig(CONFIGURATION_DOCS)) ?? {};
  return format(rendered, { ...options, filepath: CONFIGURATION_DOCS });
}

/** Null when the file holds exactly what the schema renders to; else what to run. */
export async function staleConfigurationDocs(rendered, path = CONFIGURATION_DOCS) {
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    return `${path} is missing: run npm run config-docs`;
  }
  return committed === (await formatConfigurationDocs(rendered))
    ? null
    : `${path} is stale: the config schema's descriptions changed; run npm run config-docs`;
}
