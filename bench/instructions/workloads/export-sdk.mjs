// The SDK of the export variants: NodeTracerProvider with a BatchSpanProcessor
// and the real OTLP/HTTP exporter, sending to the runner's loopback collector
// (BENCH_OTLP_URL). `otlp-idtoken` takes its headers from @tracehop/gcp's
// googleIdTokenHeaders, which asks the runner's loopback metadata server
// (GCE_METADATA_HOST, set by the runner) for an ID token; `otlp-static`
// sends a fixed header. Everything else is the same.
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { googleIdTokenHeaders } from '@tracehop/gcp';

export async function exportingSdk(kind) {
  const url = process.env.BENCH_OTLP_URL;
  if (!url) throw new Error('BENCH_OTLP_URL is not set (run through bench/instructions/run.mjs)');
  const headers = kind === 'otlp-idtoken' ? googleIdTokenHeaders({ audience: 'https://collector.example.run.app' }) : { Authorization: 'Bearer static-token' };
  if (kind === 'otlp-idtoken') {
    // Before the first request: under valgrind the first fetch can outlast the
    // factory's wait, and an export without a token would measure nothing.
    let token;
    for (let attempt = 0; attempt < 60 && !token; attempt++) {
      token = await headers.source.getToken();
      if (!token) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!token) throw new Error('no ID token from the loopback metadata server');
  }
  const otlp = new OTLPTraceExporter({ url, headers });
  let exported = 0;
  let failed = 0;
  const exporter = {
    export(spans, done) {
      otlp.export(spans, (result) => {
        if (result.code === 0) exported += spans.length;
        else failed += spans.length;
        done(result);
      });
    },
    shutdown: () => otlp.shutdown(),
    forceFlush: () => otlp.forceFlush(),
  };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  context.with(context.active(), () => undefined); // as sdk.cjs: async hooks on from the start
  return {
    provider,
    async spanCount() {
      await provider.forceFlush();
      await otlp.forceFlush(); // a batch sent before the flush may still be on its way
      return exported;
    },
    extra: async () => ({ exportFailedSpans: failed }),
  };
}
