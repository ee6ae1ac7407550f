// Issue 21 F (finding 7): the Kotlin service under the real Java agent 2.31.1 with
// tracehop's agent extension (jvm/gcp-id-token-extension) exports through the Cloud
// Run front end (loopback fake: Invoker IAM check of the Google-signed ID token,
// invoker allow-list, signature removed) into the deployable collector, with ID
// tokens that live 8 s, from the fake metadata server (real protocol). Spans keep
// arriving across several refreshes, one metadata fetch per token; when the metadata
// server is down, slow or answers garbage the service keeps serving, its exports are
// refused, the extension warns once per streak and recovers when the server is back.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startCloudRunFrontEnd, startFakeMetadataServer, type CloudRunFrontEnd, type FakeMetadataServer, type FrontEndRecord } from '@tracehop/fixture-gcp-fakes';
import { startKotlinServer, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readSpanFile, startSingleTier, type LoopbackCollector } from '../src/index.js';

const echoProto = fileURLToPath(new URL('../../proto/echo.proto', import.meta.url));
const extensionJar = fileURLToPath(new URL('../../../jvm/gcp-id-token-extension/target/tracehop-gcp-id-token-extension.jar', import.meta.url));
const SERVICE_URL = 'https://otelcol-123456789012.europe-west1.run.app';
const KOTLIN_SA = 'patient-records@tracehop-test.iam.gserviceaccount.com';
const LIFETIME_S = 8;
const WARN = ' WARN dev.tracehop.gcp.idtoken.IdTokenSource ';
const RECOVERED = ' INFO dev.tracehop.gcp.idtoken.IdTokenSource - ID token for';

let collector: LoopbackCollector;
let frontEnd: CloudRunFrontEnd;

beforeAll(async () => {
  if (!existsSync(extensionJar)) throw new Error(`${extensionJar} is missing: run \`pnpm build:jvm\` (bash jvm/gcp-id-token-extension/build.sh) first`);
  collector = await startSingleTier({ decisionWait: '1s' }); // hospital_a: every trace kept
  // The issuer stands for accounts.google.com; only the Kotlin service's account may invoke.
  frontEnd = await startCloudRunFrontEnd({ issuer: collector.issuer, containerPort: Number(new URL(collector.otlpHttpUrl).port), invokers: [KOTLIN_SA] });
});
afterAll(async () => {
  await frontEnd?.close();
  await collector?.stop();
});

/** The agent flags a user sets (collector/README, jvm/gcp-id-token-extension/README), plus the metadata server's address. */
async function startKotlin(metadata: FakeMetadataServer, extra: Record<string, string> = {}): Promise<KotlinServer> {
  return startKotlinServer({
    // ComputeEngineCredentials reads GCE_METADATA_HOST (google-auth-library-java,
    // ComputeEngineCredentials.getMetadataServerUrl); on Cloud Run it is unset and the
    // library asks metadata.google.internal.
    env: { GCE_METADATA_HOST: metadata.host },
    systemProperties: {
      'otel.javaagent.extensions': extensionJar,
      // logging-otlp (stderr) stays on as the record of what the agent produced
      'otel.traces.exporter': 'otlp,logging-otlp',
      'otel.exporter.otlp.traces.endpoint': `${frontEnd.url}/v1/traces`,
      'otel.exporter.otlp.traces.protocol': 'http/protobuf',
      'otel.exporter.otlp.google-id-token.audience': SERVICE_URL,
      'otel.bsp.schedule.delay': '200',
      // On, so a traced token fetch would show up as a span: it must not.
      'otel.instrumentation.http-url-connection.enabled': 'true',
      ...extra,
    },
  });
}

function claimsOf(record: FrontEndRecord): { iat: number; exp: number; aud: string; email: string } {
  const header = record.forwarded?.authorization ?? record.forwarded?.['x-serverless-authorization'] ?? '';
  const payload = header.replace(/^Bearer\s+/i, '').split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iat: number; exp: number; aud: string; email: string };
}

const exportsSince = (first: number) => frontEnd.requests.slice(first).filter((r) => r.path === '/v1/traces');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

type EchoClient = grpc.Client & { Say(request: { value: string }, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null) => void): void };

