// npm run supergraph: composes supergraph.yaml (rover's format) into supergraph.graphql with
// @apollo/composition, offline. rover does the same but downloads its composition plugin
// on first use. Only local schema files are read: nothing here touches the network.
// `--without-authorization` leaves out @requiresScopes (and @authenticated, @policy), for
// Apollo Gateway, which refuses a supergraph whose authorization it cannot enforce.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { withoutAuthorizationDirectives } from './authorization-directives.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const withoutAuthorization = process.argv.includes('--without-authorization');
const [configArgument, outputArgument] = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const configPath = resolve(root, configArgument ?? 'supergraph.yaml');
const outputPath = resolve(root, outputArgument ?? 'supergraph.graphql');

/** The subgraphs of a rover supergraph.yaml, each with its SDL read from `schema.file`. */
function readSupergraphConfig(path) {
  const config = parseYaml(readFileSync(path, 'utf8'));
  if (config?.federation_version !== 2 && config?.federation_version !== '=2') {
    throw new Error(`${path}: federation_version must be 2`);
  }
  return Object.entries(config.subgraphs ?? {}).map(([name, subgraph]) => {
    const file = subgraph?.schema?.file;
    if (typeof subgraph?.routing_url !== 'string' || typeof file !== 'string') {
      throw new Error(`${path}: subgraph ${name} needs routing_url and schema.file (introspection needs rover)`);
    }
    const typeDefs = parse(readFileSync(resolve(dirname(path), file), 'utf8'));
    return {
      name,
      url: subgraph.routing_url,
      typeDefs: withoutAuthorization ? withoutAuthorizationDirectives(typeDefs) : typeDefs,
    };
  });
}

try {
  const subgraphs = readSupergraphConfig(configPath);
  const composition = composeServices(subgraphs);
  for (const hint of composition.hints ?? []) console.warn(`hint: ${hint.message}`);
  if (composition.errors !== undefined) {
    for (const error of composition.errors) console.error(`error: ${error.message}`);
    process.exit(1);
  }
  writeFileSync(outputPath, composition.supergraphSdl);
  console.log(`composed ${subgraphs.map(({ name, url }) => `${name} (${url})`).join(', ')} into ${outputPath}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
