// OTLP export requests (decoded protobuf or JSON) flattened into TreeSpans.
// Untrusted input: every field is checked, nothing is assumed present.
import { MAX_ATTRIBUTE_DEPTH } from './defaults.js';
import type { SpanKindName, TreeSpan } from './types.js';

const KINDS: Record<number, SpanKindName> = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };
const JSON_KINDS: Record<string, SpanKindName> = {
  SPAN_KIND_INTERNAL: 'INTERNAL',
  SPAN_KIND_SERVER: 'SERVER',
  SPAN_KIND_CLIENT: 'CLIENT',
  SPAN_KIND_PRODUCER: 'PRODUCER',
  SPAN_KIND_CONSUMER: 'CONSUMER',
};
/** Links kept per span: enough to see the caller a new trace links to. */
const MAX_LINKS = 8;

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** An OTLP id: bytes (protobuf) or hex (JSON) → lowercase hex, or undefined when empty or malformed. */
function toHex(value: unknown, length: number): string | undefined {
  let hex: string | undefined;
  if (value instanceof Uint8Array) hex = Buffer.from(value).toString('hex');
  else if (typeof value === 'string') hex = value.toLowerCase();
  if (!hex || hex.length !== length || !/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex)) return undefined;
  return hex;
}

/** An OTLP AnyValue as plain JS (int64 becomes a number; bytes become hex). */
function anyValueToJs(value: unknown, depth = 0): unknown {
  if (!isObj(value) || depth > MAX_ATTRIBUTE_DEPTH) return undefined;
  if (value.stringValue !== undefined) return String(value.stringValue);
  if (value.boolValue !== undefined) return Boolean(value.boolValue);
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) {
    return value.bytesValue instanceof Uint8Array ? Buffer.from(value.bytesValue).toString('hex') : String(value.bytesValue);
  }
  if (isObj(value.arrayValue)) return list(value.arrayValue.values).map((v) => anyValueToJs(v, depth + 1));
  if (isObj(value.kvlistValue)) return keyValuesToRecord(value.kvlistValue.values, depth + 1);
  return undefined;
}

/** An OTLP attribute list as a plain record. */
function keyValuesToRecord(values: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(values)) {
    if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValueToJs(kv.value, depth);
  }
  return out;
}

/** Nanoseconds (int64 as string or number) → epoch milliseconds. */
function nanosToMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return Number(BigInt(value) / 1000n) / 1e3;
  } catch {
    return undefined;
  }
}

function toTreeSpan(raw: Obj, service: string): TreeSpan | undefined {
  const traceId = toHex(raw.traceId, 32);
  const spanId = toHex(raw.spanId, 16);
  if (!traceId || !spanId) return undefined;
  const attributes = keyValuesToRecord(raw.attributes);
  const startMs = nanosToMs(raw.startTimeUnixNano);
  const endMs = nanosToMs(raw.endTimeUnixNano);
  const status = isObj(raw.status) ? raw.status.code : undefined;
  const error = status === 2 || status === 'STATUS_CODE_ERROR';
  const statusCode = error ? 'ERROR' : status === 1 || status === 'STATUS_CODE_OK' ? 'OK' : 'UNSET';
  const tenant = attributes['tenant.id'];
  const links = linksOf(raw.links);
  return {
    service,
    name: typeof raw.name === 'string' ? raw.name.slice(0, 200) : '(unnamed)',
    kind: (typeof raw.kind === 'number' ? KINDS[raw.kind] : JSON_KINDS[String(raw.kind)]) ?? 'INTERNAL',
    traceId,
    spanId,
    parentSpanId: toHex(raw.parentSpanId, 16),
    startMs,
    durationMs: startMs !== undefined && endMs !== undefined && endMs >= startMs ? endMs - startMs : undefined,
    status: statusCode,
    tenant: typeof tenant === 'string' ? tenant : undefined,
    attributes,
    ...(links.length > 0 ? { links } : {}),
  };
}

function linksOf(value: unknown): Array<{ traceId: string; spanId: string }> {
  const links: Array<{ traceId: string; spanId: string }> = [];
  for (const raw of list(value).slice(0, MAX_LINKS)) {
    const traceId = isObj(raw) ? toHex(raw.traceId, 32) : undefined;
    const spanId = isObj(raw) ? toHex(raw.spanId, 16) : undefined;
    if (traceId && spanId) links.push({ traceId, spanId });
  }
  return links;
}

/** Flattens one export request; spans without valid IDs are skipped. */
export function spansFromExportRequest(request: unknown): TreeSpan[] {
  if (!isObj(request)) return [];
  const spans: TreeSpan[] = [];
  for (const resourceSpans of list(request.resourceSpans)) {
    if (!isObj(resourceSpans)) continue;
    const resource = isObj(resourceSpans.resource) ? keyValuesToRecord(resourceSpans.resource.attributes) : {};
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      if (!isObj(scopeSpans)) continue;
      for (const raw of list(scopeSpans.spans)) {
        const span = isObj(raw) ? toTreeSpan(raw, service) : undefined;
        if (span) spans.push(span);
      }
    }
  }
  return spans;
}