/** A plain grpc-js client of the Kotlin Echo service (tracehop.fixture.Echo, test-fixtures/proto/echo.proto). */
function echoClient(kotlin: KotlinServer): EchoClient {
  const pkg = grpc.loadPackageDefinition(loadSync(echoProto, { keepCase: true, defaults: true })) as unknown as {
    tracehop: { fixture: { Echo: new (address: string, credentials: grpc.ChannelCredentials) => EchoClient } };
  };
  return new pkg.tracehop.fixture.Echo(kotlin.address, grpc.credentials.createInsecure());
}

/** Echo.Say calls to Kotlin, one every `everyMs`, until `until()`; every one must succeed. Returns the count. */
async function drive(client: EchoClient, until: () => boolean, everyMs = 250): Promise<number> {
  let count = 0;
  while (!until()) {
    // hospital_a is on the collector's allow-list (sampling.yaml): every trace is kept. The agent
    // copies tenant.id from baggage onto the server span (copy-from-baggage.include).
    const metadata = new grpc.Metadata();
    metadata.set('baggage', 'tenant.id=hospital_a');
    await new Promise<void>((resolve, reject) =>
      client.Say({ value: '{}' }, metadata, { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
    );
    count += 1;
    await sleep(everyMs);
  }
  return count;
}

/** Every span the agent produced so far (its stdout exporter) reached the collector's sink (hospital_a: all kept). */
async function expectAllKotlinSpansStored(kotlin: KotlinServer, minimum: number): Promise<void> {
  await waitFor(() => kotlin.spans().length >= minimum, 15_000, `${minimum} Kotlin spans produced`);
  const produced = kotlin.spans();
  const stored = async () => {
    const ids = new Set((await readSpanFile(collector.tracesFile)).filter((s) => s.serviceName === 'kotlin-backend').map((s) => s.spanId));
    return produced.filter((s) => ids.has(s.spanId)).length;
  };
  await waitFor(async () => (await stored()) === produced.length, 15_000, `all ${produced.length} Kotlin spans stored`).catch(async (error: Error) => {
    const seen = frontEnd.requests.filter((r) => r.path === '/v1/traces').map((r) => `${r.status} ${JSON.stringify(r.forwarded)}`);
    throw new Error(`${error.message} (${await stored()} stored); front end: ${JSON.stringify(seen)}\n${kotlin.diagnostics()}`);
  });
}

test('Kotlin spans keep arriving through the front end across at least three token refreshes, one metadata fetch per token', async () => {
  const metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: KOTLIN_SA, lifetimeSeconds: LIFETIME_S });
  const jvmStarted = Date.now(); // the extension fetches its first token while the agent starts
  const kotlin = await startKotlin(metadata);
  const client = echoClient(kotlin);
  const first = frontEnd.requests.length;
  try {
    const started = Date.now();
    // Until the exports have carried five different tokens (four refreshes), at most 40 s.
    const tokensSeen = () => new Set(exportsSince(first).filter((r) => r.decision.allowed).map((r) => claimsOf(r).iat)).size;
    const requests = await drive(client, () => tokensSeen() >= 5 || Date.now() - started > 40_000);
    // One Kotlin SERVER span per request.
    await expectAllKotlinSpansStored(kotlin, requests);
    const elapsedS = (Date.now() - started) / 1000;

    const exports = exportsSince(first);
    const tokens = new Map<number, FrontEndRecord[]>();
    for (const r of exports) tokens.set(claimsOf(r).iat, [...(tokens.get(claimsOf(r).iat) ?? []), r]);
    const fetches = metadata.fetchCount(SERVICE_URL);
    const aliveS = (Date.now() - jvmStarted) / 1000;
    console.info(
      `[kotlin id token] ${requests} requests in ${elapsedS.toFixed(1)} s, ${exports.length} exports, ` +
        `${tokens.size} distinct tokens (${LIFETIME_S} s lifetime), ${fetches} metadata fetches in the JVM's ${aliveS.toFixed(1)} s; exports per token: ${[...tokens.values()].map((r) => r.length).join(', ')}`,
    );
    // Every export passed the IAM check (signature, unexpired, audience = the service URL, invoker) and was stored.
    expect(exports.length).toBeGreaterThan(10);
    expect(exports.filter((r) => !r.decision.allowed || r.status !== 200)).toEqual([]);
    expect(new Set(exports.map((r) => r.decision.allowed && r.decision.email))).toEqual(new Set([KOTLIN_SA]));
    expect(new Set(exports.map((r) => claimsOf(r).aud))).toEqual(new Set([SERVICE_URL]));
    // At least three refreshes: four or more tokens, in order, each fresh when used.
    expect(tokens.size).toBeGreaterThanOrEqual(4);
    for (const r of exports) expect(claimsOf(r).exp).toBeGreaterThan(claimsOf(r).iat);
    // One fetch per token: a token is refreshed at half its life, never per export. Its life
    // counts from iat in whole seconds (L - 1 < life <= L): one fetch per 3.5-4 s, plus the first.
    expect(fetches).toBeGreaterThanOrEqual(tokens.size);
    expect(fetches).toBeLessThanOrEqual(Math.ceil(aliveS / ((LIFETIME_S - 1) / 2)) + 1);
    expect(fetches).toBeLessThan(exports.length);
    // The token fetches themselves were not traced (HttpURLConnection instrumentation is on).
    expect(new Set(kotlin.spans().map((s) => s.name))).toEqual(new Set(['tracehop.fixture.Echo/Say']));
    expect(kotlin.rawStderr().filter((line) => line.includes(WARN))).toEqual([]);
  } finally {
    client.close();
    await kotlin.stop();
    await metadata.close();
  }
}, 120_000);

