// Issue 7, item 5, the HTTP inbound path: whatever a caller puts in
// `traceparent`, `tracestate`, `baggage` and `x-cloud-trace-context` at the BFF
// (malformed, duplicated as separate header lines, oversized, percent-encoded,
// latin1 bytes), real Yoga over real HTTP answers 200 with data (or node:http's
// own 431 when the header section is over its 16 KiB limit), never hangs, never
// throws, and what reaches a real gRPC server is one well-formed traceparent and
// at most one tracestate/baggage within the W3C limits. The gRPC metadata path
// is property-tested in packages/grpc/test/hostile-metadata.test.ts.
import * as grpc from '@grpc/grpc-js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPropagator } from '@tracehop/core';
import { createServiceTelemetry, startBff, type Bff, type LogLine } from '@tracehop/fixture-bff';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { useAsyncContext } from './harness.js';
import { keepAliveAgent, postQuery, type RawResponse } from './http-client.js';

useAsyncContext();
const problems: unknown[] = [];
const onProblem = (error: unknown) => problems.push(error);
process.on('unhandledRejection', onProblem);
process.on('uncaughtException', onProblem);

const PROPAGATION_KEYS = ['traceparent', 'tracestate', 'baggage', 'x-cloud-trace-context'] as const;
type PropagationKey = (typeof PROPAGATION_KEYS)[number];
/** What the observing server saw of one call: every value of each propagation key. */
type SeenMetadata = Record<PropagationKey, string[]>;

