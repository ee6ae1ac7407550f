// Every option of the gcp factories, given a wrong type or an unknown value,
// throws a TypeError when the factory is called, naming the option.
import * as grpc from '@grpc/grpc-js';
import { describeOptionTables } from '@tracehop/testkit';
import { afterAll, expect, test } from 'vitest';
import { callCredentialsChecks } from '../src/call-credentials.js';
import { cloudRunEdgeChecks } from '../src/cloud-run-edge.js';
import { headersChecks } from '../src/headers.js';
import { cloudRunEdge, createGoogleIdTokenSource, googleIdTokenCallCredentials, googleIdTokenHeaders } from '../src/index.js';
import { isSource, tokenSourceChecks } from '../src/token-options.js';

// No fetch ever runs: prefetch is off and nothing asks for a token.
const quiet = { audience: 'https://collector-abc123-ew.a.run.app', prefetch: false, fetchIdToken: async () => 'unused' };
const created: Array<{ shutdown(): void }> = [];
afterAll(() => created.forEach((made) => made.shutdown()));
const keep = <T extends { shutdown(): void }>(made: T): T => (created.push(made), made);

const tokenSource = {
  audience: [42, '', ['https://a']],
  maxWaitMs: [-1, '2000', Number.NaN],
  fetchTimeoutMs: [null, -5],
  refreshBeforeExpirySeconds: ['300'],
  retryMinMs: [false],
  retryMaxMs: [-1],
  prefetch: ['yes'],
  auth: [{}, 'adc'],
  fetchIdToken: ['token'],
  signal: [true, {}],
};

describeOptionTables([
  {
    factory: 'createGoogleIdTokenSource',
    call: (options) => keep(createGoogleIdTokenSource({ ...quiet, ...options } as never)),
    schema: tokenSourceChecks,
    wrong: tokenSource,
    typo: ['maxWaitMS', 'maxWaitMs'],
  },
  {
    factory: 'googleIdTokenHeaders',
    call: (options) => keep(googleIdTokenHeaders({ ...quiet, ...options } as never)),
    schema: { ...tokenSourceChecks, ...headersChecks, source: isSource },
    wrong: { ...tokenSource, header: ['authorization', 'X-Serverless'], source: [{ getToken() {} }] },
    typo: ['headers', 'header'],
  },
  {
    factory: 'googleIdTokenCallCredentials',
    call: (options) => keep(googleIdTokenCallCredentials({ ...quiet, grpc, ...options } as never)),
    schema: { ...tokenSourceChecks, ...callCredentialsChecks, source: isSource },
    wrong: { ...tokenSource, header: ['Bearer'], grpc: [{}, 'grpc'], source: ['shared'] },
    typo: ['audiance', 'audience'],
  },
  {
    factory: 'cloudRunEdge',
    call: (options) => cloudRunEdge(options),
    schema: cloudRunEdgeChecks,
    wrong: { sample: [2, -0.1, '0.5', Number.NaN], linkReason: [1] },
    typo: ['samples', 'sample'],
  },
]);

test('audience is required without a shared source', () => {
  expect(() => googleIdTokenHeaders({ prefetch: false } as never)).toThrow(
    /^googleIdTokenHeaders: option "audience" must be the receiving Cloud Run service's URL, like "https:\/\/collector-abc123-ew.a.run.app", got undefined$/,
  );
});

test("with a shared source, a new source's options would be ignored: naming one throws", () => {
  const headers = keep(googleIdTokenHeaders(quiet));
  expect(() => googleIdTokenCallCredentials({ source: headers.source, grpc, maxWaitMs: 100 } as never)).toThrow(
    new TypeError('googleIdTokenCallCredentials: option "maxWaitMs" does not apply with option "source": the shared source keeps its own'),
  );
  expect(() => keep(googleIdTokenCallCredentials({ source: headers.source, grpc }))).not.toThrow();
});
