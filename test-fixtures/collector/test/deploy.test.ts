// README "Deploy on Cloud Run", run the way Cloud Run would run it: the image
// built without Docker (collector/build.sh -> OCI layout) is pushed by
// collector/deploy/deploy.sh to a loopback registry (`crane registry serve`)
// with a recording `gcloud` on PATH; the service YAML that `gcloud run services
// replace` received is then run: its image from its own OCI config (chroot,
// non-root user, the image's entrypoint and args), exactly its env and port,
// its probes (startup until it passes, then liveness), behind the Cloud Run
// front end with the invoker bindings deploy.sh made. Google's side is the
// loopback metadata server and Telemetry (OTLP) API.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { googleIdTokenHeaders } from '@tracehop/gcp';
import { applyEnv, createIssuer, startFakeMetadataServer, type FakeMetadataServer } from '@tracehop/fixture-gcp-fakes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectorDir, collectorImageLayout, freePorts, parseServiceYaml, readOciImage, runCloudRunService, startFakeTelemetryApi, startTracedStack, type FakeTelemetryApi, type RunningService, type ServiceSpec } from '../src/index.js';
import { postQuery } from './graphql.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const PROJECT = 'hospital-saas-prod';
const REGION = 'europe-west1';
const CALLERS = [`bff@${PROJECT}.iam.gserviceaccount.com`, `patient-records@${PROJECT}.iam.gserviceaccount.com`];
const COLLECTOR_SA = `otelcol@${PROJECT}.iam.gserviceaccount.com`;
// deploy.sh runs crane with `go run …/crane@v0.22.1`; the test builds that same version once
// and hands it to the script through CRANE (go run would compile it on every call).
let crane: string;
const issuer = createIssuer();
// Located before any test points HOME at a temp dir (the build cache is under $HOME).
const LAYOUT = collectorImageLayout();
let registry: ChildProcess;
let registryAddress: string;
let image: string;
let gcloudCalls: string[][];
let rendered: string;
let deployOutput: string;

