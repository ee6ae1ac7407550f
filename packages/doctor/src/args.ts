// `tracehop doctor` command-line flags → DoctorOptions, or a usage error.
import { parseArgs } from 'node:util';
import type { TraceLogFormat } from '@tracehop/pino';
import { DEFAULTS } from './defaults.js';
import type { DoctorOptions } from './doctor.js';

export const USAGE = `usage: tracehop doctor --url URL --query QUERY [options]

  --url URL                the GraphQL endpoint of the entry service
  --query QUERY            the GraphQL query each probe sends
  --header 'name: value'   extra request header (repeatable), e.g. authorization
  --probes N               number of probes (default ${DEFAULTS.probes})
  --otlp-port PORT         OTLP/HTTP receiver port on 127.0.0.1 (default ${DEFAULTS.otlpPort})
  --otlp-grpc-port PORT    also receive OTLP/gRPC on this port (default: off)
  --logs [SERVICE=]FILE|-  JSON log lines to check (repeatable; - is stdin; SERVICE= names whose lines they are)
  --log-service-field F    the field naming the service that wrote a line (default: service, service.name, …)
  --log-backend NAME       otel | gcp | datadog: the field lines must carry (default: any)
  --expect-tenant ID       the tenant the credentials authenticate as
  --tenant-header NAME     header the probe fills with a spoofed tenant (default ${DEFAULTS.tenantHeader})
  --export-delay-ms MS     longest a service may take to export a span; always waited (default ${DEFAULTS.exportDelayMs})
  --wait-ms MS             longest wait for spans the arrived ones announce (default ${DEFAULTS.waitMs})
  --settle-ms MS           no new span for this long before the verdict (default ${DEFAULTS.settleMs})
  --max-spans N            receiver cap per bucket (default ${DEFAULTS.maxSpans})
  --collector-metrics URL  the collector's self-metrics (Prometheus text, e.g. http://127.0.0.1:8888/metrics):
                           name the spans it refused, failed to export or dropped during the run
  --json                   print the report as JSON on stdout
  --html FILE              also write a self-contained HTML report
  --version                print the version

exit codes: 0 every hop continues, 1 a break was found, 2 usage or connection error`;

/** What the CLI does besides the doctor options. */
export interface CliArgs {
  doctor: DoctorOptions;
  json: boolean;
  html?: string | undefined;
  version: boolean;
}

/** A bad command line (exit code 2, with the usage text). */
class UsageError extends Error {}

const LOG_BACKENDS: readonly TraceLogFormat[] = ['otel', 'gcp', 'datadog'];
const ARGS = {
  url: { type: 'string' },
  query: { type: 'string' },
  header: { type: 'string', multiple: true },
  probes: { type: 'string' },
  'otlp-port': { type: 'string' },
  'otlp-grpc-port': { type: 'string' },
  logs: { type: 'string', multiple: true },
  'log-service-field': { type: 'string' },
  'log-backend': { type: 'string' },
  'expect-tenant': { type: 'string' },
  'tenant-header': { type: 'string' },
  'export-delay-ms': { type: 'string' },
  'wait-ms': { type: 'string' },
  'settle-ms': { type: 'string' },
  'max-spans': { type: 'string' },
  'collector-metrics': { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

function int(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

function headers(values: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must look like 'name: value', got '${value}'`);
    out[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
  }
  return out;
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: ARGS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses `argv` (without node and the script). Throws {@link UsageError}. */
export function parseCliArgs(argv: string[]): CliArgs {
  const { values, positionals } = parse(argv);
  if (values.help) throw new UsageError('');
  if (values.version) return { doctor: { url: '', query: '' }, json: false, version: true };
  if (positionals[0] !== 'doctor' || positionals.length > 1) throw new UsageError(`unknown command '${positionals.join(' ')}'`);
  if (!values.url || !/^https?:\/\//.test(values.url)) throw new UsageError('--url is required and must be an http(s) URL');
  if (!values.query) throw new UsageError('--query is required');
  const collectorMetrics = values['collector-metrics'];
  if (collectorMetrics !== undefined && !isHttpUrl(collectorMetrics)) throw new UsageError('--collector-metrics must be an http(s) URL');
  const backend = values['log-backend'];
  if (backend !== undefined && !LOG_BACKENDS.includes(backend as TraceLogFormat)) {
    throw new UsageError(`--log-backend must be one of ${LOG_BACKENDS.join(', ')}`);
  }
  if ((values.logs ?? []).filter((v) => v === '-' || v.endsWith('=-')).length > 1) {
    throw new UsageError('--logs reads stdin (-) at most once');
  }
  const doctor: DoctorOptions = {
    url: values.url,
    query: values.query,
    headers: headers(values.header),
    probes: int('probes', values.probes, 1, 100) ?? DEFAULTS.probes,
    otlpPort: int('otlp-port', values['otlp-port'], 0, 65535) ?? DEFAULTS.otlpPort,
    otlpGrpcPort: int('otlp-grpc-port', values['otlp-grpc-port'], 0, 65535),
    logs: values.logs,
    logServiceField: values['log-service-field'],
    logBackend: backend as TraceLogFormat | undefined,
    expectTenant: values['expect-tenant'],
    tenantHeader: values['tenant-header']?.toLowerCase() ?? DEFAULTS.tenantHeader,
    exportDelayMs: int('export-delay-ms', values['export-delay-ms'], 0, 600_000) ?? DEFAULTS.exportDelayMs,
    waitMs: int('wait-ms', values['wait-ms'], 0, 600_000) ?? DEFAULTS.waitMs,
    settleMs: int('settle-ms', values['settle-ms'], 0, 600_000) ?? DEFAULTS.settleMs,
    maxSpans: int('max-spans', values['max-spans'], 1, 10_000_000) ?? DEFAULTS.maxSpans,
    collectorMetrics,
  };
  return { doctor, json: values.json ?? false, html: values.html, version: false };
}
