// `npm run config-docs`: writes docs/configuration.md from the config schema, as compiled
// into dist/ by the build the script runs first. `--check` (CI) fails when the committed
// file is stale instead of writing it.
import { writeFileSync } from 'node:fs';
import { renderConfigurationReference } from '../dist/config/reference.js';
import { CONFIGURATION_DOCS, formatConfigurationDocs, staleConfigurationDocs } from './config-docs-file.mjs';

const rendered = renderConfigurationReference();
if (process.argv.includes('--check')) {
  const problem = await staleConfigurationDocs(rendered);
  if (problem !== null) {
    console.error(problem);
    process.exit(1);
  }
  console.log(`${CONFIGURATION_DOCS} is up to date`);
} else {
  writeFileSync(CONFIGURATION_DOCS, await formatConfigurationDocs(rendered));
  console.log(`wrote ${CONFIGURATION_DOCS}`);
}
