// Deliberately broken stacks built from the real peers: each break is named
// with the service that has to change.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ALLOW_ALL_BAGGAGE_KEYS, BaggageSpanProcessor } from '@opentelemetry/baggage-span-processor';
import { createServiceTelemetry, startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderTextReport, runDoctor, type DoctorOptions, type Report } from '../src/index.js';
import { startReceiver } from '../src/testing.js';
import { startBareBackend } from './fixtures/bare-backend.js';
import { startBrokenBff, type BrokenBffOptions } from './fixtures/broken-bff.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';

const QUERY = '{ patient(id: "p-1") { id summary } }';
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Stack {
  bff: Omit<BrokenBffOptions, 'telemetry' | 'backendAddress'>;
  /** 'tracehop' = fixture-bff's Node backend; 'bare' = no server interceptor. */
  backend?: 'tracehop' | 'bare';
  /** The BFF logs through pino with no trace mixin (same file). */
  plainBffLogger?: boolean;
  /** The BFF propagates but exports its spans nowhere the doctor sees. */
  silentBff?: boolean;
  /** fixture-bff's BFF with client baggage accepted at the edge, and every service (or only the backend) copying all baggage onto spans. */
  openBaggage?: boolean | 'backend-records';
  doctor?: Partial<DoctorOptions>;
}

/**
 * Starts the stack exporting to a fresh receiver, runs 2 probes, returns the report. Every service exports
 * each span as it ends (SimpleSpanProcessor), so no export delay is waited (that rule: export-delay.test.ts).
 */
async function diagnose(stack: Stack): Promise<Report> {
  const receiver = await startReceiver({ port: 0 });
  cleanups.push(() => receiver.close());
  const logs = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'logs.jsonl');
  const processors = (records = true) => (stack.openBaggage && records ? [new BaggageSpanProcessor(ALLOW_ALL_BAGGAGE_KEYS)] : []);
  const bffProcessors = processors(stack.openBaggage !== 'backend-records');
  const bffTelemetry = stack.silentBff
    ? createServiceTelemetry('bff')
    : exportingTelemetry('bff', { endpoint: receiver.endpoint, logFile: logs, processors: bffProcessors });
  const backendTelemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint, logFile: logs, processors: processors() });
  cleanups.push(() => bffTelemetry.shutdown(), () => backendTelemetry.shutdown());
  const backend = stack.backend === 'bare' ? await startBareBackend(backendTelemetry) : await startNodeBackend(backendTelemetry);
  cleanups.push(() => backend.stop());
  const plain = pino({ base: { service: 'bff' } }, new Writable({ write: (chunk: Buffer, _e, done) => (appendFileSync(logs, chunk), done()) }));
  const bff = stack.openBaggage
    ? await startBff({ telemetry: bffTelemetry, backendAddress: backend.address, acceptBaggage: true })
    : await startBrokenBff({ telemetry: bffTelemetry, backendAddress: backend.address, ...(stack.plainBffLogger ? { logger: plain } : {}), ...stack.bff });
  cleanups.push(() => bff.stop());
  const report = await runDoctor(
    { url: bff.url, query: QUERY, headers: { authorization: 'Bearer token-hospital-a' }, probes: 2, logs: [logs], exportDelayMs: 0, settleMs: 1_000, waitMs: 10_000, ...stack.doctor },
    receiver,
  );
  if (process.env.DOCTOR_PRINT) console.log(renderTextReport(report).join('\n'));
  return report;
}

const kinds = (report: Report) => report.probes.map((p) => p.breaks.map((b) => `${b.kind}@${b.service}`).sort());

