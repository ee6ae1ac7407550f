// A user's install: the packages packed as `pnpm publish` would upload them,
// installed with npm into two scratch apps outside the workspace, one
// service's packages at a time (the BFF; the backend), and run once as ESM and
// once as CommonJS. One request through both must make one trace, in both
// services' spans and log lines, with the authenticated tenant on the backend.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packAll, type PackedPackage } from '../scripts/pack.mjs';
import { createScratchApp, npmInstall, startApp, type AppLine, type RunningApp } from './scratch-app.js';

const BACKEND_PACKAGES = ['@tracehop/core', '@tracehop/grpc', '@tracehop/pino', '@tracehop/tenant'];
const BFF_PACKAGES = [...BACKEND_PACKAGES, '@tracehop/envelop'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** SpanKind from @opentelemetry/api. */
const SERVER = 1;
const CLIENT = 2;

interface PrintedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  scope: { name: string; version?: string };
  attributes: Record<string, unknown>;
}

const spanOf = (line: AppLine) => line.span as PrintedSpan | undefined;
const spansOf = (app: RunningApp) => app.lines.map(spanOf).filter((span) => span !== undefined);
const logLine = (msg: string) => (line: AppLine) => (line.msg === msg ? line : undefined);

let scratch: string;
let packed: PackedPackage[];
let bffDir: string;
let backendDir: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tracehop-user-install-'));
  packed = await packAll(scratch, { names: BFF_PACKAGES });
  const tarballs = (names: string[]) => Object.fromEntries(packed.filter((pkg) => names.includes(pkg.name)).map((pkg) => [pkg.name, pkg.tarball]));
  bffDir = createScratchApp('bff/', join(scratch, 'bff'), tarballs(BFF_PACKAGES));
  backendDir = createScratchApp('backend/', join(scratch, 'backend'), tarballs(BACKEND_PACKAGES));
  await Promise.all([npmInstall(bffDir), npmInstall(backendDir)]);
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('every installed package answers require("<name>/package.json") with the version that was packed', () => {
  const requireFromBff = createRequire(join(bffDir, 'bff.cjs'));
  for (const pkg of packed) {
    expect(requireFromBff(`${pkg.name}/package.json`)).toMatchObject({ name: pkg.name, version: pkg.version });
  }
});

test('a TypeScript user type-checks against the published declarations, as ESM (.mts) and as CommonJS (.cts, module nodenext)', async () => {
  copyFileSync(join(bffDir, 'types.mts'), join(bffDir, 'types.cts'));
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', bffDir]).catch((error: { stdout: string }) => error);
  expect(result.stdout).toBe('');
});

describe.each(['mjs', 'cjs'])('a BFF and a backend installed from the tarballs, as .%s', (extension) => {
  test('one trace across both services, in spans and log lines, with the authenticated tenant on the backend', async () => {
    const backend = startApp(backendDir, `backend.${extension}`);
    let bff: RunningApp | undefined;
    try {
      const { address } = await backend.waitFor((line) => line.ready as { address: string } | undefined, 'ready line');
      bff = startApp(bffDir, `bff.${extension}`, { BACKEND_ADDRESS: address });
      const { url } = await bff.waitFor((line) => line.ready as { url: string } | undefined, 'ready line');

      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer token-hospital-a',
          // A client trying to pick its tenant: the public edge must drop it.
          baggage: 'tenant.id=spoofed_tenant',
        },
        body: JSON.stringify({ query: '{ patient(id: "p-1") { id ward } }' }),
      });
      expect(await response.json()).toEqual({ data: { patient: { id: 'p-1', ward: 'cardiology' } } });

      const operation = await bff.waitFor((line) => (spanOf(line)?.scope.name === '@tracehop/envelop' ? spanOf(line) : undefined), 'operation span');
      const client = await bff.waitFor((line) => (spanOf(line)?.kind === CLIENT ? spanOf(line) : undefined), 'gRPC CLIENT span');
      const server = await backend.waitFor((line) => (spanOf(line)?.kind === SERVER ? spanOf(line) : undefined), 'gRPC SERVER span');
      const bffLog = await bff.waitFor(logLine('resolving patient'), 'BFF log line');
      const backendLog = await backend.waitFor(logLine('loading patient record'), 'backend log line');

      // One trace, started at the BFF (no traceparent came in), continued by the backend.
      const traceId = operation.traceId;
      expect(operation.parentSpanId).toBeUndefined();
      expect([...spansOf(bff), ...spansOf(backend)].map((span) => span.traceId)).toEqual(
        [...spansOf(bff), ...spansOf(backend)].map(() => traceId),
      );
      expect(server.parentSpanId).toBe(client.spanId);
      expect(server.name).toBe('tracehop.fixture.Patients/GetPatient');

      // The published version is the instrumentation scope version.
      const version = (name: string) => packed.find((pkg) => pkg.name === name)!.version;
      expect(server.scope).toEqual({ name: '@tracehop/grpc', version: version('@tracehop/grpc') });
      expect(operation.scope).toEqual({ name: '@tracehop/envelop', version: version('@tracehop/envelop') });

      // Log lines carry the same trace, and the backend's the span that was active.
      expect(bffLog).toMatchObject({ service: 'bff', trace_id: traceId });
      expect(backendLog).toMatchObject({ service: 'backend', trace_id: traceId, span_id: server.spanId });

      // The tenant from the bearer token, not from the client's baggage, on the backend.
      expect(server.attributes['tenant.id']).toBe('hospital_a');
      expect(backendLog['tenant.id']).toBe('hospital_a');
      expect(JSON.stringify([...bff.lines, ...backend.lines])).not.toContain('spoofed_tenant');
    } finally {
      await bff?.stop();
      await backend.stop();
    }
  });
});
