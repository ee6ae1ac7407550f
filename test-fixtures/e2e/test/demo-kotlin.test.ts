// `pnpm demo --kotlin` as a newcomer runs it: under each request's trace, the Kotlin
// log lines are printed in full as Cloud Logging structured entries, and their
// logging.googleapis.com/trace and spanId are the request's trace and the Kotlin
// SERVER span the agent exported (listed by the demo from doctor's receiver).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GCP_SPAN_ID_KEY, GCP_TRACE_KEY, cloudLoggingEntryProblems } from '@tracehop/fixture-kotlin-backend';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const e2eDir = fileURLToPath(new URL('..', import.meta.url));

test('pnpm demo --kotlin prints each Kotlin line as a Cloud Logging entry naming the Kotlin SERVER span of its request', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--kotlin'], { cwd: e2eDir, timeout: 120_000 });
  const requests = stdout.split('━━ request ').slice(1);
  expect(requests, stdout).toHaveLength(3);
  for (const block of requests) {
    const traceId = /traceparent 00-([0-9a-f]{32})-/.exec(block)![1]!;
    // "     <16 hex>  [service] name (KIND)" under "span IDs:": what the receiver got from the agent.
    const spans = new Map([...block.matchAll(/^ {5}([0-9a-f]{16}) {2}\[([\w-]+)\] (\S+) \((\w+)\)$/gm)].map(([, id, service, name, kind]) => [id!, { service, name, kind }]));
    expect([...spans.values()].filter((s) => s.service === 'kotlin-backend' && s.kind === 'SERVER').length, block).toBeGreaterThan(0);
    const entries = block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length, block).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(cloudLoggingEntryProblems(entry)).toEqual([]);
      expect(entry).toMatchObject({ [GCP_TRACE_KEY]: traceId, service: 'kotlin-backend' });
      const span = spans.get(entry[GCP_SPAN_ID_KEY] as string);
      // The plain service logs "Say…" in Echo/Say and "Stream" in Echo/Stream.
      const method = String(entry.message).split(' ')[0];
      expect(span, String(entry.message)).toEqual({ service: 'kotlin-backend', name: `tracehop.fixture.Echo/${method}`, kind: 'SERVER' });
    }
  }
  expect(requests[2]).toMatch(/"severity":"WARNING","message":"Say failed on request"/);
}, 150_000);
