// Issue 22 item 7: `--collector-metrics`. The services export to the real
// collector (deployed configs + self-telemetry.yaml), which forwards the traces
// it keeps to the doctor; the doctor reads the collector's self-metrics before
// the first probe and after the wait, and tells "a service's spans never
// arrive" from "the collector lost them".
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main, renderHtmlReport, renderTextReport, runDoctor, type Report } from '../src/index.js';
import { startCollectorStack } from './fixtures/collector-stack.js';
import { freePort } from './fixtures/free-port.js';
import { AUTH, QUERY, breakKinds, consequenceKinds, type Cleanups } from './fixtures/stack.js';

const cleanups: Cleanups = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const print = (report: Report) => {
  const text = renderTextReport(report).join('\n');
  if (process.env.DOCTOR_PRINT) console.log(text);
  return text;
};
/** Breaks attributed to anything but the collector. */
const blamedServices = (report: Report) => report.probes.flatMap((p) => p.breaks.filter((b) => b.service !== 'collector'));

describe('tracehop doctor --collector-metrics, against the real collector', () => {
  it('a healthy collector: every probe passes, its section counts what it took in and forwarded, nothing refused or dropped', async () => {
    const stack = await startCollectorStack({}, cleanups);
    // Default flags: the collector adds its decision_wait (2 s here) and batch timeout (1 s) to the services' export.
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl }, stack.receiver);
    const text = print(report);
    expect(report.ok, text).toBe(true);
    expect(breakKinds(report)).toEqual([[], [], []]);
    const collector = report.collector!;
    expect(collector.findings).toEqual([]);
    expect(collector.restarted).toBe(false);
    expect(collector.version).toBe('0.161.0-tracehop');
    const counts = collector.counts!;
    expect(counts.refused).toBe(0);
    expect(counts.accepted).toBe(report.receiver.spans);
    expect(counts.exporters['otlp_http/doctor']).toMatchObject({ sent: report.receiver.spans, sendFailed: 0, enqueueFailed: 0 });
    expect(counts.tailSampling).toMatchObject({ kept: 3, notKept: 0, droppedTooEarly: 0 });
    expect(text).toContain(`collector ${stack.metricsUrl} (otelcol 0.161.0-tracehop, instance ${collector.instance}), during the run:`);
    expect(text).toContain('✓ nothing refused, failed to export or dropped');
    expect(text).toMatch(/✓ every probe continued through every hop \(exit 0\)/);
  });

  it("the memory_limiter refuses every export: the collector is named with its counts, the probes' empty traces are its doing", async () => {
    const port = await freePort();
    // Limits below the collector's own ~5 MiB heap (as collector/README's memory-limit test does): every export gets 503.
    const stack = await startCollectorStack({ env: { MEMORY_LIMIT_MIB: '4', MEMORY_SPIKE_LIMIT_MIB: '2' } }, cleanups, port);
    await sleep(1_500); // the limiter decides at its first check (check_interval: 1s)
    const html = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'report.html');
    const argv = ['doctor', '--url', stack.url, '--query', QUERY, '--header', `authorization: ${AUTH.authorization}`, '--otlp-port', String(port)];
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), tty: false };
    const code = await main([...argv, '--wait-ms', '8000', '--collector-metrics', stack.metricsUrl, '--json', '--html', html], io);
    expect(code, err).toBe(1);
    const report = JSON.parse(out) as Report;
    const text = print(report);
    const counts = report.collector!.counts!;
    expect(counts.refused).toBeGreaterThanOrEqual(9); // 3 probes × 3 spans, and each retry again
    expect(counts.memoryLimiterRefused).toBeGreaterThan(0);
    expect(counts.accepted).toBe(0);
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-refused']);
    expect(breakKinds(report)).toEqual([0, 1, 2].map(() => ['collector-refused@collector']));
    expect(consequenceKinds(report)).toEqual([0, 1, 2].map(() => ['no-spans@(entry) <- collector-refused@collector']));
    expect(text).toMatch(new RegExp(`✗ collector-refused \\[collector\\] the collector refused ${counts.refused} span\\(s\\)`));
    expect(text).toContain('↳ caused by it: no-spans [(entry)]');
    expect(text).toContain(`   spans received 0, refused ${counts.refused}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toBe(renderHtmlReport(report));
    expect(page).toContain('<section class="collector">');
    expect(page).toMatch(/<li class="bad" data-kind="collector-refused"><code>collector-refused<\/code>: the collector refused \d+ span/);
    expect(page).toContain('(caused by collector-refused@collector)');
  });

  it('Google refuses the kept traces for good (403): every probe passes, and the run still fails on what the collector dropped', async () => {
    const stack = await startCollectorStack({ faultProxy: true }, cleanups);
    // 403 PERMISSION_DENIED: OTLP/HTTP does not retry it, the exporter drops the batch (google-fault-proxy.ts).
    stack.collector.proxy!.set('403', ['/v1/traces']);
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl }, stack.receiver);
    const text = print(report);
    expect(breakKinds(report)).toEqual([[], [], []]);
    const { exporters } = report.collector!.counts!;
    expect(exporters['otlp_http/doctor']).toMatchObject({ sent: report.receiver.spans, sendFailed: 0 });
    expect(exporters['otlp_http/google']).toMatchObject({ sent: 0, sendFailed: report.receiver.spans, enqueueFailed: 0 });
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-export-failed']);
    expect(report.ok).toBe(false);
    expect(text).toContain(`✗ collector-export-failed the collector's exporters dropped spans during the run: otlp_http/google gave up on ${report.receiver.spans} span(s)`);
    expect(text.split('\n').at(-1)).toBe('✗ the collector lost spans during the run (exit 1)');
  });

  it("Google refusing does not excuse a backend that records no span: its break stays its own", async () => {
    const stack = await startCollectorStack({ faultProxy: true, backend: 'bare' }, cleanups);
    stack.collector.proxy!.set('403', ['/v1/traces']);
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl, waitMs: 8_000 }, stack.receiver);
    const text = print(report);
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-export-failed']);
    // The doctor got every span the Google exporter lost (its own exporter delivered them): the missing SERVER span is the backend's.
    expect(breakKinds(report).map((kinds) => kinds.map((k) => k.replace(/@127\.0\.0\.1:\d+$/, '@backend')))).toEqual(
      [0, 1, 2].map(() => ['client-without-server@backend']),
    );
    expect(consequenceKinds(report)).toEqual([[], [], []]);
    expect(text).toContain('✗ collector-export-failed');
    expect(text.split('\n').at(-1)).toBe('✗ 3 break(s) in 3 probe(s); the collector lost spans during the run (exit 1)');
  });

  it('tail sampling drops traces before their decision: the backend is not blamed for the spans it sent', async () => {
    // num_traces 1: each new trace pushes the undecided one before it out of memory. The backend exports each span as it
    // ends, the BFF every 1.5 s: the next probe's backend span arrives before this probe's BFF spans, and evicts its trace.
    const stack = await startCollectorStack({ overlays: ['one-undecided-trace.yaml'], bffExport: 1_500 }, cleanups);
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl, waitMs: 10_000 }, stack.receiver);
    const text = print(report);
    const tail = report.collector!.counts!.tailSampling!;
    expect(tail.droppedTooEarly, text).toBeGreaterThan(0);
    expect(report.collector!.findings.map((f) => f.kind)).toContain('collector-dropped');
    expect(report.ok).toBe(false);
    expect(blamedServices(report), text).toEqual([]);
    const consequences = report.probes.flatMap((p) => p.consequences);
    expect(consequences.length, text).toBeGreaterThan(0);
    for (const c of consequences) expect(c.causedBy, text).toEqual({ kind: 'collector-dropped', service: 'collector' });
    // The trace left in memory last holds only the BFF's spans (its backend span was pushed out before they came): without
    // the collector's account, that is client-without-server on the backend.
    expect(consequences.map((c) => c.kind), text).toContain('client-without-server');
    expect(text).toMatch(/✗ collector-dropped \[collector\] the collector's tail sampling dropped \d+ trace\(s\) from memory before their decision/);
  });

  it.each([
    ['killed and started again (a new instance)', 'restart', /restarted during the run \(instance [0-9a-f-]{36} → [0-9a-f-]{36}\)/],
    ['killed (its endpoint stops answering)', 'kill', /could not be read after the run \(ECONNREFUSED\): it stopped or restarted/],
  ] as const)('the collector %s while it holds the probes undecided: the lost traces are its doing', async (_, how, said) => {
    // decision_wait 4 s: every probe's trace is still undecided when the collector goes, even when the probes
    // run slowly on a loaded machine; the doctor waits 10 s, so spans the services' exporters retry into the
    // new instance are decided and forwarded before it stops (a partial trace, also the collector's doing).
    const stack = await startCollectorStack({ decisionWait: '4s' }, cleanups);
    let crashed: Promise<void> | undefined;
    // The first progress line comes right after the last probe's response: the traces wait in tail sampling.
    const onProgress = () => void (crashed ??= stack.collector.collector.process[how]());
    const options = { url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl, waitMs: 10_000, onProgress };
    const report = await runDoctor(options, stack.receiver);
    await crashed;
    const text = print(report);
    expect(report.collector!.restarted).toBe(true);
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-restarted']);
    expect(report.collector!.findings[0]!.message).toMatch(said);
    expect(breakKinds(report)).toEqual([0, 1, 2].map(() => ['collector-restarted@collector']));
    // What each probe's loss looks like depends on when the kill came: nothing arrived (no-spans), or the spans a
    // service's exporter retried into the new instance did (the BFF's CLIENT span without the backend's SERVER
    // span, seen in CI). Either way it is a consequence of the restart, never a break of a service.
    for (const consequences of consequenceKinds(report)) {
      expect(consequences.length).toBeGreaterThan(0);
      for (const consequence of consequences) expect(consequence).toMatch(/ <- collector-restarted@collector$/);
    }
    expect(text).toMatch(/✗ collector-restarted \[collector\] the collector (restarted|could not be read)/);
  });

  it("the deployed decision_wait (30 s) with default flags: the collector still holds the probes, and the doctor says to wait longer", async () => {
    const stack = await startCollectorStack({ decisionWait: '30s' }, cleanups);
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl }, stack.receiver);
    const text = print(report);
    expect(report.collector!.counts!.tailSampling).toMatchObject({ kept: 0, notKept: 0, undecided: 3 });
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-undecided']);
    expect(breakKinds(report)).toEqual([0, 1, 2].map(() => ['collector-undecided@collector']));
    expect(consequenceKinds(report)).toEqual([0, 1, 2].map(() => ['no-spans@(entry) <- collector-undecided@collector']));
    expect(text).toContain('· collector-undecided the collector still held 3 trace(s) waiting for their decision');
    expect(text).toContain('raise --export-delay-ms and --wait-ms');
  });

  it("traces no policy keeps: a probe of which nothing arrived is the collector's sampling, not a silent entry", async () => {
    const stack = await startCollectorStack({ sampledTenants: [] }, cleanups);
    const report = await runDoctor({ url: stack.url, query: QUERY, headers: AUTH, collectorMetrics: stack.metricsUrl, waitMs: 8_000 }, stack.receiver);
    const text = print(report);
    expect(report.collector!.counts!.tailSampling).toMatchObject({ kept: 0, notKept: 3, droppedTooEarly: 0 });
    expect(report.collector!.findings.map((f) => f.kind)).toEqual(['collector-not-sampled']);
    expect(breakKinds(report)).toEqual([0, 1, 2].map(() => ['collector-not-sampled@collector']));
    expect(consequenceKinds(report)).toEqual([0, 1, 2].map(() => ['no-spans@(entry) <- collector-not-sampled@collector']));
    expect(text).toContain('· collector-not-sampled');
    expect(text).toContain('✓ nothing refused, failed to export or dropped');
  });
});
