// The demo a newcomer runs: it exits cleanly, prints one connected tree per
// request with the log lines of every service, and exports over OTLP when the
// standard endpoint variable is set (received here by a loopback server).
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const e2eDir = fileURLToPath(new URL('..', import.meta.url));

test('pnpm demo prints a trace tree and the log lines per request, and exports OTLP', async () => {
  const received: { path: string; contentType: string | undefined; bytes: number }[] = [];
  const collector = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'], bytes });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts'], {
      cwd: e2eDir,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      timeout: 60_000,
    });
    const requests = stdout.split('━━ request ').slice(1);
    expect(requests).toHaveLength(3);
    for (const block of requests) {
      const traceId = /traceparent 00-([0-9a-f]{32})-/.exec(block)![1];
      expect(block).toMatch(/\[bff\] query \(SERVER [\d.]+ms, (UNSET|ERROR) tenant=hospital_[ab]\)/);
      expect(block).toMatch(/└─ \[node-backend\] tracehop\.fixture\.Echo\/Say \(SERVER/);
      expect(block).toContain(`log lines with trace_id ${traceId}`);
      expect(block).toMatch(/\[node-backend\] INFO {2}loading patient record/);
      expect(block).not.toMatch(/spoofed|orphan/);
    }
    expect(requests[2]).toMatch(/→ {2}error/);
    expect(requests[2]).toMatch(/\[node-backend\] ERROR patient record store unavailable/);
  } finally {
    collector.close();
  }
  expect(received.length).toBeGreaterThan(0);
  expect(received.every((r) => r.path === '/v1/traces' && r.bytes > 0)).toBe(true);
}, 90_000);
