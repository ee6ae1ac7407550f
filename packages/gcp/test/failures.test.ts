// When the metadata server is down, slow, or lies: every export resolves (as
// unauthorized), within the bounded wait, one diag warning per failure streak,
// and tokens flow again once the server is back, without the app doing anything.
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createIssuer, type MetadataMode } from '@tracehop/fixture-gcp-fakes';
import { useFakeMetadataServer } from '@tracehop/fixture-gcp-fakes/vitest';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { googleIdTokenHeaders, type GoogleIdTokenHeadersFactory, type GoogleIdTokenSourceOptions } from '../src/index.js';
import { AUDIENCE, captureDiag, eventually, exportSpans, startOtlpReceiver, type DiagCapture, type OtlpReceiver, sleep } from './harness.js';

const issuer = createIssuer();
const fake = useFakeMetadataServer({ issuer, lifetimeSeconds: 600 });
let receiver: OtlpReceiver;
let diagnostics: DiagCapture;
const factories: GoogleIdTokenHeadersFactory[] = [];

beforeEach(async () => {
  receiver = await startOtlpReceiver(issuer);
  diagnostics = captureDiag();
});
afterEach(async () => {
  for (const factory of factories.splice(0)) factory.shutdown();
  await receiver.close();
  await fake.server.setMode('normal');
  fake.server.setLifetime(600);
  fake.server.resetCounts();
});

function setup(options: Partial<GoogleIdTokenSourceOptions> = {}): { headers: GoogleIdTokenHeadersFactory; exporter: OTLPTraceExporter } {
  const headers = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 300, retryMinMs: 200, retryMaxMs: 400, ...options });
  factories.push(headers);
  return { headers, exporter: new OTLPTraceExporter({ url: receiver.url, headers }) };
}

/**
 * maxWaitMs (300) plus the export itself, with room for a loaded 2-core CI box;
 * still well under what waiting for the failing fetch would cost (google-auth-library
 * retries a refused connection for ~2.1 s) or a hang.
 */
const BOUND_MS = 1500;

async function expectUnauthorized(exporter: OTLPTraceExporter, maxMs = BOUND_MS): Promise<void> {
  const result = await exportSpans(exporter);
  expect(result.code).toBe(ExportResultCode.FAILED);
  expect((result.error as { code?: number }).code).toBe(401);
  expect(result.ms).toBeLessThan(maxMs);
}

describe.each<[MetadataMode, RegExp]>([
  ['down', /ECONNREFUSED|no ID token .* within 300 ms/],
  ['unavailable', /503|Service Unavailable|within 300 ms/],
  ['garbage', /not a JWT/],
  ['wrong-flavor', /Metadata-Flavor/],
  ['expired', /token expired at/],
])('metadata server %s from the start', (mode, reason) => {
  test('exports resolve as 401 within the bounded wait; one warning for the whole streak; recovery on its own', async () => {
    await fake.server.setMode(mode);
    const { exporter } = setup();
    for (let i = 0; i < 6; i += 1) await expectUnauthorized(exporter);
    await eventually(() => diagnostics.lines.some((line) => reason.test(line.message)), 4000);
    expect(diagnostics.of('warn')).toHaveLength(1);
    expect(diagnostics.of('warn')[0]).toMatch(/exports to https:\/\/collector-abc123-ew\.a\.run\.app go without an ID token/);
    expect(receiver.tokens).toEqual([]);

    await fake.server.setMode('normal');
    // The background retry (backoff ≤ 400 ms here) fetches a token before any export asks.
    await eventually(() => diagnostics.of('info').some((line) => line.includes('obtained again')), 4000);
    expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
    expect(diagnostics.of('warn')).toHaveLength(1);
    await exporter.shutdown();
  });
});

test('a second failure streak gets its own single warning', async () => {
  fake.server.setLifetime(2);
  const { exporter } = setup();
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await fake.server.setMode('garbage');
  await eventually(() => diagnostics.of('warn').length === 1, 4000);
  await sleep(2000); // past the 2 s token's usable life
  await expectUnauthorized(exporter);
  await fake.server.setMode('normal');
  await eventually(() => diagnostics.of('info').length === 1, 4000);
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await fake.server.setMode('wrong-flavor');
  await eventually(() => diagnostics.of('warn').length === 2, 4000);
  await sleep(2000);
  await expectUnauthorized(exporter);
  await expectUnauthorized(exporter);
  expect(diagnostics.of('warn')).toHaveLength(2);
  await exporter.shutdown();
});

