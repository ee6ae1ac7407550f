// JSON log lines as the doctor reads them: which service wrote them, when,
// and which trace they name in which shape (OTel, Cloud Logging, Datadog).
import { traceIdToDatadog } from '@tracehop/core';
import type { TraceLogFormat } from '@tracehop/pino';
import { MAX_LOG_LINE_LENGTH } from './defaults.js';

/** What a line says about its trace. */
export interface LogLine {
  service: string;
  /** Epoch ms (the writer's clock), when the line has a readable time. */
  timeMs?: number | undefined;
  /** The shapes the line carries trace fields in (several when instrumentations are stacked). */
  shapes: TraceLogFormat[];
  /** Trace IDs the line names, normalised: 32 hex for OTel and Cloud Logging, 64-bit decimal for Datadog. */
  traceIds: string[];
  /** The raw line, to look for the probe's markers. */
  raw: Record<string, unknown>;
}

/** How to read the service that wrote a line. */
export interface LogServiceOptions {
  /** Every line is this service's (a file given as `SERVICE=FILE`). */
  service?: string | undefined;
  /** The field naming the service, a dotted path; by default the first of {@link SERVICE_FIELDS} present. */
  serviceField?: string | undefined;
}

/** Fields read for the service, in order: pino's `base`, OTel, Datadog, Cloud Logging's error reporting, logger names. */
export const SERVICE_FIELDS = ['service', 'service.name', 'dd.service', 'serviceContext.service', 'name', 'logger'];

/** Cloud Logging's trace field: the bare trace ID or `projects/<p>/traces/<id>`. */
const GCP_TRACE = /^(?:projects\/[^/]+\/traces\/)?([0-9a-f]{32})$/;
const HEX32 = /^[0-9a-f]{32}$/;
const DECIMAL = /^[0-9]{1,20}$/;

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `line[path]` for a flat key (`service.name`) or a nested path (`serviceContext.service`). */
function field(line: Obj, path: string): unknown {
  if (path in line) return line[path];
  let value: unknown = line;
  for (const key of path.split('.')) value = isObj(value) ? value[key] : undefined;
  return value;
}

function timeOf(line: Obj): number | undefined {
  for (const key of ['time', 'timestamp', '@timestamp', 'ts']) {
    const value = line[key];
    if (typeof value === 'number' && value > 1e11) return value;
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
    if (isObj(value) && typeof value.seconds === 'number') {
      return value.seconds * 1e3 + (typeof value.nanos === 'number' ? value.nanos / 1e6 : 0);
    }
  }
  return undefined;
}

function serviceOf(line: Obj, options: LogServiceOptions): string {
  if (options.service) return options.service;
  for (const path of options.serviceField ? [options.serviceField] : SERVICE_FIELDS) {
    const value = field(line, path);
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 100);
  }
  return 'unknown';
}

/** Parses one line; undefined for anything that is not a JSON object. */
export function parseLogLine(text: string, options: LogServiceOptions = {}): LogLine | undefined {
  if (text.length > MAX_LOG_LINE_LENGTH || !text.trimStart().startsWith('{')) return undefined;
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(line)) return undefined;
  const shapes: TraceLogFormat[] = [];
  const traceIds: string[] = [];
  const otel = line.trace_id ?? line.traceId ?? line['trace.id'];
  if (typeof otel === 'string' && otel.length > 0) {
    shapes.push('otel');
    traceIds.push(otel.toLowerCase());
  }
  const gcp = line['logging.googleapis.com/trace'];
  if (typeof gcp === 'string' && gcp.length > 0) {
    shapes.push('gcp');
    traceIds.push(GCP_TRACE.exec(gcp)?.[1] ?? gcp);
  }
  const dd = isObj(line.dd) ? line.dd.trace_id : line['dd.trace_id'];
  if ((typeof dd === 'string' && dd.length > 0) || typeof dd === 'number') {
    shapes.push('datadog');
    const value = String(dd).toLowerCase();
    traceIds.push(HEX32.test(value) ? traceIdToDatadog(value) : value);
  }
  return { service: serviceOf(line, options), timeMs: timeOf(line), shapes, traceIds, raw: line };
}

/** True when `line` names `traceId` in any shape. */
export function namesTrace(line: LogLine, traceId: string): boolean {
  return line.traceIds.includes(traceId) || line.traceIds.includes(traceIdToDatadog(traceId));
}

/** True when every trace ID on the line is well formed for its shape. */
export function wellFormed(line: LogLine): boolean {
  return line.traceIds.every((id) => HEX32.test(id) || DECIMAL.test(id));
}
