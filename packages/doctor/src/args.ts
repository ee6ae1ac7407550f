// `tracehop doctor` command-line flags → DoctorOptions, or a usage error.
import { parseArgs } from 'node:util';
import type { DoctorOptions } from './doctor.js';
import type { LogBackend } from './log-lines.js';

export const USAGE = `usage: tracehop doctor --url URL --query QUERY [options]

  --url URL              the GraphQL endpoint of the entry service
  --query QUERY          the GraphQL query each probe sends
  --header 'name: value' extra request header (repeatable), e.g. authorization
  --probes N             number of probes (default 3)
  --otlp-port PORT       OTLP/HTTP receiver port on 127.0.0.1 (default 4318)
  --otlp-grpc-port PORT  also receive OTLP/gRPC on this port (default: off)
  --logs FILE|-          JSON log lines to check (a file, or - for stdin)
  --log-backend NAME     otel | gcp | datadog: the field lines must carry (default: any)
  --expect-tenant ID     the tenant the credentials authenticate as
  --tenant-header NAME   header the probe fills with a spoofed tenant (default x-tenant-id)
  --wait-ms MS           longest wait for spans after the last probe (default 15000)
  --settle-ms MS         quiet time before the verdict (default 1500)
  --max-spans N          receiver cap per bucket (default 50000)
  --json                 print the report as JSON on stdout
  --html FILE            also write a self-contained HTML report

exit codes: 0 every hop continues, 1 a break was found, 2 usage or connection error`;

/** What the CLI does besides the doctor options. */
export interface CliArgs {
  doctor: DoctorOptions;
  json: boolean;
  html?: string | undefined;
}

export class UsageError extends Error {}

const LOG_BACKENDS: readonly LogBackend[] = ['otel', 'gcp', 'datadog'];

function int(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
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

/** Parses `argv` (without node and the script). Throws {@link UsageError}. */
export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' }, query: { type: 'string' }, header: { type: 'string', multiple: true },
        probes: { type: 'string' }, 'otlp-port': { type: 'string' }, 'otlp-grpc-port': { type: 'string' },
        logs: { type: 'string', multiple: true }, 'log-backend': { type: 'string' }, 'expect-tenant': { type: 'string' },
        'tenant-header': { type: 'string' }, 'wait-ms': { type: 'string' }, 'settle-ms': { type: 'string' },
        'max-spans': { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' }, help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals[0] !== 'doctor' || positionals.length > 1) throw new UsageError(`unknown command '${positionals.join(' ')}'`);
  if (!values.url || !/^https?:\/\//.test(values.url)) throw new UsageError('--url is required and must be an http(s) URL');
  if (!values.query) throw new UsageError('--query is required');
  const backend = values['log-backend'];
  if (backend !== undefined && !LOG_BACKENDS.includes(backend as LogBackend)) throw new UsageError(`--log-backend must be one of ${LOG_BACKENDS.join(', ')}`);
  const doctor: DoctorOptions = {
    url: values.url,
    query: values.query,
    headers: headers(values.header),
    probes: int('probes', values.probes, 1, 100) ?? 3,
    otlpPort: int('otlp-port', values['otlp-port'], 0, 65535) ?? 4318,
    otlpGrpcPort: int('otlp-grpc-port', values['otlp-grpc-port'], 0, 65535),
    logs: values.logs,
    logBackend: backend as LogBackend | undefined,
    expectTenant: values['expect-tenant'],
    tenantHeader: values['tenant-header']?.toLowerCase() ?? 'x-tenant-id',
    waitMs: int('wait-ms', values['wait-ms'], 0, 600_000) ?? 15_000,
    settleMs: int('settle-ms', values['settle-ms'], 0, 600_000) ?? 1_500,
    maxSpans: int('max-spans', values['max-spans'], 1, 10_000_000) ?? 50_000,
  };
  return { doctor, json: values.json ?? false, html: values.html };
}
