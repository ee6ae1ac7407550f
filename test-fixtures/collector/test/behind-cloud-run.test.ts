// Issue 21, finding 1: the collector exactly as collector/config/cloud-run.yaml
// configures it, behind Cloud Run's front end (the loopback fake: Invoker IAM
// check, then the token's signature replaced by SIGNATURE_REMOVED_BY_GOOGLE
// before the container). The services get their ID tokens from the metadata
// server through @tracehop/gcp and are invokers of the collector service.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { googleIdTokenHeaders } from '@tracehop/gcp';
import { applyEnv, startCloudRunFrontEnd, startFakeMetadataServer, type CloudRunFrontEnd, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSingleTier, startTracedStack, type LoopbackCollector } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const SERVICE_URL = 'https://otelcol-123456789012.europe-west1.run.app';
const EXPORTER = 'exporter@tracehop-test.iam.gserviceaccount.com';
let collector: LoopbackCollector;
let frontEnd: CloudRunFrontEnd;
let metadata: FakeMetadataServer;
let restoreEnv: () => void;

beforeAll(async () => {
  // The deployable config, its audience set to the service URL as the README says.
  collector = await startSingleTier({ env: { COLLECTOR_AUDIENCE: SERVICE_URL } });
  frontEnd = await startCloudRunFrontEnd({ issuer: collector.issuer, containerPort: Number(new URL(collector.otlpHttpUrl).port), invokers: [EXPORTER] });
  metadata = await startFakeMetadataServer({ issuer: collector.issuer, serviceAccountEmail: EXPORTER });
  restoreEnv = applyEnv(metadata.env());
});
afterAll(async () => {
  restoreEnv?.();
  await metadata?.close();
  await frontEnd?.close();
  await collector?.stop();
});

test("today's cloud-run.yaml behind the front end: IAM lets every export in, and the collector's oidc check refuses every one (401)", async () => {
  expect(frontEnd.serviceUrls.deterministic).toBe(SERVICE_URL);
  const headers = googleIdTokenHeaders({ audience: SERVICE_URL });
  const stack = await startTracedStack({ collectorUrl: frontEnd.url, kotlin: false, headers });
  try {
    for (let i = 0; i < 10; i++) expect((await postQuery(stack.bffViaNode.url, 'p-1', 'token-hospital-a')).status).toBe(200);
    const errors = await stack.flush();
    expect(errors.length).toBeGreaterThan(0);
    const exports = frontEnd.requests.filter((r) => r.path === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((r) => r.decision.allowed)).toBe(true);
    expect(exports.map((r) => r.status)).toEqual(exports.map(() => 401));
    expect(exports.every((r) => r.forwarded?.authorization?.endsWith('.SIGNATURE_REMOVED_BY_GOOGLE'))).toBe(true);
  } finally {
    await stack.stop();
    headers.shutdown();
  }
});