describe('tracehop doctor names the break and the service', () => {
  it('the BFF with @envelop/opentelemetry alone: a new trace at the entry', async () => {
    const report = await diagnose({ bff: { graphql: 'envelop-otel' } });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) {
      expect(kinds(report)[probe.index - 1], text).toEqual(['entry-new-trace@bff']);
      expect(probe.effectiveTraceId).not.toBe(probe.traceId);
    }
    expect(report.ok).toBe(false);
  });

  it('@envelop/opentelemetry stacked on tracehop: two SERVER spans for one operation', async () => {
    const report = await diagnose({ bff: { graphql: 'both' } });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) expect(kinds(report)[probe.index - 1], text).toEqual(['duplicate-span@bff']);
  });

  it('a backend without the server interceptor: a CLIENT span with no SERVER under it, attributed to the backend', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, backend: 'bare' });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) {
      const b = probe.breaks.find((x) => x.kind === 'client-without-server');
      expect(b, text).toBeDefined();
      expect(b!.peer).toBe('bff');
      expect(b!.service).toMatch(/^127\.0\.0\.1:\d+$/);
      // Its log lines, written outside any context, carry no trace fields.
      expect(kinds(report)[probe.index - 1]).toEqual([`client-without-server@${b!.service}`, 'log-without-trace@node-backend']);
    }
  });

  it('pino without the mixin: log lines of the request without trace fields, in the BFF', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, plainBffLogger: true });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) expect(kinds(report)[probe.index - 1], text).toEqual(['log-without-trace@bff']);
  });

  it('a tenant taken from a client header: tenant-from-client at the BFF; the same downstream and in log lines are its consequences', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop', tenantFrom: 'header' }, doctor: { expectTenant: 'hospital_a' } });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) {
      expect(kinds(report)[probe.index - 1], text).toEqual(['tenant-from-client@bff']);
      // The BFF's log lines, and the backend's spans and lines (it got the tenant in the BFF's baggage).
      const consequences = probe.consequences.map((c) => `${c.kind}@${c.service} <- ${c.causedBy!.kind}@${c.causedBy!.service}`).sort();
      expect(consequences, text).toEqual([
        'tenant-from-client@bff <- tenant-from-client@bff',
        'tenant-from-client@node-backend <- tenant-from-client@bff',
        'tenant-from-client@node-backend <- tenant-from-client@bff',
      ]);
    }
  });

  it('logs checked against a Cloud Logging backend: OTel-shaped lines are named unlinkable', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, doctor: { logBackend: 'gcp' } });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) {
      expect(kinds(report)[probe.index - 1], text).toEqual(['log-unlinkable-shape@bff', 'log-unlinkable-shape@node-backend']);
    }
  });

  it('client baggage accepted at the edge and copied onto spans (BaggageSpanProcessor, all keys): baggage-leak in every service', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, openBaggage: true, doctor: { expectTenant: 'hospital_a' } });
    const text = renderTextReport(report).join('\n');
    // The tenant stays the authenticated one (tracehop strips the client's tenant.id even when baggage is accepted).
    // The backend copied what the BFF accepted and passed on: a consequence.
    for (const probe of report.probes) {
      expect(kinds(report)[probe.index - 1], text).toEqual(['baggage-leak@bff']);
      expect(probe.consequences.map((c) => `${c.kind}@${c.service} <- ${c.causedBy!.service}`), text).toEqual(['baggage-leak@node-backend <- bff']);
    }
  });

  it('client baggage accepted at the edge, copied onto spans only behind it: the edge is named, the backend is a consequence', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, openBaggage: 'backend-records', doctor: { expectTenant: 'hospital_a' } });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) {
      expect(kinds(report)[probe.index - 1], text).toEqual(['baggage-leak@bff']);
      expect(probe.breaks[0]!.message).toMatch(/bff let the probe's baggage member in from outside the trust boundary: node-backend recorded it/);
      expect(probe.consequences.map((c) => `${c.kind}@${c.service} <- ${c.causedBy!.service}`), text).toEqual(['baggage-leak@node-backend <- bff']);
    }
  });

  it('a BFF that propagates but exports elsewhere: the backend SERVER span is an orphan', async () => {
    const report = await diagnose({ bff: { graphql: 'tracehop' }, silentBff: true });
    const text = renderTextReport(report).join('\n');
    for (const probe of report.probes) expect(kinds(report)[probe.index - 1], text).toEqual(['orphan-server@node-backend']);
  });
});
