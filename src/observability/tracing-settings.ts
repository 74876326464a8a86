import { z } from 'zod';

/**
 * OpenTelemetry tracing, configured by the standard OTEL_* variables alone (the names and
 * meanings of the OpenTelemetry SDK specification), so that a platform's usual collector
 * settings work unchanged. src/config/ hands the environment in: this file reads no
 * process.env of its own.
 */
export interface TracingSettings {
  readonly serviceName: string;
  /** Where spans are POSTed: the traces endpoint itself, `/v1/traces` included. */
  readonly tracesUrl: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  /** Sent with every export (OTEL_EXPORTER_OTLP_HEADERS), such as a collector's API key. */
  readonly headers: Readonly<Record<string, string>>;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: { readonly name: SamplerName; readonly ratio: number };
}

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** `key=value,key2=value2` with percent-encoded values, as the specification writes them. */
const keyValueList = z.string().transform((text, context): Record<string, string> => {
  const entries: [string, string][] = [];
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = equals === -1 ? '' : item.slice(0, equals).trim();
    if (key === '') {
      context.addIssue({ code: 'custom', message: 'must be a list of key=value pairs separated by commas' });
      return z.NEVER;
    }
    try {
      entries.push([key, decodeURIComponent(item.slice(equals + 1).trim())]);
    } catch {
      context.addIssue({ code: 'custom', message: `the value of ${key} is not valid percent-encoding` });
      return z.NEVER;
    }
  }
  return Object.fromEntries(entries);
});

const httpUrl = z.url({ protocol: /^https?$/ });
const protocol = z.enum(['http/protobuf', 'http/json'], {
  message: 'must be http/protobuf or http/json (grpc is not supported)',
});

/** Each with what it means, for docs/configuration.md (see src/config/schema.ts). */
const telemetry = (description: string, shownDefault?: string) => ({
  section: 'telemetry',
  description,
  ...(shownDefault === undefined ? {} : { default: shownDefault }),
});

export const tracingEnvironmentSchema = z.object({
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'])
    .optional()
    .meta(telemetry('`true` keeps tracing off even with an endpoint.', '`false`')),
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'none'], { message: 'must be otlp or none' })
    .optional()
    .meta(telemetry('`none` keeps tracing off even with an endpoint; `otlp` is the only exporter.', '`otlp`')),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl
    .optional()
    .meta(
      telemetry(
        "The collector's OTLP/HTTP base URL (`/v1/traces` is appended); setting it (or the next) turns tracing on. What the spans carry, and what never: [traces](operations.md#traces).",
      ),
    ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl
    .optional()
    .meta(telemetry('The traces URL itself, used as given; wins over the one above.')),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol
    .optional()
    .meta(telemetry('`http/protobuf` or `http/json`; gRPC is refused.', '`http/protobuf`')),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol
    .optional()
    .meta(telemetry('The same for traces; wins over the one above.', '`OTEL_EXPORTER_OTLP_PROTOCOL`')),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList
    .optional()
    .meta(
      telemetry(
        "`key=value,…` sent with every export, such as a collector's API key (values percent-encoded). Never logged.",
      ),
    ),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList
    .optional()
    .meta(telemetry('Add to and override the ones above for trace exports. Never logged.')),
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .optional()
    .meta(
      telemetry(
        "The spans' `service.name` (else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else the package name).",
        '`recovery-link-subgraph`',
      ),
    ),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList
    .optional()
    .meta(telemetry('`key=value,…` resource attributes, such as `deployment.environment.name=prod`.')),
  OTEL_TRACES_SAMPLER: z
    .enum(SAMPLERS)
    .optional()
    .meta(
      telemetry(
        "`always_on`, `always_off`, `traceidratio` or their `parentbased_` forms; the default follows the caller's sampled flag.",
        '`parentbased_always_on`',
      ),
    ),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta(telemetry('The ratio (0 to 1) the `traceidratio` samplers keep.', '`1`')),
});

export type TracingEnvironment = z.infer<typeof tracingEnvironmentSchema>;

/**
 * Null (tracing off) unless an OTLP endpoint is set; OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none turn it off even then.
 */
export function tracingSettings(env: TracingEnvironment, defaultServiceName: string): TracingSettings | null {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return null;
  const tracesUrl =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? undefined
      : // The general endpoint is a base: the signal's path is appended to it.
        `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (tracesUrl === undefined) return null;
  const resourceAttributes = env.OTEL_RESOURCE_ATTRIBUTES ?? {};
  return {
    // As the SDK resolves it: OTEL_SERVICE_NAME, then service.name in the resource attributes.
    serviceName: env.OTEL_SERVICE_NAME ?? resourceAttributes['service.name'] ?? defaultServiceName,
    tracesUrl,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    resourceAttributes,
    sampler: { name: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on', ratio: env.OTEL_TRACES_SAMPLER_ARG ?? 1 },
  };
}