/** A plain grpc-js server (no tracehop) that answers each call with the propagation metadata it received. */
async function startObservingBackend(): Promise<{ address: string; stop(): Promise<void> }> {
  const { service } = loadEcho(grpc);
  const seen = (metadata: grpc.Metadata): string =>
    JSON.stringify(Object.fromEntries(PROPAGATION_KEYS.map((key) => [key, metadata.get(key).map(String)])));
  const server = new grpc.Server();
  server.addService(service, {
    Say(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, callback: grpc.sendUnaryData<EchoMessage>) {
      callback(null, { value: seen(call.metadata) });
    },
    Stream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      call.write({ value: seen(call.metadata) });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

// What reached the BFF's own spans and log lines: only ever the authenticated tenant.
const tenantsOnTelemetry = new Set<unknown>();
const bffTelemetry = createServiceTelemetry('bff', {
  retain: false,
  onSpan: (span: ReadableSpan) => tenantsOnTelemetry.add(span.attributes['tenant.id']),
  onLog: (line: LogLine) => tenantsOnTelemetry.add(line['tenant.id']),
});
let observer: Awaited<ReturnType<typeof startObservingBackend>>;
/** The public edge as shipped: no inbound baggage, W3C only. */
let defaultEdge: Bff;
/** An edge that accepts every inbound baggage entry and reads X-Cloud-Trace-Context too: the most input reaches the outbound path. */
let permissiveEdge: Bff;
const agent = keepAliveAgent(4);

beforeAll(async () => {
  observer = await startObservingBackend();
  defaultEdge = await startBff({ telemetry: bffTelemetry, backendAddress: observer.address });
  permissiveEdge = await startBff({
    telemetry: bffTelemetry,
    backendAddress: observer.address,
    acceptBaggage: true,
    propagator: createPropagator({ cloudTraceContext: true }),
  });
});
afterEach(() => {
  expect(problems).toEqual([]);
});
afterAll(async () => {
  agent.destroy();
  await defaultEdge.stop();
  await permissiveEdge.stop();
  await observer.stop();
  process.off('unhandledRejection', onProblem);
  process.off('uncaughtException', onProblem);
});

// ---------------------------------------------------------------- generators

const hexDigits = '0123456789abcdef';
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...hexDigits), minLength: length, maxLength: length });
/** Every byte node:http lets a client put in a header value: HTAB, visible ASCII, SP, and obs-text (latin1). */
const headerChar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constant('\t') },
);
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const percentEncodeAll = (value: string) => [...value].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`).join('');

const validTraceparent = fc.tuple(hex(32), hex(16), fc.constantFrom('00', '01')).map(([t, s, f]) => `00-${t}-${s}-${f}`);
const traceparentValue = fc.oneof(
  validTraceparent,
  // Near misses: wrong version, case, lengths, zero IDs, separators, a suffix on v00, future versions.
  fc
    .tuple(
      fc.constantFrom('00', '01', 'cc', 'ff', '0', '000', 'AA', 'zz'),
      fc.oneof(hex(32), hex(31), hex(33), fc.constant('0'.repeat(32)), hex(32).map((h) => h.toUpperCase())),
      fc.oneof(hex(16), hex(15), fc.constant('0'.repeat(16)), hex(16).map((h) => h.toUpperCase())),
      fc.constantFrom('00', '01', 'ff', '1', '001', 'xx'),
      fc.constantFrom('', '-', '-what-ever', '.x', ' ', '\t'),
      fc.constantFrom('-', '_', '--'),
    )
    .map(([v, t, s, f, suffix, sep]) => [v, t, s, f].join(sep) + suffix),
  validTraceparent.map((value) => ` ${value}\t`),
  validTraceparent.map(percentEncodeAll),
  validTraceparent.map((value) => value.replace(/-/g, '%2D')),
  validTraceparent.map((value) => `${value},${value}`),
  fc.integer({ min: 100, max: 9_000 }).chain((n) => validTraceparent.map((value) => `${value}-${'x'.repeat(n)}`)),
  headerText(120),
);

const tracestateKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,20}$/),
  fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/]{0,10}$/), fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,8}$/)).map(([t, s]) => `${t}@${s}`),
  fc.constantFrom('UPPER', '1bad@', '@x', 'a'.repeat(257), 'k k', ''),
  headerText(12),
);
const tracestateMember = fc.tuple(
  tracestateKey,
  fc.oneof(fc.stringMatching(/^[!-+\--<>-~]{1,16}$/), fc.constantFrom('', 'a=b', 'v,w', ' x', '%20', 'v'.repeat(300)), headerText(16)),
).map(([k, v]) => `${k}=${v}`);
const tracestateValue = fc.oneof(
  fc.array(tracestateMember, { maxLength: 40 }).map((members) => members.join(',')),
  fc.array(tracestateMember, { maxLength: 4 }).map((members) => members.join(' , ')),
  fc.integer({ min: 33, max: 80 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',')),
  fc.integer({ min: 600, max: 9_000 }).map((n) => `big=${'v'.repeat(n)}`),
  headerText(200),
);

const baggageKey = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9!#$&'*+.^_`|~-]{1,20}$/),
  fc.constantFrom('tenant.id', 'TENANT.ID', 'tenant%2Eid', 'tenant.id ', 'k k', '', '%ZZ', '%E2%82'),
  headerText(12),
);
const baggageValue = fc.oneof(
  fc.stringMatching(/^[!#-+\--:<-[\]-~]{0,30}$/),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
  fc.constantFrom('evil', 'hospital_b', '%', '%Z', '%C3', '%E2%82', '%00', '%0D%0A', 'a;b', 'a=b', ''),
  headerText(20),
);
const baggageMember = fc
  .tuple(baggageKey, baggageValue, fc.option(fc.constantFrom(';p=1', ';p', ';=;', `;${'m'.repeat(300)}`, ';%ZZ'), { nil: '' }))
  .map(([k, v, props]) => `${k}=${v}${props}`);
const baggageValueArb = fc.oneof(
  fc.array(baggageMember, { maxLength: 30 }).map((members) => members.join(',')),
  fc.integer({ min: 60, max: 250 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',')),
  fc.integer({ min: 1, max: 9 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=${'v'.repeat(1_500)}`).join(',')),
  fc.constant('tenant.id=evil'),
  headerText(200),
);

const cloudValue = fc.oneof(
  fc.tuple(hex(32), fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), fc.constantFrom('', ';o=1', ';o=0', ';o=3')).map(([t, s, o]) => `${t}/${s}${o}`),
  // Near misses: each differs from a valid header in one part (zero or short trace ID, span ID 0 or past 2^64, bad options).
  fc
    .tuple(
      hex(32),
      fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
      fc.constantFrom('', ';o=1'),
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom('0'.repeat(32), 'A'.repeat(32), 'f'.repeat(31), 'g'.repeat(32)),
      fc.constantFrom('0', '18446744073709551616', '99999999999999999999', '-1', '1e3', '', '1'.repeat(21)),
      fc.constantFrom(';o=', ';o=x', ';o=1;o=0', ';o=1 extra', ';O=1', '/1'),
    )
    .map(([t, s, o, which, badTrace, badSpan, badOptions]) =>
      which === 0 ? `${badTrace}/${s}${o}` : which === 1 ? `${t}/${badSpan}${o}` : `${t}/${s}${badOptions}`,
    ),
  headerText(80),
);

/** 0 values: absent; 1: one header line; 2-3: that many header lines (duplicates). */
const occurrences = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant([] as T[]) }, { weight: 5, arbitrary: fc.array(value, { minLength: 1, maxLength: 1 }) }, { weight: 2, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) });

const AUTH = { a: 'Bearer token-hospital-a', b: 'Bearer token-hospital-b', none: undefined, bogus: 'Bearer tenant.id=evil' } as const;
const TENANT_OF_AUTH = { a: 'hospital_a', b: 'hospital_b', none: undefined, bogus: undefined } as const;

const hostileRequest = fc.record({
  traceparent: occurrences(traceparentValue),
  tracestate: occurrences(tracestateValue),
  baggage: occurrences(baggageValueArb),
  'x-cloud-trace-context': occurrences(cloudValue),
  auth: fc.constantFrom('a', 'b', 'none', 'bogus') as fc.Arbitrary<keyof typeof AUTH>,
  /** Pads the header section well past node:http's 16 KiB limit. */
  oversize: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 17_500, max: 40_000 }) }),
});
type HostileRequest = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------- oracles

const ows = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** The W3C rules for one traceparent value (version 00 exact; later versions may append `-…`). */
function w3cTraceId(raw: string): string | undefined {
  const value = ows(raw);
  // A comma means repeated header lines (joined by Node): invalid together, whatever the version.
  if (value.includes(',')) return undefined;
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(.*)$/.exec(value);
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return undefined;
  if (match[1] === '00' ? match[5] !== '' : match[5] !== '' && !match[5]!.startsWith('-')) return undefined;
  return match[2];
}

/** Google's rules for X-Cloud-Trace-Context: TRACE/SPAN[;o=N], span a non-zero unsigned 64-bit decimal. */
function cloudTraceId(raw: string): string | undefined {
  const match = /^([0-9a-f]{32})\/([0-9]{1,20})(?:;o=([0-9]+))?$/i.exec(ows(raw));
  if (!match || /^0+$/.test(match[1]!)) return undefined;
  const span = BigInt(match[2]!);
  return span > 0n && span < 2n ** 64n ? match[1]!.toLowerCase() : undefined;
}

/** The trace the BFF must continue, or undefined when it must start a new one. */
function expectedTraceId(request: HostileRequest, readsCloud: boolean): string | undefined {
  // A repeated traceparent is ambiguous: it arrives joined and is rejected.
  if (request.traceparent.length === 1) {
    const fromW3c = w3cTraceId(request.traceparent[0]!);
    if (fromW3c) return fromW3c;
  }
  if (readsCloud && request['x-cloud-trace-context'].length === 1) return cloudTraceId(request['x-cloud-trace-context'][0]!);
  return undefined;
}

/** Trace Context Level 2 key grammar (the one @tracehop/core and the W3C harness use): `foo@` is a valid key. */
const TRACESTATE_KEY = /^[a-z0-9][_0-9a-z\-*/@]{0,255}$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** The default `baggageLimits.maxBytes` of @tracehop/grpc's client interceptor. */
const GRPC_BAGGAGE_MAX_BYTES = 4096;
const BAGGAGE_KEY = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const BAGGAGE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** What a well-behaved hop may send on, for one call. */
function assertWellFormedOutbound(seen: SeenMetadata, request: HostileRequest, readsCloud: boolean, acceptsBaggage: boolean): void {
  expect(seen.traceparent).toHaveLength(1);
  // Flags: sampled (0x01) and Level 2's random (0x02), nothing else, whatever came in.
  const outbound = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([0-3])$/.exec(seen.traceparent[0]!);
  expect(outbound, seen.traceparent[0]).not.toBeNull();
  const [, traceId, spanId, flags] = outbound!;
  // The random flag only for the trace ID it arrived with (never claimed for a trace tracehop started).
  if (Number(flags) & 0x02) expect(traceId).toBe(expectedTraceId(request, readsCloud));
  expect(traceId).not.toMatch(/^0+$/);
  expect(spanId).not.toMatch(/^0+$/);
  const expected = expectedTraceId(request, readsCloud);
  if (expected) {
    expect(traceId).toBe(expected);
  } else {
    // A new trace: none of the IDs the caller offered.
    const offered = JSON.stringify([request.traceparent, request['x-cloud-trace-context']]).toLowerCase();
    expect(offered).not.toContain(traceId);
  }

  expect(seen.tracestate.length).toBeLessThanOrEqual(1);
  if (seen.tracestate.length === 1) {
    // tracestate only ever travels with the traceparent it came with.
    expect(expected).toBeDefined();
    expect(w3cTraceId(request.traceparent[0] ?? '')).toBe(traceId);
    const header = seen.tracestate[0]!;
    expect(header.length).toBeLessThanOrEqual(512);
    const members = header.split(',');
    expect(members.length).toBeLessThanOrEqual(32);
    const keys = members.map((member) => {
      const eq = member.indexOf('=');
      const key = member.slice(0, eq);
      expect(key, member).toMatch(TRACESTATE_KEY);
      expect(member.slice(eq + 1), member).toMatch(TRACESTATE_VALUE);
      return key;
    });
    expect(new Set(keys).size).toBe(keys.length);
  }

  expect(seen.baggage.length).toBeLessThanOrEqual(1);
  const tenant = TENANT_OF_AUTH[request.auth];
  if (seen.baggage.length === 1) {
    const header = seen.baggage[0]!;
    // W3C allows 8192 bytes; @tracehop/grpc's client caps at 4096 by default (grpc-java rejects headers over 8 KiB in total).
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(GRPC_BAGGAGE_MAX_BYTES);
    const members = header.split(',');
    expect(members.length).toBeLessThanOrEqual(64);
    if (Buffer.byteLength(header) > GRPC_BAGGAGE_MAX_BYTES / 2) outcomes.bigBaggageOut++;
    const entries = members.map((member) => {
      const [pair] = member.split(';');
      const eq = pair!.indexOf('=');
      const key = pair!.slice(0, eq);
      expect(key, member).toMatch(BAGGAGE_KEY);
      expect(pair!.slice(eq + 1), member).toMatch(BAGGAGE_VALUE);
      return [decodeURIComponent(pair!.slice(0, eq)), decodeURIComponent(pair!.slice(eq + 1))] as const;
    });
    const sentTenant = entries.filter(([key]) => key === 'tenant.id').map(([, value]) => value);
    expect(sentTenant).toEqual(tenant ? [tenant] : []);
    if (!acceptsBaggage) expect(entries.map(([key]) => key)).toEqual(['tenant.id']);
  } else {
    expect(tenant).toBeUndefined();
  }
  expect(seen['x-cloud-trace-context'].length).toBeLessThanOrEqual(1);
}

// ---------------------------------------------------------------- the property

/** node:http rejects a request whose header section exceeds this (its documented --max-http-header-size default). */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

function headersOf(request: HostileRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const key of PROPAGATION_KEYS) {
    const values = request[key];
    if (values.length === 1) headers[key] = values[0]!;
    else if (values.length > 1) headers[key] = values;
  }
  const authorization = AUTH[request.auth];
  if (authorization) headers.authorization = authorization;
  if (request.oversize) headers['x-padding'] = 'p'.repeat(request.oversize);
  return headers;
}

function headerBytes(headers: Record<string, string | string[]>): number {
  let bytes = 200; // request line, host, content-type, content-length, connection
  for (const [name, value] of Object.entries(headers)) {
    for (const line of Array.isArray(value) ? value : [value]) bytes += name.length + 4 + Buffer.byteLength(line, 'latin1');
  }
  return bytes;
}

const QUERY = '{ patient(id: "p-1") { id summary vitals } }';
const outcomes = { ok: 0, tooLarge: 0, continued: 0, cloudContinued: 0, duplicated: 0, latin1: 0, bigBaggageOut: 0 };

async function sendHostile(edge: Bff, request: HostileRequest, readsCloud: boolean, acceptsBaggage: boolean): Promise<void> {
  const headers = headersOf(request);
  const bytes = headerBytes(headers);
  let response: RawResponse;
  try {
    response = await postQuery(edge.url, QUERY, headers, { agent, timeoutMs: 5_000 });
  } catch (error) {
    throw new Error(`no answer for ${JSON.stringify(headers).slice(0, 500)}: ${String(error)}`);
  }
  if (bytes > NODE_MAX_HEADER_BYTES + 512) {
    // Over Node's header limit: node:http answers 431 itself, before Yoga or tracehop run.
    expect(response.status, `${bytes} header bytes`).toBe(431);
    outcomes.tooLarge++;
    return;
  }
  if (bytes >= NODE_MAX_HEADER_BYTES - 1024 && response.status === 431) return; // at the edge of the limit: either answer is Node's
  expect(response.status, response.body.slice(0, 300)).toBe(200);
  const body = JSON.parse(response.body) as { data?: { patient?: { summary: string; vitals: string[] } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data?.patient?.vitals).toHaveLength(1);
  for (const seen of [body.data!.patient!.summary, body.data!.patient!.vitals[0]!]) {
    assertWellFormedOutbound(JSON.parse(seen) as SeenMetadata, request, readsCloud, acceptsBaggage);
  }
  outcomes.ok++;
  if (expectedTraceId(request, false)) outcomes.continued++;
  else if (expectedTraceId(request, readsCloud)) outcomes.cloudContinued++;
  if (PROPAGATION_KEYS.some((key) => request[key].length > 1)) outcomes.duplicated++;
  if (/[\x80-\xff]/.test(JSON.stringify(headers))) outcomes.latin1++;
}

describe.each([
  { name: 'default edge (W3C only, no inbound baggage)', edge: () => defaultEdge, readsCloud: false, acceptsBaggage: false },
  { name: 'permissive edge (X-Cloud-Trace-Context, all baggage accepted)', edge: () => permissiveEdge, readsCloud: true, acceptsBaggage: true },
])('$name', ({ edge, readsCloud, acceptsBaggage }) => {
  test('hostile propagation headers: 200 with data (or Node\'s 431), never a hang or a throw, well-formed and within W3C limits going out', async () => {
    for (const key of Object.keys(outcomes) as (keyof typeof outcomes)[]) outcomes[key] = 0;
    tenantsOnTelemetry.clear();
    await fc.assert(
      fc.asyncProperty(hostileRequest, (request) => sendHostile(edge(), request, readsCloud, acceptsBaggage)),
      { numRuns: 300 },
    );
    console.info(`[hostile ${readsCloud ? 'permissive' : 'default'}] ${JSON.stringify(outcomes)}`);
    // The generators reach every branch the property distinguishes.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.tooLarge).toBeGreaterThan(0);
    expect(outcomes.continued).toBeGreaterThan(10);
    expect(outcomes.duplicated).toBeGreaterThan(10);
    expect(outcomes.latin1).toBeGreaterThan(10);
    if (readsCloud) expect(outcomes.cloudContinued).toBeGreaterThan(0);
    // Oversized inbound baggage really reached the outbound limit (only an edge that accepts baggage forwards it).
    if (acceptsBaggage) expect(outcomes.bigBaggageOut).toBeGreaterThan(0);
    // Only authenticated tenants ever reached a span or a log line.
    expect([...tenantsOnTelemetry].filter((t) => t !== undefined).sort()).toEqual(['hospital_a', 'hospital_b']);
    expect(problems).toEqual([]);
  }, 60_000);
});

test('exact cases: duplicated traceparent lines start a new trace; one valid line continues it; the edge keeps serving after a 431', async () => {
  const a = `00-${'a'.repeat(31)}1-${'b'.repeat(15)}1-01`;
  const b = `00-${'c'.repeat(31)}1-${'d'.repeat(15)}1-01`;
  const traceOf = async (headers: Record<string, string | string[]>) => {
    const response = await postQuery(permissiveEdge.url, QUERY, headers, { agent, timeoutMs: 5_000 });
    expect(response.status).toBe(200);
    const seen = JSON.parse((JSON.parse(response.body) as { data: { patient: { summary: string } } }).data.patient.summary) as SeenMetadata;
    return seen.traceparent[0]!.slice(3, 35);
  };
  expect(await traceOf({ traceparent: a })).toBe('a'.repeat(31) + '1');
  expect([`${'a'.repeat(31)}1`, `${'c'.repeat(31)}1`]).not.toContain(await traceOf({ traceparent: [a, b] }));
  expect(`${'a'.repeat(31)}1`).not.toBe(await traceOf({ traceparent: [a, a] }));
  // traceparent wins over X-Cloud-Trace-Context; a repeated traceparent falls back to it.
  const cloud = `${'e'.repeat(31)}1/12345;o=1`;
  expect(await traceOf({ traceparent: a, 'x-cloud-trace-context': cloud })).toBe('a'.repeat(31) + '1');
  expect(await traceOf({ traceparent: [a, b], 'x-cloud-trace-context': cloud })).toBe('e'.repeat(31) + '1');
  const tooLarge = await postQuery(permissiveEdge.url, QUERY, { baggage: `k=${'v'.repeat(20_000)}`, traceparent: a }, { agent, timeoutMs: 5_000 });
  expect(tooLarge.status).toBe(431);
  expect(await traceOf({ traceparent: a })).toBe('a'.repeat(31) + '1');
});
