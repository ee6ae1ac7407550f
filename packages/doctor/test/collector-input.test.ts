// --collector-metrics given something that is not a collector's endpoint, or
// text that is not what the collector serves: a clear exit 2 before any probe,
// or the line skipped; never a crash, never a probe sent for nothing.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCounts, snapshotOf } from '../src/collector-counts.js';
import { main } from '../src/index.js';
import { metricsUrl, parsePrometheusText } from '../src/prometheus-text.js';
import { freePort } from './fixtures/free-port.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve).closeAllConnections());
});

/** A loopback HTTP server; `handle` answers each request. Returns its base URL and a request count. */
async function serve(handle: (path: string, res: ServerResponse) => void) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handle(req.url ?? '/', res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), tty: false });
  return { code, out, err };
}

describe('the self-metrics text', () => {
  it("keeps the collector's series, unescapes label values, drops a counter's _total, skips what does not parse", () => {
    const text = [
      '# HELP otelcol_receiver_refused_spans Number of spans that could not be pushed into the pipeline.',
      '# TYPE otelcol_receiver_refused_spans counter',
      'otelcol_receiver_refused_spans{receiver="otlp",transport="http"} 7',
      'otelcol_exporter_sent_spans_total{exporter="otlp_http/a\\"b\\\\c\\nd"} 3 1700000000000',
      'otelcol_receiver_accepted_spans 1e3',
      'go_goroutines 12',
      'otelcol_receiver_failed_spans{receiver="otlp" 1',
      'otelcol_receiver_failed_spans{receiver=otlp} 1',
      'otelcol_process_uptime NaN',
      'otelcol_process_memory_rss +Inf',
      '{receiver="otlp"} 4',
      'target_info{service_instance_id="i-1",service_version="0.161.0"} 1',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'otelcol_receiver_refused_spans', labels: { receiver: 'otlp', transport: 'http' }, value: 7 },
      { name: 'otelcol_exporter_sent_spans', labels: { exporter: 'otlp_http/a"b\\c\nd' }, value: 3 },
      { name: 'otelcol_receiver_accepted_spans', labels: {}, value: 1000 },
      { name: 'target_info', labels: { service_instance_id: 'i-1', service_version: '0.161.0' }, value: 1 },
    ]);
  });

  it('a counter that went down without a new instance label is a restart: the counts are the new process\'s', () => {
    const at = (refused: number) => snapshotOf(parsePrometheusText(`otelcol_receiver_refused_spans{receiver="otlp"} ${refused}\n`));
    expect(runCounts(at(10), at(15))).toMatchObject({ restarted: false, counts: { refused: 5 } });
    expect(runCounts(at(10), at(4))).toMatchObject({ restarted: true, counts: { refused: 4 } });
  });

  it('a bare http://HOST:PORT reads /metrics; a path is kept', () => {
    expect(metricsUrl('http://127.0.0.1:8888')).toBe('http://127.0.0.1:8888/metrics');
    expect(metricsUrl('http://127.0.0.1:9000/custom')).toBe('http://127.0.0.1:9000/custom');
  });
});

describe('--collector-metrics that cannot be read: exit 2 before any probe', () => {
  async function run(metrics: string) {
    const app = await serve((_, res) => res.end('{"data":{}}'));
    const port = await freePort();
    const run = await cli(['doctor', '--url', `${app.url}/graphql`, '--query', '{ a }', '--otlp-port', String(port), '--collector-metrics', metrics]);
    expect(app.requests(), 'no probe is sent').toBe(0);
    expect(run.code).toBe(2);
    return run.err;
  }

  it('a port nothing listens on', async () => {
    const port = await freePort();
    expect(await run(`http://127.0.0.1:${port}`)).toBe(`tracehop: cannot read the collector's self-metrics at http://127.0.0.1:${port}/metrics: ECONNREFUSED\n`);
  });

  it('an endpoint that is not the collector\'s (no otelcol_ metric), a 404, a body over 4 MiB', async () => {
    const other = await serve((_, res) => res.end('# TYPE up gauge\nup 1\n'));
    expect(await run(other.url)).toContain("it serves no otelcol_ metric: is it the collector's Prometheus reader (self-telemetry.yaml)?");
    const missing = await serve((_, res) => res.writeHead(404).end('not found'));
    expect(await run(missing.url)).toMatch(/self-metrics at http:\/\/127\.0\.0\.1:\d+\/metrics: HTTP 404\n$/);
    const line = 'otelcol_receiver_accepted_spans{receiver="otlp",transport="http"} 1\n';
    const huge = await serve((_, res) => res.end(line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))));
    expect(await run(huge.url)).toContain(': more than 4194304 bytes');
  });

  it('an endpoint that never answers: given up after 5 s', async () => {
    const hung = await serve(() => undefined);
    expect(await run(hung.url)).toMatch(/self-metrics at http:\/\/127\.0\.0\.1:\d+\/metrics: no answer within 5 s\n$/);
  });

  it('a URL that is not http(s) is a usage error', async () => {
    const run = await cli(['doctor', '--url', 'http://127.0.0.1:1/graphql', '--query', '{ a }', '--collector-metrics', 'ftp://collector:8888']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^tracehop: --collector-metrics must be an http\(s\) URL\n\nusage: tracehop doctor/);
  });
});

describe('the README', () => {
  it("shows the collector overlay the tests load (test/fixtures/collector/to-doctor.yaml, comments aside)", () => {
    const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
    const overlay = read('./fixtures/collector/to-doctor.yaml').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    const block = /```yaml\n([\s\S]*?)```/.exec(read('../README.md'))?.[1];
    expect(block).toBe(overlay);
  });
});
