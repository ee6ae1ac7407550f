// googleIdTokenHeaders through the real OTLP/HTTP and OTLP/proto exporters,
// real google-auth-library, the fake metadata server and an authenticating
// receiver on loopback: single flight, background refresh, never blocking.
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createIssuer } from '@tracehop/fixture-gcp-fakes';
import { useFakeMetadataServer } from '@tracehop/fixture-gcp-fakes/vitest';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { googleIdTokenHeaders, type GoogleIdTokenHeadersFactory, type GoogleIdTokenHeadersOptions } from '../src/index.js';
import { AUDIENCE, exportSpans, startOtlpReceiver, sleep, type OtlpReceiver } from './harness.js';

const issuer = createIssuer();
const fake = useFakeMetadataServer({ issuer, lifetimeSeconds: 600 });
let receiver: OtlpReceiver;
const factories: GoogleIdTokenHeadersFactory[] = [];

beforeEach(async () => {
  receiver = await startOtlpReceiver(issuer);
});
afterEach(async () => {
  for (const factory of factories.splice(0)) factory.shutdown();
  await receiver.close();
  await fake.server.setMode('normal');
  fake.server.setLifetime(600);
  fake.server.resetCounts();
});

function headersFor(options: Partial<GoogleIdTokenHeadersOptions> = {}): GoogleIdTokenHeadersFactory {
  const factory = googleIdTokenHeaders({ audience: AUDIENCE, ...options } as GoogleIdTokenHeadersOptions);
  factories.push(factory);
  return factory;
}

test('200 concurrent exports from a cold start: one metadata fetch, 200 accepted exports', async () => {
  const headers = headersFor({ prefetch: false });
  const exporter = new OTLPHttpExporter({ url: receiver.url, headers, concurrencyLimit: 500 });
  const results = await Promise.all(Array.from({ length: 200 }, () => exportSpans(exporter)));
  expect(results.map((result) => result.code)).toEqual(Array(200).fill(ExportResultCode.SUCCESS));
  expect(receiver.accepted).toBe(200);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
  expect(new Set(receiver.tokens).size).toBe(1);
  await exporter.shutdown();
});

test('2000 concurrent calls of the factory itself, cold: one fetch, one token', async () => {
  const headers = headersFor({ prefetch: false });
  const all = await Promise.all(Array.from({ length: 2000 }, () => headers()));
  expect(new Set(all.map((h) => h.Authorization)).size).toBe(1);
  expect(all[0]!.Authorization).toMatch(/^Bearer ey/);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
});

test('proto exporter with X-Serverless-Authorization: the token rides there, Authorization stays free', async () => {
  await receiver.close();
  receiver = await startOtlpReceiver(issuer, 'x-serverless-authorization');
  const headers = headersFor({ header: 'X-Serverless-Authorization' });
  expect(Object.keys(await headers())).toEqual(['X-Serverless-Authorization']);
  const exporter = new OTLPProtoExporter({ url: receiver.url, headers, concurrencyLimit: 500 });
  const results = await Promise.all(Array.from({ length: 200 }, () => exportSpans(exporter)));
  expect(results.every((result) => result.code === ExportResultCode.SUCCESS)).toBe(true);
  expect(receiver.accepted).toBe(200);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
  await exporter.shutdown();
});

test('short-lived tokens are refreshed in the background, about twice per lifetime; exports never wait', async () => {
  fake.server.setLifetime(4);
  const headers = headersFor();
  const exporter = new OTLPHttpExporter({ url: receiver.url, headers });
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  const factoryTimes: number[] = [];
  const started = Date.now();
  while (Date.now() - started < 6000) {
    const before = performance.now();
    await headers();
    factoryTimes.push(performance.now() - before);
    expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
    await sleep(100);
  }
  // exp has whole-second precision, so a 4 s token has 3-4 s left on receipt and is refreshed after half of that.
  const fetches = fake.server.fetchCount(AUDIENCE);
  expect(fetches).toBeGreaterThanOrEqual(4);
  expect(fetches).toBeLessThanOrEqual(5);
  expect(receiver.refusals).toEqual([]);
  // Every refreshed token was used, except perhaps one fetched after the last export of the loop.
  const used = new Set(receiver.tokens);
  expect(used.size).toBeGreaterThanOrEqual(fetches - 1);
  for (const token of used) expect(fake.server.issued).toContain(token);
  expect(Math.max(...factoryTimes)).toBeLessThan(20);
  await exporter.shutdown();
});

test('a slow metadata server during a refresh costs the exports nothing: they keep the current token', async () => {
  // 7-8 s left on receipt: refreshed after 3.5-4 s, answered 1 s later, before the token's last quarter.
  fake.server.setLifetime(8);
  const headers = headersFor();
  const first = (await headers()).Authorization;
  await fake.server.setMode('slow', { delayMs: 1000 });
  const exporter = new OTLPHttpExporter({ url: receiver.url, headers });
  const started = Date.now();
  const factoryTimes: number[] = [];
  while (Date.now() - started < 5500) {
    const before = performance.now();
    await headers();
    factoryTimes.push(performance.now() - before);
    expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
    await sleep(100);
  }
  expect(Math.max(...factoryTimes)).toBeLessThan(20);
  expect((await headers()).Authorization).not.toBe(first);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(2);
  await exporter.shutdown();
});

test('shutdown() stops background refresh: no fetch after it, the process is not held', async () => {
  fake.server.setLifetime(2);
  const headers = headersFor();
  await headers();
  headers.shutdown();
  await sleep(2500);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
  expect(await headers()).toEqual({});
});

test('an aborted signal stops background refresh too', async () => {
  fake.server.setLifetime(2);
  const controller = new AbortController();
  const headers = headersFor({ signal: controller.signal });
  await headers();
  controller.abort();
  await sleep(2500);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
});

test('sources can be shared between exporters: one fetch for both', async () => {
  const headers = headersFor();
  const again = googleIdTokenHeaders({ source: headers.source, header: 'X-Serverless-Authorization' });
  const [a, b] = await Promise.all([headers(), again()]);
  expect(a.Authorization).toBe(b['X-Serverless-Authorization']);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
});