/** A `gcloud` that records its arguments, keeps what `run services replace` gets, and answers `describe` with the URL. */
function fakeGcloud(dir: string): string {
  const bin = join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'gcloud'),
    `#!/usr/bin/env bash
printf '%s\\0' "$@" >> "${dir}/calls"; printf '\\n' >> "${dir}/calls"
if [[ "$1 $2 $3" == "run services replace" ]]; then cp "$4" "${dir}/replaced.yaml"; fi
if [[ "$1 $2 $3" == "run services describe" ]]; then echo "https://otelcol-123456789012.${REGION}.run.app"; fi
`,
  );
  chmodSync(join(bin, 'gcloud'), 0o755);
  return bin;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-deploy-'));
  execFileSync('go', ['install', 'github.com/google/go-containerregistry/cmd/crane@v0.22.1'], { env: { ...process.env, GOBIN: dir }, stdio: 'ignore' });
  crane = join(dir, 'crane');
  const [port] = await freePorts(1);
  registryAddress = `127.0.0.1:${port}`;
  registry = spawn(crane, ['registry', 'serve', '--address', registryAddress], { stdio: 'ignore' });
  const deadline = Date.now() + 120_000; // a cold module cache downloads crane first
  while (!(await fetch(`http://${registryAddress}/v2/`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error('crane registry serve did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  image = `${registryAddress}/${PROJECT}/collector/otelcol:v1`;
  const bin = fakeGcloud(dir);
  deployOutput = execFileSync('bash', [join(collectorDir, 'deploy/deploy.sh'), PROJECT, REGION, image, ...CALLERS], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CRANE: crane },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gcloudCalls = readFileSync(join(dir, 'calls'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\0').filter(Boolean));
  rendered = readFileSync(join(dir, 'replaced.yaml'), 'utf8');
}, 240_000);
afterAll(() => registry?.kill());

test('deploy.sh pushes the image built without Docker, creates the collector identity, deploys service.yaml, binds each caller as invoker', () => {
  const layout = LAYOUT;
  const pushed = execFileSync(crane, ['digest', image], { encoding: 'utf8' }).trim();
  expect(pushed).toBe(readOciImage(layout).digest);
  expect(gcloudCalls).toEqual([
    ['auth', 'configure-docker', registryAddress, '--quiet'],
    ['iam', 'service-accounts', 'create', 'otelcol', `--project=${PROJECT}`, '--display-name=tracehop OpenTelemetry Collector'],
    ...['roles/telemetry.tracesWriter', 'roles/telemetry.metricsWriter', 'roles/telemetry.logsWriter', 'roles/serviceusage.serviceUsageConsumer'].map((role) => [
      'projects', 'add-iam-policy-binding', PROJECT, `--member=serviceAccount:${COLLECTOR_SA}`, `--role=${role}`, '--condition=None',
    ]),
    ['run', 'services', 'replace', expect.stringMatching(/\.yaml$/), `--project=${PROJECT}`, `--region=${REGION}`],
    ...CALLERS.map((caller) => ['run', 'services', 'add-iam-policy-binding', 'otelcol', `--project=${PROJECT}`, `--region=${REGION}`, `--member=serviceAccount:${caller}`, '--role=roles/run.invoker']),
    ['run', 'services', 'describe', 'otelcol', `--project=${PROJECT}`, `--region=${REGION}`, '--format=value(status.url)'],
  ]);
  expect(deployOutput.trim()).toBe(`https://otelcol-123456789012.${REGION}.run.app`);
  expect(rendered).not.toMatch(/__[A-Z_]+__/);
});

test('the service definition: private, internal ingress, one always-on instance, its own identity, memory and GOMEMLIMIT that agree with the memory_limiter', () => {
  const spec = parseServiceYaml(rendered);
  expect(spec.image).toBe(image);
  expect(spec.serviceAnnotations['run.googleapis.com/ingress']).toBe('internal');
  expect(spec.serviceAnnotations['run.googleapis.com/invoker-iam-disabled']).toBeUndefined();
  expect(spec.templateAnnotations).toMatchObject({ 'autoscaling.knative.dev/minScale': '1', 'autoscaling.knative.dev/maxScale': '1', 'run.googleapis.com/cpu-throttling': 'false' });
  expect(spec.serviceAccountName).toBe(COLLECTOR_SA);
  expect(spec.portName).toBe('http1');
  expect(spec.limits.memory).toBe('1Gi');
  const mib = (value: string) => Number(/^(\d+)MiB$/.exec(value)![1]);
  // GOMEMLIMIT = the memory_limiter's soft limit; hard limit below the container's 1024 MiB with room for the non-heap part.
  expect(mib(spec.env.GOMEMLIMIT!)).toBe(Number(spec.env.MEMORY_LIMIT_MIB) - Number(spec.env.MEMORY_SPIKE_LIMIT_MIB));
  expect(Number(spec.env.MEMORY_LIMIT_MIB)).toBeLessThanOrEqual(1024 - 200);
  expect(spec.env.GOOGLE_CLOUD_PROJECT).toBe(PROJECT);
  expect(spec.env.GOOGLE_CLOUD_REGION).toBe(REGION);
  expect(spec.startupProbe?.httpGet).toEqual({ path: '/', port: 13133 });
  expect(spec.livenessProbe?.httpGet).toEqual({ path: '/', port: 13133 });
  // Cloud Run: a startup probe's failureThreshold x periodSeconds "can't exceed 240 seconds" (healthchecks page).
  expect(spec.startupProbe!.failureThreshold! * spec.startupProbe!.periodSeconds!).toBeLessThanOrEqual(240);
});

describe_running();

function describe_running(): void {
  let spec: ServiceSpec;
  let service: RunningService;
  let collectorMetadata: FakeMetadataServer;
  let callerMetadata: FakeMetadataServer;
  let telemetry: FakeTelemetryApi;
  let restoreEnv: () => void;
  let containerPort: number;
  // Probe seconds shrunk 5x: the deployed 30 s startup window is 6 s here, a liveness period 2 s.
  const SECOND_MS = 200;

  beforeAll(async () => {
    spec = parseServiceYaml(rendered);
    collectorMetadata = await startFakeMetadataServer({ issuer, projectId: PROJECT, serviceAccountEmail: COLLECTOR_SA });
    callerMetadata = await startFakeMetadataServer({ issuer, projectId: PROJECT, serviceAccountEmail: CALLERS[0] });
    telemetry = await startFakeTelemetryApi({ metadata: collectorMetadata });
    restoreEnv = applyEnv(callerMetadata.env());
    const [port, healthPort, selfPort, selfPrometheusPort] = (await freePorts(4)) as [number, number, number, number];
    containerPort = port;
    const invokers = gcloudCalls.filter((call) => call.includes('--role=roles/run.invoker')).map((call) => call.find((a) => a.startsWith('--member=serviceAccount:'))!.split(':')[1]!);
    service = await runCloudRunService({
      spec,
      layout: LAYOUT,
      issuer,
      invokers,
      port,
      portMap: { 13133: healthPort },
      secondMs: SECOND_MS,
      // The self-telemetry ports too: fixed defaults (8889, 8888) would collide between collectors on one host.
      platformEnv: {
        LISTEN_ADDRESS: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
        SELF_TELEMETRY_PORT: String(selfPort),
        SELF_METRICS_PROMETHEUS_PORT: String(selfPrometheusPort),
        GCE_METADATA_HOST: collectorMetadata.host,
        TELEMETRY_API_ENDPOINT: telemetry.url,
      },
    });
    await service.frontEnd.ready();
  }, 60_000);
  afterAll(async () => {
    restoreEnv?.();
    await service?.stop();
    await telemetry?.stop();
    await collectorMetadata?.close();
    await callerMetadata?.close();
  });

  test('the container runs as the image says: non-root user, entrypoint and args from its config, JSON log lines; startup probe first, then liveness', async () => {
    const { config } = service.image;
    expect(config.User).toBe('65532:65532');
    expect(service.isolation).toBe('chroot'); // CI runs as root; as another user this test cannot check the image's user
    const status = readFileSync(`/proc/${service.process().pid}/status`, 'utf8');
    // chroot execs the entrypoint in place: the process is otelcol, under the image's user.
    expect(service.starts(), service.logs()).toBe(1);
    const cmdline = readFileSync(`/proc/${service.process().pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline).toEqual([...config.Entrypoint!, ...config.Cmd!]);
    expect(readFileSync(`/proc/${service.process().pid}/status`, 'utf8')).toMatch(/\nUid:\s+65532\s/);
    // Its environment: the image's, the service's over it, PORT, and only the loopback platform's additions.
    const environ = Object.fromEntries(readFileSync(`/proc/${service.process().pid}/environ`, 'utf8').split('\0').filter(Boolean).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const imageEnv = Object.fromEntries(config.Env!.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const { LISTEN_ADDRESS, HEALTH_PORT, SELF_TELEMETRY_PORT: _self, SELF_METRICS_PROMETHEUS_PORT: _selfPrometheus, GCE_METADATA_HOST, TELEMETRY_API_ENDPOINT, PORT, ...rest } = environ;
    expect(rest).toEqual({ ...imageEnv, ...spec.env });
    expect(PORT).toBe(String(containerPort)); // Cloud Run sets PORT to the container port (here its loopback stand-in)
    expect({ LISTEN_ADDRESS, hasHealthPort: HEALTH_PORT !== undefined, hasMetadata: GCE_METADATA_HOST !== undefined, hasApi: TELEMETRY_API_ENDPOINT !== undefined }).toEqual({ LISTEN_ADDRESS: '127.0.0.1', hasHealthPort: true, hasMetadata: true, hasApi: true });
    void status;
    const probes = service.frontEnd.probes;
    expect(probes[0]).toMatchObject({ kind: 'startup' });
    const started = probes.findIndex((p) => p.kind === 'startup' && p.ok);
    expect(started).toBeGreaterThanOrEqual(0);
    expect(probes.slice(0, started).every((p) => p.kind === 'startup' && !p.ok)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 12 * SECOND_MS));
    expect(service.frontEnd.probes.slice(started + 1).some((p) => p.kind === 'liveness' && p.ok)).toBe(true);
    const lines = service.logs().split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('level');
  });

  test('services export through the front end into it and an error trace reaches Google (decision_wait 30 s as deployed); a non-invoker is refused while serving', async () => {
    const headers = googleIdTokenHeaders({ audience: service.frontEnd.serviceUrls.deterministic });
    const stack = await startTracedStack({ collectorUrl: service.frontEnd.url, headers, kotlin: false });
    try {
      const traceId = crypto.randomUUID().replaceAll('-', '');
      expect((await postQuery(stack.bffViaNode.url, 'p-fail', 'token-hospital-a', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).status).toBe(200);
      expect(await stack.flush()).toEqual([]);
      const produced = stack.produced().filter((s) => s.traceId === traceId).length;
      const deadline = Date.now() + 45_000;
      while (telemetry.spans.filter((s) => s.traceId === traceId).length < produced && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(telemetry.spans.filter((s) => s.traceId === traceId)).toHaveLength(produced);
      // Someone else's account: refused by the front end, requests still answered.
      const now = Math.floor(Date.now() / 1000);
      const stranger = issuer.sign({ aud: service.frontEnd.serviceUrls.deterministic, email: 'intruder@elsewhere.iam.gserviceaccount.com', iat: now, exp: now + 600 });
      const refused = await fetch(`${service.frontEnd.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${stranger}`, 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
      expect(refused.status).toBe(403);
    } finally {
      await stack.stop();
      headers.shutdown();
    }
  }, 60_000);

  test('a hung container fails its liveness probe three times and is restarted; the startup probe gates it again', async () => {
    const before = service.starts();
    service.process().kill('SIGSTOP');
    const deadline = Date.now() + 20_000;
    while (service.starts() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(service.starts()).toBe(before + 1);
    const failures = service.frontEnd.probes.filter((p) => p.kind === 'liveness' && !p.ok);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    await service.frontEnd.ready();
    const token = issuer.sign({ aud: service.frontEnd.serviceUrls.hash, email: CALLERS[1], iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
    const accepted = await fetch(`${service.frontEnd.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    expect(accepted.status).toBe(200);
  }, 45_000);
}