test('metadata server down, slow, answering garbage or expired tokens: Kotlin keeps serving, its exports are refused, one warning per streak, recovery when it is back', async () => {
  const metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: KOTLIN_SA, lifetimeSeconds: LIFETIME_S });
  // An export waits at most 500 ms for a token; a metadata request gets 1 s (the slow server answers after 3 s).
  const kotlin = await startKotlin(metadata, { 'otel.exporter.otlp.google-id-token.max-wait': '500ms', 'otel.exporter.otlp.google-id-token.fetch-timeout': '1s' });
  const client = echoClient(kotlin);
  const lines = (marker: string) => kotlin.rawStderr().filter((line) => line.includes(marker));
  const allowedSince = (first: number) => exportsSince(first).filter((r) => r.decision.allowed && r.status === 200).length;
  try {
    let first = frontEnd.requests.length;
    await drive(client, () => allowedSince(first) >= 2);
    for (const mode of ['down', 'slow', 'garbage', 'expired'] as const) {
      const warnings = lines(WARN).length;
      const recoveries = lines(RECOVERED).length;
      const fetchesBefore = metadata.fetchCount(SERVICE_URL);
      await metadata.setMode(mode, { delayMs: 3_000 });
      first = frontEnd.requests.length;
      const started = Date.now();
      // The held token stays in use until shortly before its exp; then exports go without one.
      const refusedSince = () => exportsSince(first).filter((r) => !r.decision.allowed);
      await drive(client, () => refusedSince().length >= 3 || Date.now() - started > 30_000);
      const refused = refusedSince();
      expect(refused.length, mode).toBeGreaterThanOrEqual(3);
      // No token at all (never an expired or foreign one): Cloud Run's answer to that is 403.
      expect(new Set(refused.map((r) => `${r.status} ${r.decision.reason}`)), mode).toEqual(new Set(['403 no bearer token']));
      expect(lines(WARN).length - warnings, `${mode}: one warning for the streak\n${lines(WARN).join('\n')}`).toBe(1);
      // Retries back off (1 s, 2 s, 4 s…): no request per export. ('down' refuses connections: nothing to count.)
      const fetches = metadata.fetchCount(SERVICE_URL) - fetchesBefore;
      expect(fetches, mode).toBeLessThanOrEqual(6);
      if (mode !== 'down') expect(fetches, mode).toBeGreaterThanOrEqual(1);
      expect(fetches, mode).toBeLessThan(exportsSince(first).length);

      await metadata.setMode('normal');
      first = frontEnd.requests.length;
      const back = Date.now();
      await drive(client, () => allowedSince(first) >= 1 || Date.now() - back > 30_000);
      expect(allowedSince(first), `${mode}: exports authorized again`).toBeGreaterThanOrEqual(1);
      expect(lines(RECOVERED).length - recoveries, mode).toBe(1);
      expect(lines(WARN).length - warnings, mode).toBe(1);
      console.info(
        `[kotlin id token] metadata ${mode}: ${(back - started) / 1000} s until ${refused.length} exports were refused, ` +
          `${fetches} metadata requests meanwhile; authorized again ${(Date.now() - back) / 1000} s after the server was back`,
      );
    }
    // Recovered for good: what Kotlin produces from now on all reaches the collector.
    const before = kotlin.spans().length;
    await drive(client, () => kotlin.spans().length >= before + 8);
    const ids = new Set((await readSpanFile(collector.tracesFile)).map((s) => s.spanId));
    await waitFor(
      async () => {
        for (const s of await readSpanFile(collector.tracesFile)) ids.add(s.spanId);
        return kotlin.spans().slice(before).every((s) => ids.has(s.spanId));
      },
      15_000,
      'spans after recovery stored',
    );
    // Spans exported without a token never got in: fewer stored than produced.
    const stored = kotlin.spans().filter((s) => ids.has(s.spanId)).length;
    expect(stored).toBeLessThan(kotlin.spans().length);
  } finally {
    client.close();
    await kotlin.stop();
    await metadata.close();
  }
}, 240_000);

