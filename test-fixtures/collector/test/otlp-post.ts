// Hand-made OTLP/HTTP JSON traces, posted the way an SDK exports: for tests
// that need exact spans (a kept ERROR trace, a resource with given attributes)
// without running the fixture services.
import { randomBytes } from 'node:crypto';

export interface HandSpan {
  name: string;
  /** 2 = ERROR: the `errors` tail-sampling policy keeps the trace. */
  statusCode?: 0 | 1 | 2;
  parentSpanId?: string;
  spanId?: string;
  attributes?: Record<string, string>;
}

const kv = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => ({ key, value: { stringValue: value } }));

/** The OTLP JSON body of one trace from one resource. */
export function traceBody(traceId: string, resource: Record<string, string>, spans: HandSpan[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: kv(resource) },
        scopeSpans: [
          {
            scope: { name: 'hand' },
            spans: spans.map((span, i) => ({
              traceId,
              spanId: span.spanId ?? randomBytes(8).toString('hex'),
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: 2,
              startTimeUnixNano: String(now + BigInt(i)),
              endTimeUnixNano: String(now + 1_000_000n + BigInt(i)),
              attributes: kv(span.attributes ?? {}),
              status: { code: span.statusCode ?? 0 },
            })),
          },
        ],
      },
    ],
  });
}

/** POSTs an OTLP JSON body to `<baseUrl>/v1/traces`; resolves with the status. */
export async function postTrace(baseUrl: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await response.arrayBuffer();
  return response.status;
}

export const newTraceId = () => randomBytes(16).toString('hex');
