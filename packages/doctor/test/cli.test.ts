// The `tracehop doctor` command: flags, output, exit codes 0/1/2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main, type Report } from '../src/index.js';
import { startBrokenBff } from './fixtures/broken-bff.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';
import { freePort } from './fixtures/free-port.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), tty: false });
  return { code, out, err };
}

/** The fixture stack exporting to `port`, where the CLI's receiver will listen. */
async function stack(port: number, broken = false): Promise<string> {
  const endpoint = `http://127.0.0.1:${port}`;
  const bffTelemetry = exportingTelemetry('bff', { endpoint });
  const backendTelemetry = exportingTelemetry('node-backend', { endpoint });
  const backend = await startNodeBackend(backendTelemetry);
  const bff = broken
    ? await startBrokenBff({ telemetry: bffTelemetry, backendAddress: backend.address, graphql: 'envelop-otel' })
    : await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
  cleanups.push(() => bffTelemetry.shutdown(), () => backendTelemetry.shutdown(), () => backend.stop(), () => bff.stop());
  return bff.url;
}

const QUERY = '{ patient(id: "p-1") { id summary } }';

describe('tracehop doctor (CLI)', () => {
  it('exit 0 on the healthy stack; --json is the report, --html is written, progress goes to stderr', async () => {
    const port = await freePort();
    const url = await stack(port);
    const html = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'report.html');
    const run = await cli(['doctor', '--url', url, '--query', QUERY, '--header', 'authorization: Bearer token-hospital-a', '--otlp-port', String(port), '--probes', '2', '--expect-tenant', 'hospital_a', '--settle-ms', '1000', '--json', '--html', html]);
    expect(run.code, run.out + run.err).toBe(0);
    const report = JSON.parse(run.out) as Report;
    expect(report.ok).toBe(true);
    expect(report.probes).toHaveLength(2);
    expect(run.err).toMatch(/waiting for spans: \d+ received, \d\/2 probes complete/);
    expect(readFileSync(html, 'utf8')).toContain('<div class="waterfall"');
  });

  it('exit 1 with the stable kind in --json on a broken stack; the text report names the break', async () => {
    const port = await freePort();
    const url = await stack(port, true);
    const json = await cli(['doctor', '--url', url, '--query', QUERY, '--otlp-port', String(port), '--probes', '1', '--export-delay-ms', '0', '--settle-ms', '1000', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as Report;
    expect(report.probes[0]!.breaks.map((b) => [b.kind, b.service])).toEqual([['entry-new-trace', 'bff']]);
    // A fresh stack: exporters keep a connection to the receiver that just closed, and back off after it fails.
    const port2 = await freePort();
    const url2 = await stack(port2, true);
    const text = await cli(['doctor', '--url', url2, '--query', QUERY, '--otlp-port', String(port2), '--probes', '1', '--export-delay-ms', '0', '--settle-ms', '1000']);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/✗ entry-new-trace \[bff\] bff started a new trace/);
    expect(text.out).toMatch(/✗ 1 break\(s\) in 1 probe\(s\) \(exit 1\)/);
  });

  it('exit 2 on usage errors', async () => {
    for (const argv of [[], ['doctor'], ['doctor', '--url', 'ftp://x', '--query', 'q'], ['doctor', '--url', 'http://x', '--query', 'q', '--probes', '0'], ['doctor', '--url', 'http://x', '--query', 'q', '--log-backend', 'splunk'], ['doctor', '--nope'], ['probe'], ['doctor', '--url', 'http://x', '--query', 'q', '--logs', '-', '--logs', 'a=-']]) {
      const run = await cli(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toContain('usage: tracehop doctor');
    }
  });

  it('--version prints the package version, exit 0', async () => {
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.out.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  it('exit 2 when the URL refuses, and when the receiver port is taken', async () => {
    const refused = await cli(['doctor', '--url', `http://127.0.0.1:${await freePort()}/graphql`, '--query', QUERY, '--otlp-port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/tracehop: cannot reach http:\/\/127\.0\.0\.1:\d+\/graphql: ECONNREFUSED/);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as { port: number }).port;
    const busy = await cli(['doctor', '--url', 'http://127.0.0.1:1/graphql', '--query', QUERY, '--otlp-port', String(port)]);
    expect(busy.code).toBe(2);
    expect(busy.err).toMatch(/cannot start the OTLP receiver: .*EADDRINUSE/);
  });

  it('the installed bin (dist) exits 2 on a refused URL', () => {
    const bin = fileURLToPath(new URL('../bin/tracehop.js', import.meta.url));
    const result = spawnSync(process.execPath, [bin, 'doctor', '--url', 'http://127.0.0.1:9/graphql', '--query', QUERY, '--otlp-port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toContain('cannot reach');
    expect(result.status).toBe(2);
  });
});