test('with header=x-serverless-authorization the token travels there: Cloud Run checks that header and leaves Authorization to the app', async () => {
  const metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: KOTLIN_SA, lifetimeSeconds: LIFETIME_S });
  const kotlin = await startKotlin(metadata, { 'otel.exporter.otlp.google-id-token.header': 'X-Serverless-Authorization' });
  const client = echoClient(kotlin);
  const first = frontEnd.requests.length;
  try {
    await drive(client, () => exportsSince(first).length >= 3);
    await expectAllKotlinSpansStored(kotlin, 1);
    const exports = exportsSince(first);
    expect(exports.filter((r) => !r.decision.allowed || r.status !== 200)).toEqual([]);
    expect(new Set(exports.map((r) => r.decision.header))).toEqual(new Set(['x-serverless-authorization']));
    expect(exports.every((r) => r.forwarded?.authorization === undefined)).toBe(true);
    expect(new Set(exports.map((r) => claimsOf(r).aud))).toEqual(new Set([SERVICE_URL]));
  } finally {
    client.close();
    await kotlin.stop();
    await metadata.close();
  }
}, 60_000);

test('the OTLP gRPC exporter gets the token too (metadata on every Export call)', async () => {
  // A loopback OTLP/gRPC receiver: TraceService/Export (opentelemetry-proto,
  // opentelemetry/proto/collector/trace/v1/trace_service.proto) answered with an empty
  // ExportTraceServiceResponse (zero bytes); it records each call's credential metadata.
  const calls: { authorization: string | undefined; bytes: number }[] = [];
  const server = new grpc.Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: () => ({}),
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, object>, callback: grpc.sendUnaryData<object>) => {
        calls.push({ authorization: call.metadata.get('authorization')[0]?.toString(), bytes: call.request.length });
        callback(null, {});
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  const metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: KOTLIN_SA, lifetimeSeconds: LIFETIME_S });
  const kotlin = await startKotlin(metadata, {
    'otel.exporter.otlp.traces.endpoint': `http://127.0.0.1:${port}`,
    'otel.exporter.otlp.traces.protocol': 'grpc',
  });
  const client = echoClient(kotlin);
  try {
    await drive(client, () => calls.filter((c) => c.bytes > 0).length >= 3);
    const verdicts = calls.map((c) => collector.issuer.verify((c.authorization ?? '').replace(/^Bearer /, ''), { audience: SERVICE_URL }));
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(new Set(verdicts.map((v) => v.ok && v.claims.email))).toEqual(new Set([KOTLIN_SA]));
  } finally {
    client.close();
    await kotlin.stop();
    await metadata.close();
    server.forceShutdown();
  }
}, 60_000);
