import { z } from 'zod';
import { environmentSchema, type SettingSection } from './schema.js';

/**
 * docs/configuration.md, rendered from the schema's fields so the reference says what the
 * service checks: `npm run config-docs` writes it (tools/config-docs.mjs formats it with
 * Prettier) and `npm run config-docs:check` fails in CI when the committed file differs.
 */
const SECTIONS: Readonly<Record<SettingSection, { readonly title: string; readonly intro: string }>> = {
  server: { title: 'Server', intro: 'The HTTP listener, its limits, and who stands in front of it.' },
  store: { title: 'Store', intro: 'MongoDB, or the embedded in-memory store when `MONGODB_URI` is unset.' },
  links: {
    title: 'Links',
    intro: 'How recovery links are made, how long they live, and how often they may be asked for.',
  },
  sessions: { title: 'Sessions', intro: 'The session a redeemed link grants, and where the recovery page goes next.' },
  auth: { title: 'Admin authentication', intro: 'API keys, JWTs from an identity provider, or both.' },
  graphql: { title: 'GraphQL', intro: 'What the GraphQL endpoint accepts and shows.' },
  router: {
    title: 'Behind a router',
    intro: 'Who may speak for clients, and which documents run ([behind a router](federation.md#behind-a-router)).',
  },
  retention: {
    title: 'Retention',
    intro: 'How long links and audit entries are kept ([retention](operations.md#retention)).',
  },
  telemetry: {
    title: 'Logs and tracing (OpenTelemetry)',
    intro:
      'The log level, and the standard `OTEL_*` variables, read in `src/config/` too. Tracing is off unless an OTLP endpoint is set; what the spans carry, and what never: [operations.md](operations.md#traces).',
  },
};

export interface SettingReference {
  readonly name: string;
  readonly section: SettingSection;
  /** Markdown, as shown in the table. */
  readonly shownDefault: string;
  readonly description: string;
}

const isSection = (value: unknown): value is SettingSection => typeof value === 'string' && value in SECTIONS;

/** Every variable of the schema, in its order; one without a section and a description is refused. */
export function settingReferences(
  fields: Readonly<Record<string, z.ZodType>> = environmentSchema.shape,
): SettingReference[] {
  return Object.entries(fields).map(([name, field]: [string, z.ZodType]) => {
    const meta = field.meta();
    if (meta === undefined || typeof meta.description !== 'string' || !isSection(meta.section)) {
      throw new Error(`${name}: describe it in the schema with .meta({ section, description })`);
    }
    return {
      name,
      section: meta.section,
      shownDefault: typeof meta.default === 'string' ? meta.default : schemaDefault(field),
      description: meta.description,
    };
  });
}

function schemaDefault(field: z.ZodType): string {
  if (field instanceof z.ZodDefault || field instanceof z.ZodPrefault) {
    return `\`${String(field.def.defaultValue)}\``;
  }
  if (field instanceof z.ZodPipe) return schemaDefault(field.in as z.ZodType);
  return 'unset';
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The whole of docs/configuration.md, before Prettier aligns its tables. */
export function renderConfigurationReference(): string {
  const settings = settingReferences();
  const lines = [
    '<!-- Written by `npm run config-docs` from src/config/schema.ts: edit the descriptions there. -->',
    '',
    '# Configuration',
    '',
    'All configuration comes from environment variables, read and checked in `src/config/`',
    'against the schema in `src/config/schema.ts` (tracing: `src/observability/tracing-settings.ts`);',
    'a bad setting stops the process with one line per problem (exit code 1). An empty variable',
    'counts as unset. Production requires some of them: see the',
    '[production checklist](operations.md#production-checklist).',
  ];
  for (const [section, { title, intro }] of Object.entries(SECTIONS)) {
    lines.push('', `## ${title}`, '', intro, '', '| Variable | Default | Meaning |', '| --- | --- | --- |');
    for (const setting of settings.filter((candidate) => candidate.section === section)) {
      lines.push(`| \`${setting.name}\` | ${cell(setting.shownDefault)} | ${cell(setting.description)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
