// Vendors' trace headers as their SDKs write them (Sentry's SentryPropagator,
// https://github.com/getsentry/sentry-javascript/blob/develop/packages/opentelemetry/src/propagator.ts;
// dd-trace-js, https://github.com/DataDog/dd-trace-js/blob/master/packages/dd-trace/src/opentracing/propagation/text_map.js;
// X-Cloud-Trace-Context, https://cloud.google.com/trace/docs/trace-context),
// for one caller trace, and a gRPC backend that reports
// every metadata key it received: the vendor-* suites' shared fixtures.
import * as grpc from '@grpc/grpc-js';
import { spanIdToDecimal, traceIdToDatadog } from '@tracehop/core';
import { observeHandler, type HandlerObservation, type ServiceTelemetry } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { createServerInterceptor } from '@tracehop/grpc';

/** The caller's trace: the W3C spec's example IDs. */
export const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const CALLER_SPAN_ID = 'b7ad6b7169203331';

/** What a caller writes to steer sampling one way or the other. */
export type SamplingHint = 'keep' | 'drop';

/** `sentry-trace: <trace>-<span>-<0|1>` (@sentry/core TRACEPARENT_REGEXP). */
export const sentryTrace = (hint: SamplingHint) => ({ 'sentry-trace': `${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-${hint === 'keep' ? 1 : 0}` });

/** Sentry's dynamic sampling context in `baggage`, plus a spoofed tenant member beside it. */
export const sentryBaggage = (hint: SamplingHint) => ({
  baggage: [
    `sentry-trace_id=${CALLER_TRACE_ID}`,
    'sentry-public_key=49d0f7386ad645858ae85020e393bef3',
    `sentry-sample_rate=${hint === 'keep' ? 1 : 0}`,
    `sentry-sampled=${hint === 'keep'}`,
    `sentry-sample_rand=${hint === 'keep' ? '0.000001' : '0.999999'}`,
    'sentry-environment=production',
    'sentry-release=evil-release',
    'sentry-transaction=%2Fadmin%2Fevil',
    'sentry-org_id=1',
    'tenant.id=evil',
  ].join(','),
});

/** dd-trace-js text_map.js: decimal low 64 bits, `_dd.p.tid` the high 64 in hex. */
export const datadogHeaders = (hint: SamplingHint) => ({
  'x-datadog-trace-id': traceIdToDatadog(CALLER_TRACE_ID),
  'x-datadog-parent-id': spanIdToDecimal(CALLER_SPAN_ID),
  'x-datadog-sampling-priority': hint === 'keep' ? '2' : '-1',
  'x-datadog-origin': 'synthetics-evil',
  'x-datadog-tags': `_dd.p.tid=${CALLER_TRACE_ID.slice(0, 16)},_dd.p.dm=-4,_dd.p.tenant=evil`,
});

/** Google's legacy header: span in decimal, `o=1` sampled. */
export const cloudTraceHeader = (hint: SamplingHint) => ({
  'x-cloud-trace-context': `${CALLER_TRACE_ID}/${spanIdToDecimal(CALLER_SPAN_ID)};o=${hint === 'keep' ? 1 : 0}`,
});

/** W3C with the sampled flag, and a `tracestate` holding Datadog's and a forged Sentry member. */
export const w3cHeaders = (hint: SamplingHint) => ({
  traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-${hint === 'keep' ? '01' : '00'}`,
  tracestate: `dd=s:${hint === 'keep' ? 2 : -1};o:synthetics-evil;t.tid:${CALLER_TRACE_ID.slice(0, 16)},sentry=evil`,
});

/** Every caller-controlled value above that must never reach a backend from an untrusted caller. */
export const CALLER_MARKS = [
  CALLER_TRACE_ID,
  CALLER_SPAN_ID,
  traceIdToDatadog(CALLER_TRACE_ID),
  spanIdToDecimal(CALLER_SPAN_ID),
  'evil',
  'sentry-',
  'synthetics',
  '_dd.',
];

/** One call as the recording backend saw it. */
export interface RecordedCall {
  /** Every metadata key and its values, as grpc-js handed them to the handler. */
  metadata: Record<string, string[]>;
  /** What the handler's code saw of the active context (tracehop's server interceptor in front). */
  observed: HandlerObservation;
}

/**
 * A Node gRPC backend behind tracehop's server interceptor that answers `Say`
 * with every metadata key it received and what its handler saw.
 */
export async function startRecordingBackend(telemetry: ServiceTelemetry): Promise<{ address: string; stop(): Promise<void> }> {
  const { service } = loadEcho(grpc);
  const server = new grpc.Server({ interceptors: [createServerInterceptor({ tracerProvider: telemetry.provider })] });
  const record = (metadata: grpc.Metadata): string => {
    const all: Record<string, string[]> = {};
    for (const key of Object.keys(metadata.getMap())) all[key] = metadata.get(key).map(String);
    return JSON.stringify({ metadata: all, observed: observeHandler(telemetry.serviceName) } satisfies RecordedCall);
  };
  server.addService(service, {
    Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      callback(null, { value: record(call.metadata) });
    },
    Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      call.write({ value: record(call.metadata) });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** The flags byte of the one `traceparent` a backend received. */
export function receivedTraceparent(call: RecordedCall): { traceId: string; flags: string } {
  const values = call.metadata.traceparent ?? [];
  if (values.length !== 1) throw new Error(`expected exactly one traceparent, got ${JSON.stringify(values)}`);
  const [, traceId, , flags] = values[0]!.split('-');
  return { traceId: traceId!, flags: flags! };
}