test('an outage after a token exists: exports keep the token until it nears expiry, then fail fast, then recover', async () => {
  fake.server.setLifetime(3);
  const { exporter } = setup();
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await fake.server.setMode('down');
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await eventually(() => diagnostics.of('warn').length === 1, 5000);
  // Token in its last quarter, server still down: unauthorized, without waiting past the bound.
  await sleep(2500);
  await expectUnauthorized(exporter);
  await fake.server.setMode('normal');
  await eventually(() => diagnostics.of('info').length === 1, 5000);
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await exporter.shutdown();
});

test('a failed refresh while the token is still good says so, and exports keep succeeding meanwhile', async () => {
  fake.server.setLifetime(4);
  const { exporter } = setup();
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await fake.server.setMode('garbage');
  await eventually(() => diagnostics.of('warn').length === 1, 3000);
  expect(diagnostics.of('warn')[0]).toMatch(/not a JWT.*; the current token is used until .*; after that, exports to .* go without one/);
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  await exporter.shutdown();
});

test('slow metadata server: the export waits only maxWaitMs; the late token is kept and used, still one fetch', async () => {
  await fake.server.setMode('slow', { delayMs: 1200 });
  const { exporter } = setup({ prefetch: false });
  await expectUnauthorized(exporter);
  expect(diagnostics.of('warn')[0]).toMatch(/no ID token for .* within 300 ms/);
  await eventually(() => diagnostics.of('info').length === 1, 3000);
  expect((await exportSpans(exporter)).code).toBe(ExportResultCode.SUCCESS);
  expect(fake.server.fetchCount(AUDIENCE)).toBe(1);
  await exporter.shutdown();
});

test('a metadata server that stalls past fetchTimeoutMs counts as failed, and the next try succeeds', async () => {
  await fake.server.setMode('slow', { delayMs: 2500 });
  const { headers } = setup({ fetchTimeoutMs: 400, maxWaitMs: 100 });
  expect(await headers()).toEqual({});
  await eventually(() => diagnostics.lines.some((line) => /no answer within 400 ms/.test(line.message)), 2000);
  await fake.server.setMode('normal');
  await eventually(() => diagnostics.of('info').length === 1, 3000);
  expect((await headers()).Authorization).toMatch(/^Bearer /);
});

test('a fetchIdToken that throws, rejects, or returns junk never reaches the app', async () => {
  const throwing = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 100, fetchIdToken: () => { throw new Error('sync boom'); } });
  const rejecting = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 100, fetchIdToken: () => Promise.reject(new Error('async boom')) });
  const junk = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 100, fetchIdToken: () => Promise.resolve(42 as unknown as string) });
  const hanging = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 100, fetchIdToken: () => new Promise<string>(() => undefined) });
  factories.push(throwing, rejecting, junk, hanging);
  for (const headers of [throwing, rejecting, junk, hanging]) expect(await headers()).toEqual({});
  const brokenSource = googleIdTokenHeaders({ source: { audience: AUDIENCE, getToken: () => Promise.reject(new Error('x')), shutdown: () => undefined } });
  expect(await brokenSource()).toEqual({});
});

test('credentials that cannot mint ID tokens (e.g. an API-key client): one clear warning, no throw, no fetch', async () => {
  // (gcloud user credentials can, in google-auth-library 10, but only by calling oauth2.googleapis.com: not testable offline.)
  const headers = googleIdTokenHeaders({ audience: AUDIENCE, maxWaitMs: 300, auth: { getClient: async () => ({ apiKey: 'k' }) } });
  factories.push(headers);
  expect(await headers()).toEqual({});
  expect(await headers()).toEqual({});
  expect(diagnostics.of('warn')).toHaveLength(1);
  expect(diagnostics.of('warn')[0]).toMatch(/these credentials cannot mint ID tokens/);
  expect(fake.server.fetchCount()).toBe(0);
});
