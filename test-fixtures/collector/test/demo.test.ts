// `pnpm demo --collector` runs and says the truth: the services export through
// the Cloud Run front end into the collector image deployed from service.yaml,
// the hops it prints are what the front end decided (invokers allowed, the
// caller without roles/run.invoker denied with 403); a trace is reported kept
// exactly when a policy selects it, and every kept trace reached Google whole;
// the per-hospital table it prints from the span metrics Google received
// matches the mix it sent; it ends with the collector's own health, which
// accounts for every trace and fires no alert.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { expect, test } from 'vitest';
import { runCollectorDemo } from '../src/index.js';
import { buildMix, expectedRows } from './hospital-mix.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

test('the collector demo keeps error, slow and allow-listed traces whole, drops the rest, and prints the per-hospital table of what it sent', async () => {
  const lines: string[] = [];
  const { traces: results, slis, hops, health } = await runCollectorDemo({ kotlin: true, log: (line) => lines.push(line) });
  expect(hops).toContainEqual(expect.stringMatching(/^bff@hospital-saas-demo\.iam\.gserviceaccount\.com -> front end: allowed \(.* holds roles\/run\.invoker\) -> collector HTTP 200 {2}x\d+$/));
  expect(hops).toContainEqual(expect.stringMatching(/^patient-records@hospital-saas-demo\.iam\.gserviceaccount\.com -> front end: allowed .* -> collector HTTP 200 {2}x\d+$/));
  expect(hops).toContainEqual(expect.stringMatching(/^reporting@another-project\.iam\.gserviceaccount\.com -> front end: DENIED 403 \(.*has no roles\/run\.invoker.*\) {2}x1$/));
  expect(hops.filter((line) => line.includes('DENIED'))).toHaveLength(1);
  for (const line of hops) expect(lines).toContain(`  ${line}`);
  expect(results).toHaveLength(11);
  for (const r of results) {
    expect(r.spansProduced).toBeGreaterThanOrEqual(3);
    // Within 50 ms of the 300 ms threshold, clocks may disagree about "slow": either outcome is right.
    if (Math.abs(r.durationMs - 300) < 50) continue;
    expect(r.spansKept, `${r.label}: ${r.reasons.join(', ')}`).toBe(r.reasons.length > 0 ? r.spansProduced : 0);
  }
  const reasons = results.flatMap((r) => r.reasons.map((reason) => reason.replace(/ \(.*/, '')));
  expect(new Set(reasons)).toEqual(new Set(['error', 'slow', 'allow-listed tenant']));
  expect(results.some((r) => r.reasons.length === 0)).toBe(true);
  expect(lines).toContainEqual(expect.stringMatching(/^\nkept \d+ of 11 traces; the token was fetched 1 time\(s\)/));

  // The demo's mix (the slow patient only through the Node backend first), and what the table must say for it.
  const mix = buildMix([
    ['hospital_b', 'GetPatient', 'ok', 2],
    ['hospital_b', 'GetPatient', 'error', 1],
    ['hospital_b', 'GetPatient', 'slow', 1, 'via node'],
    ['hospital_b', 'PatientVitals', 'ok', 1],
    ['hospital_a', 'GetPatient', 'ok', 1],
  ]);
  const expected = [...expectedRows(mix)].map(([key, row]) => {
    const [service, hospital, operation] = key.split(' | ') as [string, string, string];
    return { hospital, operation: service === 'bff' ? `GraphQL ${operation}` : `gRPC ${operation} @ ${service}`, requests: row.calls, errors: row.errors };
  });
  const table = slis.map(({ hospital, operation, requests, errors }) => ({ hospital, operation, requests, errors }));
  const byKey = (x: { hospital: string; operation: string }, y: { hospital: string; operation: string }) => `${x.hospital} ${x.operation}`.localeCompare(`${y.hospital} ${y.operation}`);
  expect(table.sort(byKey)).toEqual(expected.sort(byKey));
  // hospital_b's GetPatient includes the 500 ms call: its p95 bucket is the one up to 1 s (or above); every row printed.
  expect(slis.find((r) => r.hospital === 'hospital_b' && r.operation === 'GraphQL GetPatient')!.p95AtMostMs).toBeGreaterThanOrEqual(1000);
  const header = lines.findIndex((line) => line.startsWith('hospital  '));
  expect(lines[header]).toContain('p95 (bucket upper bound)');
  expect(lines.slice(header + 1, header + 1 + slis.length).every((line) => /^hospital_[ab] /.test(line))).toBe(true);

  // The collector's own health (issue 22, item 8): every trace decided (+ the two warm-ups), none refused, no alert.
  expect(health.tracesKept + health.tracesDropped).toBe(results.length + 2);
  expect(health.tracesKept).toBeGreaterThanOrEqual(results.filter((r) => r.spansKept > 0).length);
  expect(health.spansExported).toBeGreaterThanOrEqual(results.reduce((n, r) => n + r.spansKept, 0));
  expect(health.spansReceived).toBeGreaterThanOrEqual(results.reduce((n, r) => n + r.spansProduced, 0));
  expect({ refused: health.spansRefused, failed: health.spansFailedToExport, firing: health.firing }).toEqual({ refused: 0, failed: 0, firing: [] });
  expect(lines.at(-1)).toBe('  alerts that would fire (collector/alerts): none');
}, 90_000);
